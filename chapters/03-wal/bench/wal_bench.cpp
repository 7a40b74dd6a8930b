// The write-ahead log against the raw system calls it is built on, each ratio in one run:
//  - appending 100-byte records with `never`, against a raw write() loop of the same bytes
//    (target 0.5);
//  - one writer with `always`, against a raw write() + fdatasync() loop (target 0.8);
//  - 16 writers with `always`, acknowledged writes per second against one writer (target 8:
//    what group commit is for);
//  - replaying a log of 1M records into a MemoryStore, against inserting the same records
//    into it directly (target 0.5).
//
// The files go in $VKV_BENCH_DIR, or in build/bench-data/ch03-wal beside this program's
// directory, and are removed at exit. Use a real disk, not a tmpfs, or fdatasync costs nothing
// and the figures mean nothing.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/benchmarking/bench_dir.hpp"
#include "03-wal/log_format.hpp"
#include "03-wal/log_writer.hpp"
#include "02-parsing/memory_store.hpp"
#include "common/benchmarking/ratio_main.hpp"
#include "03-wal/recovery.hpp"
#include "03-wal/bench/log_bench_runs.hpp"
#include "common/unique_fd.hpp"

namespace {

using vkv::Env;
using vkv::storage::LogRecord;
using vkv::storage::LogWriter;
using vkv::storage::SyncPolicy;


// The benchmark's files go in one scratch directory, made on first use, removed at exit.
std::string bench_file(const std::string& name) {
  static const vkv::bench::BenchDir dir("ch03-wal");
  return dir.file(name);
}

using vkv::bench::kLogRecordBytes;
using vkv::bench::remove_and_settle;

const std::string& encoded_record() {
  static const std::string bytes = [] {
    std::string s;
    vkv::storage::encode_record(LogRecord::set(vkv::bench::kLogKey, vkv::bench::kLogValue), &s);
    if (s.size() != kLogRecordBytes) std::abort();
    return s;
  }();
  return bytes;
}

vkv::UniqueFd open_truncated(const std::string& path) {
  return vkv::UniqueFd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
}

const LogWriter::Apply kNoApply;

void BM_RawWrite(benchmark::State& state) {
  const std::string path = bench_file("raw.dat");
  vkv::UniqueFd fd = open_truncated(path);
  const std::string& bytes = encoded_record();
  for (auto _ : state) {
    if (::write(fd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
      state.SkipWithError("write failed");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kLogRecordBytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  remove_and_settle(path);
}
BENCHMARK(BM_RawWrite)->UseRealTime();

void BM_LogAppendNever(benchmark::State& state) {
  vkv::bench::run_log_never(state, Env::posix(), bench_file("never.log"));
}
BENCHMARK(BM_LogAppendNever)->UseRealTime();

void BM_RawWriteFdatasync(benchmark::State& state) {
  const std::string path = bench_file("raw-sync.dat");
  vkv::UniqueFd fd = open_truncated(path);
  const std::string& bytes = encoded_record();
  for (auto _ : state) {
    if (::write(fd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()) ||
        ::fdatasync(fd.get()) != 0) {
      state.SkipWithError("write or fdatasync failed");
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  std::filesystem::remove(path);
}
BENCHMARK(BM_RawWriteFdatasync)->UseRealTime()->MinTime(2.0);

void BM_LogAppendAlways(benchmark::State& state) {
  vkv::bench::run_log_always(state, Env::posix(), bench_file("always.log"));
}
BENCHMARK(BM_LogAppendAlways)->Threads(1)->Threads(16)->UseRealTime()->MinTime(2.0);

// 1M SETs of 1M distinct keys (16 bytes) with 64-byte values, in a scattered order.
constexpr int kReplayRecords = 1'000'000;

const std::vector<std::pair<std::string, std::string>>& replay_records() {
  static const auto records = [] {
    std::vector<std::pair<std::string, std::string>> r;
    r.reserve(kReplayRecords);
    char key[32];
    for (unsigned i = 0; i < kReplayRecords; ++i) {
      std::snprintf(key, sizeof key, "key:%012u", i * 2654435761u);
      r.emplace_back(key, std::string(64, static_cast<char>('a' + i % 26)));
    }
    return r;
  }();
  return records;
}

const std::string& replay_log_path() {
  static const std::string path = [] {
    const std::string p = bench_file("replay.log");
    auto log = vkv::bench::open_bench_log(Env::posix(), p, SyncPolicy::kNever);
    for (const auto& [k, v] : replay_records()) {
      if (!log->write(LogRecord::set(k, v), kNoApply).is_ok()) std::abort();
    }
    return p;
  }();
  return path;
}

void BM_InsertDirect(benchmark::State& state) {
  const auto& records = replay_records();
  for (auto _ : state) {
    vkv::storage::MemoryStore store;
    for (const auto& [k, v] : records) {
      if (!store.set(k, v).is_ok()) std::abort();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kReplayRecords);
}
BENCHMARK(BM_InsertDirect)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Replay(benchmark::State& state) {
  const std::string& path = replay_log_path();
  for (auto _ : state) {
    vkv::storage::MemoryStore store;
    auto report = vkv::storage::replay_log(
        Env::posix(), path, [&store](const LogRecord& r) { return r.apply_to(store); });
    if (!report.is_ok() || report->records != kReplayRecords) {
      state.SkipWithError("replay failed");
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kReplayRecords);
}
BENCHMARK(BM_Replay)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

VKV_BENCHMARK_MAIN({
    {"log append, never, vs raw write()", "BM_LogAppendNever/real_time", "BM_RawWrite/real_time",
     "bytes_per_second", 0.5},
    {"1 writer, always, vs write()+fdatasync()",
     "BM_LogAppendAlways/min_time:2.000/real_time/threads:1",
     "BM_RawWriteFdatasync/min_time:2.000/real_time", "items_per_second", 0.8},
    {"16 writers vs 1 writer, always (acks/s)",
     "BM_LogAppendAlways/min_time:2.000/real_time/threads:16",
     "BM_LogAppendAlways/min_time:2.000/real_time/threads:1", "items_per_second", 8},
    {"replay 1M records vs direct inserts", "BM_Replay/iterations:3/real_time",
     "BM_InsertDirect/iterations:3/real_time", "items_per_second", 0.5},
})
