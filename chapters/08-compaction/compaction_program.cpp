#include "08-compaction/compaction_program.hpp"

#include <array>
#include <memory>
#include <span>
#include <string_view>

#include "02-parsing/parser.hpp"
#include "08-compaction/lsm_scanner.hpp"
#include "08-compaction/request_keys.hpp"
#include "08-compaction/scan_command.hpp"

namespace vkv::runtime {

//! [look-ahead]
// Shows the store the keys of each read's complete requests, to prefetch, but for a plain
// SET's: it reads nothing first, so loading its key's entry ahead would be work for nothing.
// One request alone gains nothing either: it would only look twice.
net::LookAhead prefetching_look_ahead(storage::LsmStore& store) {
  return [&store](std::string_view bytes) {
    if (!protocol::may_hold_two_requests(bytes)) return;  // no pipeline: no skim
    std::array<protocol::RequestKey, storage::RowCache::kPrefetchBatch> requests;
    std::array<std::string_view, storage::RowCache::kPrefetchBatch> keys;
    const std::size_t found = protocol::request_keys(bytes, requests);
    std::size_t n = 0;
    for (std::size_t i = 0; i < found; ++i) {
      if (!protocol::is_command(requests[i].command, "SET")) keys[n++] = requests[i].key;
    }
    if (n > 1) store.prefetch(std::span(keys.data(), n));
  };
}
//! [look-ahead]

//! [program]
ServerProgram CompactionProgram::program() {
  ServerProgram program;
  compaction_errors_ = std::make_unique<ErrorLog>(
      program.name + ": ", "compaction", "reads go on, and writes until level 0 is full");
  program.store_env = [this](const storage::LsmStoreOptions& options) -> Env& {
    Env& fast = fast_.env_for(options);  // chapter 7's log files
    if (pread_tables_) return fast;
    // And tables read through maps: a page the disk cannot give back fails that read with
    // an I/O error, which chapter 6's server logs as any table read's failure.
    if (!mapped_tables_) mapped_tables_.emplace(fast);
    return *mapped_tables_;
  };
  program.tune_store = [this](storage::LsmStoreOptions& options) {
    storage::FastStore::tune(options);  // chapter 7's parts
    // A mapped table's blocks are in the page cache already: a block cache would hold a
    // second copy of some of them and cost every miss an insert (the page's "Reading the
    // tables through a map").
    if (!pread_tables_) options.block_cache_bytes = 0;
    auto levels = storage::LevelOptions::for_memtable(options.memtable_bytes);
    if (tune_levels) tune_levels(levels);
    // The levels; a compaction that fails is said as what it is, not as a failed write:
    // writes go on (refused only if level 0 fills first), and it is tried again.
    options.table_set = [tables = storage::VersionSet::factory(levels, &levels_),
                         this](storage::TableSetContext context) {
      context.on_error = [this](const Status& e) {
        if (on_compaction_error) return on_compaction_error(e);
        compaction_errors_->report(e);
      };
      return tables(context);
    };
  };
  // --levels: every table's level, size and key range too, not only the levels' table.
  program.add_flags = [this](Flags& flags) {
    flags.add_bool("levels", &list_tables_, "also list every table: level, size, key range");
    flags.add_bool("pread-tables", &pread_tables_,
                   "read tables with pread and the block cache (chapter 5's way), not mapped");
  };
  // The levels' table when the store opens and when the server stops.
  program.store_report = [this] {
    if (levels_ == nullptr) return std::string();
    const std::string tables = list_tables_ ? format_tables(*levels_->version()) : "";
    return tables + format_level_stats(levels_->stats());
  };
  // Each read's requests find what they will touch on its way (the page's "Prefetching a
  // pipeline's keys").
  program.look_ahead = prefetching_look_ahead;
  // One more command in the text protocol: SCAN, the keys in order (see "Ordered scans").
  program.summary += " SCAN start [end] [LIMIT n] lists keys in order.";
  program.text_commands = [](storage::LsmStore& store) {
    return std::make_unique<engine::ScanCommand>(std::make_unique<storage::LsmScanner>(store));
  };
  return program;
}
//! [program]

}  // namespace vkv::runtime
