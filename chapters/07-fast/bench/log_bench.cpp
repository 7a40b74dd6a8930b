// Chapter 3's LogWriter on the plain posix Env (before) and on FastLogEnv (after), each pair
// in the same run:
//  - appending 100-byte records with `never` (after: a mapped file, a copy per append);
//  - one writer with `always` (after: zero-filled space, so a sync commits only the data);
//  - 16 writers with `always` (the same, under group commit).
// Each ratio is after over before; the target is what the step must at least give.
//
// The files go in $VKV_BENCH_DIR, or in build/bench-data/ch07-log beside this program's
// directory, and are removed at exit. Use a real disk, not a tmpfs, or fdatasync costs
// nothing and the figures mean nothing.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "03-wal/log_writer.hpp"
#include "07-fast/fast_log_env.hpp"
#include "common/benchmarking/bench_dir.hpp"
#include "common/benchmarking/ratio_main.hpp"

namespace {

using vkv::Env;
using vkv::storage::FastLogEnv;
using vkv::storage::LogRecord;
using vkv::storage::LogWriter;
using vkv::storage::SyncPolicy;

// The benchmark's files go in one scratch directory, made on first use, removed at exit.
std::string bench_file(const std::string& name) {
  static const vkv::bench::BenchDir dir("ch07-log");
  return dir.file(name);
}

// A 16-byte key and a 73-byte value: 100 bytes once encoded.
constexpr std::size_t kRecordBytes = 100;
const std::string kKey = "key:000000000042";
const std::string kValue(73, 'v');
const LogWriter::Apply kNoApply;

// A new log at `path`, synced as `sync` says, on the plain Env or on the fast one.
std::unique_ptr<LogWriter> open_log(const std::string& path, SyncPolicy sync, bool fast) {
  static FastLogEnv fast_never(SyncPolicy::kNever);
  static FastLogEnv fast_always(SyncPolicy::kAlways);
  Env& env = !fast ? Env::posix() : sync == SyncPolicy::kAlways ? fast_always : fast_never;
  auto file = env.new_writable_file(path);
  if (!file.is_ok()) std::abort();
  vkv::storage::LogWriterOptions options;
  options.sync = sync;
  return std::make_unique<LogWriter>(std::move(file).value(), path, options);
}

// Removes a benchmark's log and waits until the disk has written back everything pending,
// so that the next benchmark's syncs do not queue behind this one's data.
void remove_and_settle(const std::string& path) {
  std::filesystem::remove(path);
  ::sync();
}

//! [bench-never]
void BM_LogNever(benchmark::State& state, bool fast) {
  const std::string path = bench_file("000001.log");
  auto log = open_log(path, SyncPolicy::kNever, fast);
  const LogRecord record = LogRecord::set(kKey, kValue);
  for (auto _ : state) {
    if (!log->write(record, kNoApply).is_ok()) {
      state.SkipWithError("log write failed");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kRecordBytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  log.reset();
  remove_and_settle(path);
}
//! [bench-never]
BENCHMARK_CAPTURE(BM_LogNever, plain, false)->UseRealTime();
BENCHMARK_CAPTURE(BM_LogNever, fast, true)->UseRealTime();

// Shared by the threads of one BM_LogAlways run; thread 0 opens and closes it, before and
// after the loop's start and end barriers.
std::unique_ptr<LogWriter> g_always_log;

void BM_LogAlways(benchmark::State& state, bool fast) {
  const std::string path = bench_file("000002.log");
  if (state.thread_index() == 0) g_always_log = open_log(path, SyncPolicy::kAlways, fast);
  const LogRecord record = LogRecord::set(kKey, kValue);
  for (auto _ : state) {
    if (!g_always_log->write(record, kNoApply).is_ok()) {
      state.SkipWithError("log write failed");
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  if (state.thread_index() == 0) {
    state.counters["syncs_per_write"] = benchmark::Counter(
        static_cast<double>(g_always_log->sync_count()) /
        static_cast<double>(state.iterations() * static_cast<std::uint64_t>(state.threads())));
    g_always_log.reset();
    remove_and_settle(path);
  }
}
BENCHMARK_CAPTURE(BM_LogAlways, plain, false)->Threads(1)->Threads(16)->UseRealTime()->MinTime(2.0);
BENCHMARK_CAPTURE(BM_LogAlways, fast, true)->Threads(1)->Threads(16)->UseRealTime()->MinTime(2.0);

}  // namespace

VKV_BENCHMARK_MAIN({
    {"never append: fast vs plain Env", "BM_LogNever/fast/real_time",
     "BM_LogNever/plain/real_time", "bytes_per_second", 2},
    {"1 writer, always: fast vs plain Env", "BM_LogAlways/fast/min_time:2.000/real_time/threads:1",
     "BM_LogAlways/plain/min_time:2.000/real_time/threads:1", "items_per_second", 1},
    {"16 writers, always: fast vs plain Env",
     "BM_LogAlways/fast/min_time:2.000/real_time/threads:16",
     "BM_LogAlways/plain/min_time:2.000/real_time/threads:16", "items_per_second", 1},
    {"16 writers vs 1 writer, always, fast (acks/s)",
     "BM_LogAlways/fast/min_time:2.000/real_time/threads:16",
     "BM_LogAlways/fast/min_time:2.000/real_time/threads:1", "items_per_second", 8},
})
