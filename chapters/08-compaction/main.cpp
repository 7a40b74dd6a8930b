/// \file
/// vkv (also ch08-compaction): chapter 7's server, with its tables in levels and compacted.

#include "06-server/server_program.hpp"
#include "07-fast/fast_store.hpp"
#include "08-compaction/version_set.hpp"

//! [main]
int main(int argc, char** argv) {
  vkv::storage::FastStore fast;
  vkv::runtime::ServerProgram program;
  program.name = "vkv";
  program.store_env = [&fast](const vkv::storage::LsmStoreOptions& options) -> vkv::Env& {
    return fast.env_for(options);
  };
  program.tune_store = [](vkv::storage::LsmStoreOptions& options) {
    vkv::storage::FastStore::tune(options);                          // chapter 7's parts
    options.table_set = vkv::storage::VersionSet::factory();         // the levels
  };
  return vkv::runtime::run_server_program(program, argc, argv);
}
//! [main]
