/// \file
/// CompactionProgram: chapter 8's server as a ServerProgram (chapter 7's store, its tables in
/// levels, SCAN), for chapter 8's main and for any later server that builds on it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "06-server/server_program.hpp"
#include "06-server/error_log.hpp"
#include "07-fast/fast_store.hpp"
#include "08-compaction/mapped_table_file.hpp"
#include "08-compaction/version_set.hpp"

namespace vkv::runtime {

/// What chapter 8's server shows each read's bytes to (ServerProgram::look_ahead): the keys
/// their complete requests name (request_keys) go to `store.prefetch()`, when there are two
/// or more. `store` must outlive what it returns.
net::LookAhead prefetching_look_ahead(storage::LsmStore& store);

/// Holds what chapter 8's server needs while it runs (chapter 7's Env, the store's levels,
/// the `--levels` flag) and gives the ServerProgram that uses them.
///
/// The program's seams refer to this object: it must outlive run_server_program(). A later
/// chapter takes program() and adds to it (more flags, sessions) before running it.
class CompactionProgram {
 public:
  CompactionProgram() = default;
  CompactionProgram(const CompactionProgram&) = delete;
  CompactionProgram& operator=(const CompactionProgram&) = delete;

  /// Chapter 8's server: chapter 7's Env and memtable, tables read through memory maps
  /// (`--pread-tables`: with `pread` and the block cache, as chapter 5 reads them), the
  /// levels, their table printed at start and stop (`--levels` adds every table), and SCAN
  /// in the text protocol.
  ServerProgram program();

  /// Changes the levels' options before the store opens (a later chapter gives compaction a
  /// dead-value filter). Empty: LevelOptions::for_memtable() as it is.
  std::function<void(storage::LevelOptions&)> tune_levels;
  /// Told of each compaction that failed (its error names the file, or the disk's error;
  /// nothing was deleted, and it is tried again later). Empty: one line on standard error,
  /// at most once every ten seconds (chapter 6's ErrorLog). A later chapter logs it its way.
  std::function<void(const Status&)> on_compaction_error;
  /// The store's levels once it is open (null before): for what a later chapter asks of
  /// them, such as a compaction of everything.
  [[nodiscard]] storage::VersionSet* levels() const { return levels_; }

 private:
  storage::FastStore fast_;
  std::unique_ptr<ErrorLog> compaction_errors_;           // failed compactions, when not told
  std::optional<storage::MappedTableEnv> mapped_tables_;  // over fast_'s Env, made with it
  storage::VersionSet* levels_ = nullptr;  // made by the store, lives as long as it
  bool list_tables_ = false;               // --levels
  bool pread_tables_ = false;              // --pread-tables
};

}  // namespace vkv::runtime
