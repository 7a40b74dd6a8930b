// The log writer's benchmark runs, on any Env: chapter 3's benchmark runs them on the posix
// Env against raw system calls, and a later chapter's on other Envs against these.
#pragma once

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "03-wal/log_writer.hpp"

namespace vkv::bench {

/// Every record the runs write: a 16-byte key and a 73-byte value, 100 bytes once encoded.
inline constexpr std::size_t kLogRecordBytes = 100;
/// The records' key.
inline const std::string kLogKey = "key:000000000042";
/// The records' value.
inline const std::string kLogValue(73, 'v');

/// Removes a benchmark's file and waits until the disk has written back everything pending,
/// so that the next benchmark's syncs do not queue behind this one's data.
inline void remove_and_settle(const std::string& path) {
  std::filesystem::remove(path);
  ::sync();
}

/// A new log at `path` on `env`, written with `sync`; aborts if it cannot be made.
inline std::unique_ptr<storage::LogWriter> open_bench_log(Env& env, const std::string& path,
                                                          storage::SyncPolicy sync) {
  storage::LogWriterOptions options;
  options.sync = sync;
  auto file = env.new_writable_file(path);
  if (!file.is_ok()) std::abort();
  return std::make_unique<storage::LogWriter>(std::move(file).value(), path, options);
}

/// Writes one record per iteration to `log`, counting bytes and items. `log` is looked at
/// only inside the loop, after the threads' start barrier: in a run of many threads, thread 0
/// may still be opening it before that.
inline void write_log_records(benchmark::State& state,
                              const std::unique_ptr<storage::LogWriter>& log) {
  const storage::LogRecord record = storage::LogRecord::set(kLogKey, kLogValue);
  const storage::LogWriter::Apply no_apply;
  for (auto _ : state) {
    if (!log->write(record, no_apply).is_ok()) {
      state.SkipWithError("log write failed");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kLogRecordBytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

/// One thread appending to a new `never` log at `path` on `env`.
inline void run_log_never(benchmark::State& state, Env& env, const std::string& path) {
  auto log = open_bench_log(env, path, storage::SyncPolicy::kNever);
  write_log_records(state, log);
  log.reset();
  remove_and_settle(path);
}

/// All of a run's threads writing to one `always` log at `path` on `env` (thread 0 opens it
/// before the start barrier and closes it after the end one); reports syncs_per_write.
inline void run_log_always(benchmark::State& state, Env& env, const std::string& path) {
  static std::unique_ptr<storage::LogWriter> log;  // one run at a time
  if (state.thread_index() == 0) log = open_bench_log(env, path, storage::SyncPolicy::kAlways);
  write_log_records(state, log);
  if (state.thread_index() == 0) {
    state.counters["syncs_per_write"] = benchmark::Counter(
        static_cast<double>(log->sync_count()) /
        static_cast<double>(state.iterations() * static_cast<std::uint64_t>(state.threads())));
    log.reset();
    remove_and_settle(path);
  }
}

}  // namespace vkv::bench
