/// \file
/// vkv (also ch08-compaction): chapter 7's server, with its tables in levels and compacted,
/// and SCAN.

#include "06-server/server_program.hpp"
#include "07-fast/fast_store.hpp"
#include "08-compaction/lsm_scanner.hpp"
#include "08-compaction/scan_command.hpp"
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
    options.table_set = vkv::storage::VersionSet::factory(  // the levels
        vkv::storage::LevelOptions::for_memtable(options.memtable_bytes), &levels);
  };
  // --levels: every table's level, size and key range too, not only the levels' table.
  bool list_tables = false;
  program.add_flags = [&list_tables](vkv::Flags& flags) {
    flags.add_bool("levels", &list_tables, "also list every table: level, size, key range");
  };
  // The levels' table when the store opens and when the server stops.
  program.store_report = [&levels, &list_tables] {
    if (levels == nullptr) return std::string();
    const std::string tables = list_tables ? format_tables(*levels->version()) : "";
    return tables + format_level_stats(levels->stats());
  };
  // One more command in the text protocol: SCAN, the keys in order (see "Ordered scans").
  program.summary += " SCAN start [end] [LIMIT n] lists keys in order.";
  program.text_commands = [](vkv::storage::LsmStore& store) {
    return std::make_unique<vkv::engine::ScanCommand>(
        std::make_unique<vkv::storage::LsmScanner>(store));
  };
  return vkv::runtime::run_server_program(program, argc, argv);
}
//! [main]
