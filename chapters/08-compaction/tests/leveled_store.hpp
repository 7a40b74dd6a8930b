// What chapter 8's tests share: levels small enough that a test's few hundred kilobytes
// reach several of them, and an LsmStore opened with them.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "05-sstables/lsm_store.hpp"
#include "08-compaction/version_set.hpp"

namespace vkv::testing {

/// Level 0 compacted at 2 tables, slowed at 4, stopped at 6; level 1 of 64 KiB, each level
/// 4 times the one above; output tables of 16 KiB.
inline storage::LevelOptions tiny_levels(bool background = true) {
  storage::LevelOptions o;
  o.l0_compaction_trigger = 2;
  o.l0_slowdown_trigger = 4;
  o.l0_stop_trigger = 6;
  o.level1_bytes = 64 << 10;
  o.level_size_multiplier = 4;
  o.table_bytes = 16 << 10;
  o.background = background;
  return o;
}

/// An LsmStore in `dir` with the smallest memtable and a VersionSet of `levels`; `*set`
/// (when given) gets the set, which lives as long as the store.
struct LeveledStore {
  std::unique_ptr<storage::LsmStore> store;
  storage::VersionSet* set = nullptr;
};

inline storage::LsmStoreOptions leveled_options(const std::string& dir,
                                                const storage::LevelOptions& levels,
                                                storage::VersionSet** set,
                                                storage::SyncPolicy sync = storage::SyncPolicy::kNever) {
  storage::LsmStoreOptions o;
  o.durable.dir = dir;
  o.durable.sync = sync;
  o.memtable_bytes = storage::kMinMemtableBytes;
  o.table_set = [levels, set](const storage::TableSetContext& context) {
    auto made = std::make_unique<storage::VersionSet>(context, levels);
    if (set != nullptr) *set = made.get();
    return std::unique_ptr<storage::TableSet>(std::move(made));
  };
  return o;
}

inline LeveledStore open_leveled(const std::string& dir,
                                 const storage::LevelOptions& levels = tiny_levels(),
                                 Env& env = Env::posix()) {
  LeveledStore s;
  auto store = storage::LsmStore::open(env, leveled_options(dir, levels, &s.set));
  INFO(store.status().to_string());
  REQUIRE(store.is_ok());
  s.store = std::move(store).value();
  return s;
}

/// Key number `k` of a test: "key100000" on, so that the keys sort as their numbers do.
inline std::string key_for(int k) { return "key" + std::to_string(100000 + k); }

/// The table files (.sst) in `dir`.
inline std::size_t table_files(const std::string& dir) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.path().extension() == ".sst";
  return n;
}

/// Every level below 0 is sorted and does not overlap itself; level 0 is below its stop.
inline void check_level_shape(const storage::Version& v) {
  for (int level = 1; level < storage::kLevels; ++level) {
    const auto& tables = v.level(level);
    for (std::size_t i = 0; i < tables.size(); ++i) {
      CHECK(tables[i]->smallest() <= tables[i]->largest());
      if (i > 0) CHECK(tables[i - 1]->largest() < tables[i]->smallest());
    }
  }
}

/// The bytes of the .sst files in `dir`.
inline std::uint64_t table_bytes_on_disk(const std::string& dir) {
  std::uint64_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".sst") bytes += e.file_size();
  }
  return bytes;
}

/// The value of `key` in `s`, or "<absent>"; any other failure fails the test.
inline std::string get_or_absent(storage::LsmStore& s, const std::string& key) {
  std::string value;
  const Status st = s.get(key, &value);
  if (st.is_not_found()) return "<absent>";
  INFO(st.to_string());
  REQUIRE(st.is_ok());
  return value;
}

}  // namespace vkv::testing
