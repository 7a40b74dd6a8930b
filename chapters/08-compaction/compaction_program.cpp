#include "08-compaction/compaction_program.hpp"

#include <memory>

#include "08-compaction/lsm_scanner.hpp"
#include "08-compaction/scan_command.hpp"

namespace vkv::runtime {

//! [program]
ServerProgram CompactionProgram::program() {
  ServerProgram program;
  program.store_env = [this](const storage::LsmStoreOptions& options) -> Env& {
    return fast_.env_for(options);
  };
  program.tune_store = [this](storage::LsmStoreOptions& options) {
    storage::FastStore::tune(options);  // chapter 7's parts
    auto levels = storage::LevelOptions::for_memtable(options.memtable_bytes);
    if (tune_levels) tune_levels(levels);
    options.table_set = storage::VersionSet::factory(levels, &levels_);  // the levels
  };
  // --levels: every table's level, size and key range too, not only the levels' table.
  program.add_flags = [this](Flags& flags) {
    flags.add_bool("levels", &list_tables_, "also list every table: level, size, key range");
  };
  // The levels' table when the store opens and when the server stops.
  program.store_report = [this] {
    if (levels_ == nullptr) return std::string();
    const std::string tables = list_tables_ ? format_tables(*levels_->version()) : "";
    return tables + format_level_stats(levels_->stats());
  };
  // One more command in the text protocol: SCAN, the keys in order (see "Ordered scans").
  program.summary += " SCAN start [end] [LIMIT n] lists keys in order.";
  program.text_commands = [](storage::LsmStore& store) {
    return std::make_unique<engine::ScanCommand>(std::make_unique<storage::LsmScanner>(store));
  };
  return program;
}
//! [program]

}  // namespace vkv::runtime
