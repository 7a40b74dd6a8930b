/// \file
/// vkv (also ch07-fast): chapter 6's server, made of chapter 7's faster parts.

#include "06-server/server_program.hpp"
#include "07-fast/fast_store.hpp"

//! [main]
int main(int argc, char** argv) {
  vkv::storage::FastStore fast;
  vkv::runtime::ServerProgram program;
  program.store_env = [&fast](const vkv::storage::LsmStoreOptions& options) -> vkv::Env& {
    return fast.env_for(options);
  };
  program.tune_store = vkv::storage::FastStore::tune;
  return vkv::runtime::run_server_program(program, argc, argv);
}
//! [main]
