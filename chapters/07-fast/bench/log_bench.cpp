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
#include <string>

#include "03-wal/bench/log_bench_runs.hpp"
#include "07-fast/fast_log_env.hpp"
#include "common/benchmarking/bench_dir.hpp"
#include "common/benchmarking/ratio_main.hpp"

namespace {

using vkv::Env;
using vkv::storage::FastLogEnv;
using vkv::storage::SyncPolicy;

// The benchmark's files go in one scratch directory, made on first use, removed at exit.
// Their names are log names, so that FastLogEnv takes them for logs.
std::string bench_file(const std::string& name) {
  static const vkv::bench::BenchDir dir("ch07-log");
  return dir.file(name);
}

// Before: chapter 3's Env. After: the same, with FastLogEnv's log files.
Env& env_for(SyncPolicy sync, bool fast) {
  static FastLogEnv fast_never(SyncPolicy::kNever);
  static FastLogEnv fast_always(SyncPolicy::kAlways);
  if (!fast) return Env::posix();
  return sync == SyncPolicy::kAlways ? static_cast<Env&>(fast_always) : fast_never;
}

//! [bench-pairs]
void BM_LogNever(benchmark::State& state, bool fast) {
  vkv::bench::run_log_never(state, env_for(SyncPolicy::kNever, fast), bench_file("000001.log"));
}
BENCHMARK_CAPTURE(BM_LogNever, plain, false)->UseRealTime();
BENCHMARK_CAPTURE(BM_LogNever, fast, true)->UseRealTime();

void BM_LogAlways(benchmark::State& state, bool fast) {
  vkv::bench::run_log_always(state, env_for(SyncPolicy::kAlways, fast), bench_file("000002.log"));
}
BENCHMARK_CAPTURE(BM_LogAlways, plain, false)->Threads(1)->Threads(16)->UseRealTime()->MinTime(2.0);
BENCHMARK_CAPTURE(BM_LogAlways, fast, true)->Threads(1)->Threads(16)->UseRealTime()->MinTime(2.0);
//! [bench-pairs]

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
