/// \file
/// vkv (also ch08-compaction): chapter 7's server, with its tables in levels and compacted.

#include "06-server/server_program.hpp"
#include "07-fast/fast_store.hpp"
#include "08-compaction/version_set.hpp"

//! [main]
int main(int argc, char** argv) {
  vkv::storage::FastStore fast;
  vkv::storage::VersionSet* levels = nullptr;  // made by the store, lives as long as it
  vkv::runtime::ServerProgram program;
  program.store_env = [&fast](const vkv::storage::LsmStoreOptions& options) -> vkv::Env& {
    return fast.env_for(options);
  };
  program.tune_store = [&levels](vkv::storage::LsmStoreOptions& options) {
    vkv::storage::FastStore::tune(options);                            // chapter 7's parts
    options.table_set = vkv::storage::VersionSet::factory({}, &levels);  // the levels
  };
  // The levels' table when the store opens and when the server stops.
  program.store_report = [&levels] {
    return levels == nullptr ? std::string() : format_level_stats(levels->stats());
  };
  return vkv::runtime::run_server_program(program, argc, argv);
}
//! [main]
