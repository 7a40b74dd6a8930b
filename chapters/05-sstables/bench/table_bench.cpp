// SSTable build throughput and point-lookup rate on a table of 1M entries (16-byte keys,
// 100-byte values), each against a baseline in the same run:
//   - building the table vs appending the same key and value bytes to a file, unformatted;
//   - Table::get vs a bare random 4 KiB read of the same file (what a lookup must cost at
//     least: it reads one block). Both read through the page cache, so this measures the
//     format's CPU cost (index search, checksum, block seek), not the disk.
// It also reports the file's size over the raw key and value bytes (the chapter's limit:
// 1.15).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/env.hpp"
#include "common/benchmarking/ratio_main.hpp"
#include "05-sstables/table.hpp"
#include "05-sstables/table_builder.hpp"

namespace {

using vkv::Env;
using vkv::storage::EntryKind;
using vkv::storage::Table;
using vkv::storage::TableBuilder;

constexpr std::size_t kEntries = 1'000'000;
constexpr std::size_t kKeySize = 16;
constexpr std::size_t kValueSize = 100;
constexpr std::size_t kRawBytes = kEntries * (kKeySize + kValueSize);

// Key i: "user:" and 11 digits, spread out so neighbours differ in more than the last digit.
std::string key_for(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "user:%011zu", i * 7919);
  return std::string(buf, kKeySize);
}

// A scratch directory with the benchmark's files, removed at exit.
class Workspace {
 public:
  Workspace() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vkv-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
    std::mt19937_64 rng(42);
    values_.resize(kValueSize * 1024);
    for (auto& c : values_) c = static_cast<char>(rng());
  }
  ~Workspace() { std::filesystem::remove_all(dir_); }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  std::string path(const char* name) const { return (dir_ / name).string(); }
  // Entry i's value: one of 1024 random 100-byte strings.
  std::string_view value_for(std::size_t i) const {
    return std::string_view(values_).substr((i % 1024) * kValueSize, kValueSize);
  }

 private:
  std::filesystem::path dir_;
  std::string values_;
};

Workspace& workspace() {
  static Workspace w;
  return w;
}

std::uint64_t build_table(const std::string& path) {
  auto file = Env::posix().new_writable_file(path);
  if (!file.is_ok()) std::abort();
  TableBuilder builder(**file);
  for (std::size_t i = 0; i < kEntries; ++i) {
    if (!builder.add(key_for(i), workspace().value_for(i), EntryKind::kValue).is_ok()) {
      std::abort();
    }
  }
  if (!builder.finish().is_ok() || !(*file)->close().is_ok()) std::abort();
  return builder.file_size();
}

void BM_RawWrite(benchmark::State& state) {
  for (auto _ : state) {
    auto file = Env::posix().new_writable_file(workspace().path("raw"));
    if (!file.is_ok()) std::abort();
    std::string chunk;
    for (std::size_t i = 0; i < kEntries; ++i) {
      chunk += key_for(i);
      chunk += workspace().value_for(i);
      if (chunk.size() >= 4096) {
        if (!(*file)->append(chunk).is_ok()) std::abort();
        chunk.clear();
      }
    }
    if (!(*file)->append(chunk).is_ok() || !(*file)->close().is_ok()) std::abort();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kRawBytes));
}
BENCHMARK(BM_RawWrite)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_TableBuild(benchmark::State& state) {
  std::uint64_t size = 0;
  for (auto _ : state) size = build_table(workspace().path("build.sst"));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kRawBytes));
  state.counters["size_ratio"] = static_cast<double>(size) / kRawBytes;
  state.counters["bytes_per_entry"] = static_cast<double>(size) / kEntries;
}
BENCHMARK(BM_TableBuild)->Unit(benchmark::kMillisecond)->Iterations(3);

// The table the lookups use, built once.
const Table& lookup_table() {
  static const std::unique_ptr<Table> table = [] {
    const std::string path = workspace().path("lookup.sst");
    build_table(path);
    auto file = Env::posix().new_random_access_file(path);
    if (!file.is_ok()) std::abort();
    auto t = Table::open(std::move(*file), "lookup.sst");
    if (!t.is_ok()) std::abort();
    return std::move(*t);
  }();
  return *table;
}

void BM_RandomBlockRead(benchmark::State& state) {
  (void)lookup_table();
  auto file = Env::posix().new_random_access_file(workspace().path("lookup.sst"));
  if (!file.is_ok()) std::abort();
  const std::uint64_t blocks = (*file)->size() / 4096 - 1;
  std::mt19937_64 rng(1);
  std::string out;
  for (auto _ : state) {
    if (!(*file)->read((rng() % blocks) * 4096, 4096, &out).is_ok()) std::abort();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_RandomBlockRead);

void BM_TableGet(benchmark::State& state) {
  const Table& table = lookup_table();
  std::mt19937_64 rng(1);
  std::string value;
  EntryKind kind;
  for (auto _ : state) {
    if (!table.get(key_for(rng() % kEntries), &value, &kind).is_ok()) std::abort();
    benchmark::DoNotOptimize(value.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_TableGet);

void BM_TableGetAbsent(benchmark::State& state) {
  const Table& table = lookup_table();
  std::mt19937_64 rng(2);
  std::string value;
  EntryKind kind;
  for (auto _ : state) {
    // Never a key: keys are multiples of 7919, and this adds 1 to one (or ends in ':').
    std::string key = key_for(rng() % kEntries);
    key.back() = static_cast<char>(key.back() + 1);
    if (!table.get(key, &value, &kind).is_not_found()) std::abort();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_TableGetAbsent);

}  // namespace

VKV_BENCHMARK_MAIN({
    {"table build vs raw write (bytes/s)", "BM_TableBuild/iterations:3",
     "BM_RawWrite/iterations:3", "bytes_per_second", 0},
    {"table get vs random 4 KiB pread (ops/s)", "BM_TableGet", "BM_RandomBlockRead",
     "items_per_second", 0},
})
