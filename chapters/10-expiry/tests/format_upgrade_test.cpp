// prepare_expiry_dir: a new directory is marked; a chapter 9 directory (raw values in
// chapter 8's levels) is upgraded by copy, every live key wrapped with no deadline, the old
// files kept aside; an upgrade cut at any file operation (process crash or power loss) and
// each interrupted state left on disk end in a correct store; an earlier backup, a damaged
// table and a busy directory stop it with a clear error and the old directory intact.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "03-wal/tests/sync_free_env.hpp"
#include "08-compaction/lsm_scanner.hpp"
#include "08-compaction/tests/leveled_store.hpp"
#include "10-expiry/expiring_store.hpp"
#include "10-expiry/format_upgrade.hpp"
#include "common/fault_injection_env.hpp"
#include "common/testing/test_util.hpp"

namespace fs = std::filesystem;
using vkv::Env;
using vkv::FaultInjectionEnv;
using vkv::Status;
using vkv::storage::prepare_expiry_dir;
using vkv::testing::TempDir;

namespace {

using Keys = std::map<std::string, std::string>;  // live key -> value

// The real files without fdatasync: the FaultInjectionEnv above it keeps the crash model, and
// real syncs would only cost time (the crash test runs hundreds of upgrades).
Env& files() {
  static vkv::testing::SyncFreeEnv env;
  return env;
}

// What chapter 10's server passes: the directory and the smallest memtable.
vkv::storage::LsmStoreOptions options_for(const std::string& dir) {
  vkv::storage::LsmStoreOptions o;
  o.durable.dir = dir;
  o.memtable_bytes = vkv::storage::kMinMemtableBytes;
  return o;
}

std::string key_of(int i) {
  char k[16];
  std::snprintf(k, sizeof k, "key%05d", i);
  return k;
}

// Writes a chapter 9 directory in `dir`: raw values through chapter 8's store with small
// levels; overwrites, deletes, tables in several levels, and a tail only in the log.
// Returns the live keys.
Keys write_chapter9_dir(const std::string& dir) {
  Keys live;
  auto s = vkv::testing::open_leveled(dir, vkv::testing::tiny_levels(/*background=*/false),
                                      files());
  const std::string pad(100, 'x');
  for (int i = 0; i < 4000; ++i) {
    live[key_of(i)] = "v" + std::to_string(i) + pad;
    REQUIRE(s.store->set(key_of(i), live[key_of(i)]).is_ok());
  }
  for (int i = 0; i < 4000; i += 3) {
    live[key_of(i)] = "new" + std::to_string(i);
    REQUIRE(s.store->set(key_of(i), live[key_of(i)]).is_ok());
  }
  for (int i = 0; i < 4000; i += 7) {
    live.erase(key_of(i));
    REQUIRE(s.store->del(key_of(i)).is_ok());
  }
  REQUIRE(s.store->flush().is_ok());
  // The tail: in the log and the memtable only, a deletion among it.
  for (int i = 4000; i < 4050; ++i) {
    live[key_of(i)] = "tail" + std::to_string(i);
    REQUIRE(s.store->set(key_of(i), live[key_of(i)]).is_ok());
  }
  live.erase(key_of(1));
  REQUIRE(s.store->del(key_of(1)).is_ok());

  int levels_used = 0;
  for (int level = 0; level < vkv::storage::kLevels; ++level) {
    levels_used += !s.set->version()->level(level).empty();
  }
  REQUIRE(levels_used >= 2);
  REQUIRE(s.store->stats().memtable_entries > 0);
  REQUIRE(s.store->sync().is_ok());
  return live;
}

// The same chapter 9 directory for every test: written once, copied.
const Keys& chapter9_template(std::string* path) {
  static TempDir dir;
  static const Keys live = write_chapter9_dir(dir.file("data"));
  *path = dir.file("data");
  return live;
}

Keys copy_chapter9_dir(const std::string& to) {
  std::string from;
  const Keys& live = chapter9_template(&from);
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
  return live;
}

std::string format_of(const std::string& dir) {
  return vkv::testing::read_whole_file(dir + "/FORMAT");
}

// Reads `dir` through chapter 10's ExpiringStore: exactly `live`, each without a deadline.
void check_upgraded(const std::string& dir, const Keys& live) {
  CHECK(format_of(dir) == vkv::storage::kExpiryFormat);
  auto s = vkv::testing::open_leveled(dir, vkv::testing::tiny_levels(), files());
  vkv::storage::LsmScanner scanner(*s.store);
  vkv::storage::ManualClock clock;
  vkv::storage::ExpiringStore store(*s.store, scanner, clock);
  Keys seen;
  std::optional<std::string> from = std::string();
  while (from) {
    vkv::storage::ScanPage page;
    REQUIRE(store.scan(*from, std::nullopt, 500, &page).is_ok());
    for (auto& e : page.entries) seen[e.key] = e.value;
    from = page.next;
  }
  CHECK(seen == live);
  for (int i : {0, 1, 7, 14, 4049}) {  // each read back with its deadline, or absent
    std::string value;
    std::optional<vkv::storage::UnixMillis> deadline = 1;
    const Status st = store.read(key_of(i), &value, &deadline);
    if (live.count(key_of(i)) != 0) {
      REQUIRE(st.is_ok());
      CHECK(value == live.at(key_of(i)));
      CHECK_FALSE(deadline.has_value());
    } else {
      CHECK(st.is_not_found());
    }
  }
}

bool contains(const std::vector<std::string>& notes, const std::string& part) {
  for (const auto& n : notes) {
    if (n.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("upgrade: a new or empty data directory gets the format marker", "[ch10][upgrade]") {
  TempDir root;
  std::vector<std::string> notes;
  SECTION("missing: created") {
    REQUIRE(prepare_expiry_dir(files(), options_for(root.file("data/")), &notes).is_ok());
  }
  SECTION("empty but for a lock file") {
    fs::create_directory(root.file("data"));
    vkv::testing::write_whole_file(root.file("data/LOCK"), "");
    REQUIRE(prepare_expiry_dir(files(), options_for(root.file("data")), &notes).is_ok());
  }
  CHECK(format_of(root.file("data")) == vkv::storage::kExpiryFormat);
  CHECK(notes.empty());
  // Marked: the next call does nothing, and chapter 10's store opens on it.
  REQUIRE(prepare_expiry_dir(files(), options_for(root.file("data")), &notes).is_ok());
  CHECK(notes.empty());
  check_upgraded(root.file("data"), {});
  CHECK_FALSE(fs::exists(root.file("data.chapter9")));
}

TEST_CASE("upgrade: a marker of an unknown format is refused", "[ch10][upgrade]") {
  TempDir root;
  fs::create_directory(root.file("data"));
  vkv::testing::write_whole_file(root.file("data/FORMAT"), "vkv values, format 9\n");
  const Status s = prepare_expiry_dir(files(), options_for(root.file("data")), nullptr);
  CHECK_FALSE(s.is_ok());
  CHECK_THAT(s.message(), Catch::Contains("format 9") && Catch::Contains("does not know"));
}

TEST_CASE("upgrade: a chapter 9 directory is upgraded by copy, its files kept aside",
          "[ch10][upgrade]") {
  TempDir root;
  const std::string dir = root.file("data");
  const Keys live = copy_chapter9_dir(dir);
  std::vector<std::string> notes;
  const Status s = prepare_expiry_dir(files(), options_for(dir + "/"), &notes);
  INFO(s.to_string());
  REQUIRE(s.is_ok());
  REQUIRE(notes.size() == 1);
  CHECK_THAT(notes[0], Catch::Contains("upgraded " + std::to_string(live.size()) + " keys") &&
                           Catch::Contains(dir + ".chapter9") && Catch::Contains("delete it"));
  check_upgraded(dir, live);
  CHECK_FALSE(fs::exists(dir + ".upgrading"));

  // The backup is chapter 9's store as it was: raw values, no marker.
  CHECK_FALSE(fs::exists(dir + ".chapter9/FORMAT"));
  {
    auto old = vkv::testing::open_leveled(dir + ".chapter9");
    for (const auto& [k, v] : live) {
      std::string value;
      REQUIRE(old.store->get(k, &value).is_ok());
      REQUIRE(value == v);
    }
  }

  // A second start has nothing to do.
  notes.clear();
  REQUIRE(prepare_expiry_dir(files(), options_for(dir), &notes).is_ok());
  CHECK(notes.empty());
  check_upgraded(dir, live);
}

TEST_CASE("upgrade: cut at any file operation, the next start ends in a correct store",
          "[ch10][upgrade]") {
  TempDir root;
  const std::string dir = root.file("data");
  // Count the operations of one whole upgrade.
  std::uint64_t total = 0;
  {
    const Keys live = copy_chapter9_dir(dir);
    FaultInjectionEnv env(files());
    REQUIRE(prepare_expiry_dir(env, options_for(dir), nullptr).is_ok());
    total = env.mutating_ops();
    check_upgraded(dir, live);
  }
  REQUIRE(total > 50);
  // Every one of the first and last operations (opening the stores; the last flush, the
  // marker and the swap), and a sample of the copy between them.
  std::vector<std::uint64_t> cuts;
  for (std::uint64_t n = 0; n < total; ++n) {
    if (n < 20 || n + 30 >= total || n % (total / 10) == 0) cuts.push_back(n);
  }
  std::size_t finished = 0;  // recoveries that finished a swap
  std::size_t restarted = 0;  // recoveries that threw an unfinished copy away
  for (const bool power_loss : {false, true}) {
    for (const std::uint64_t n : cuts) {
      INFO("cut at operation " << n << " of " << total << (power_loss ? ", power loss" : ""));
      fs::remove_all(dir + ".chapter9");
      fs::remove_all(dir + ".upgrading");
      const Keys live = copy_chapter9_dir(dir);
      {
        FaultInjectionEnv env(files());
        env.fail_after(n);
        CHECK_FALSE(prepare_expiry_dir(env, options_for(dir), nullptr).is_ok());
        if (power_loss) REQUIRE(env.crash().is_ok());
      }
      std::vector<std::string> notes;
      const Status s = prepare_expiry_dir(files(), options_for(dir), &notes);
      INFO(s.to_string());
      REQUIRE(s.is_ok());
      check_upgraded(dir, live);
      CHECK_FALSE(fs::exists(dir + ".upgrading"));
      CHECK(fs::exists(dir + ".chapter9/MANIFEST"));
      finished += contains(notes, "finished an interrupted upgrade");
      restarted += contains(notes, "removed an unfinished upgrade");
    }
  }
  // The cuts reached both kinds of interrupted state (a failed copy is removed at once,
  // unless the removal fails too: cut with every later operation failing, it does).
  CHECK(finished > 0);
  CHECK(restarted > 0);
}

TEST_CASE("upgrade: each interrupted state left on disk is recovered", "[ch10][upgrade]") {
  TempDir root;
  const std::string dir = root.file("data");
  const Keys live = copy_chapter9_dir(dir);
  std::vector<std::string> notes;

  SECTION("an unfinished copy beside the chapter 9 directory: removed, started again") {
    fs::create_directory(dir + ".upgrading");
    vkv::testing::write_whole_file(dir + ".upgrading/000003.sst", "half a table");
    REQUIRE(prepare_expiry_dir(files(), options_for(dir), &notes).is_ok());
    CHECK(contains(notes, "removed an unfinished upgrade"));
    check_upgraded(dir, live);
  }
  SECTION("the directory renamed away, the complete copy not yet in its place: finished") {
    REQUIRE(prepare_expiry_dir(files(), options_for(dir), nullptr).is_ok());
    fs::rename(dir, dir + ".upgrading");  // as between the two renames of the swap
    REQUIRE(prepare_expiry_dir(files(), options_for(dir), &notes).is_ok());
    CHECK(contains(notes, "finished an interrupted upgrade"));
    check_upgraded(dir, live);
    CHECK(fs::exists(dir + ".chapter9/MANIFEST"));
  }
  SECTION("no directory, an unfinished copy: removed, a new directory made") {
    fs::remove_all(dir);
    fs::create_directory(dir + ".upgrading");
    vkv::testing::write_whole_file(dir + ".upgrading/000001.log", "");
    REQUIRE(prepare_expiry_dir(files(), options_for(dir), &notes).is_ok());
    check_upgraded(dir, {});
  }
  CHECK_FALSE(fs::exists(dir + ".upgrading"));
}

TEST_CASE("upgrade: an earlier upgrade's backup is never overwritten", "[ch10][upgrade]") {
  TempDir root;
  const std::string dir = root.file("data");
  copy_chapter9_dir(dir);
  fs::create_directory(dir + ".chapter9");
  vkv::testing::write_whole_file(dir + ".chapter9/precious", "keep me");
  const Status s = prepare_expiry_dir(files(), options_for(dir), nullptr);
  CHECK_FALSE(s.is_ok());
  CHECK_THAT(s.message(), Catch::Contains(dir + ".chapter9") && Catch::Contains("move it away"));
  CHECK(vkv::testing::read_whole_file(dir + ".chapter9/precious") == "keep me");
  CHECK_FALSE(fs::exists(dir + "/FORMAT"));
  CHECK_FALSE(fs::exists(dir + ".upgrading"));
}

TEST_CASE("upgrade: a damaged chapter 9 store stops it, the old directory intact",
          "[ch10][upgrade]") {
  TempDir root;
  const std::string dir = root.file("data");
  copy_chapter9_dir(dir);
  // Damage the middle of every table.
  std::map<std::string, std::string> damaged;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".sst") continue;
    std::string bytes = vkv::testing::read_whole_file(e.path().string());
    for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 16; ++i) bytes[i] ^= 0x5a;
    vkv::testing::write_whole_file(e.path().string(), bytes);
    damaged[e.path().string()] = bytes;
  }
  REQUIRE_FALSE(damaged.empty());

  const Status s = prepare_expiry_dir(files(), options_for(dir), nullptr);
  INFO(s.to_string());
  CHECK(s.is_corruption());
  CHECK_THAT(s.message(), Catch::Contains("cannot upgrade " + dir) && Catch::Contains(".sst"));
  for (const auto& [path, bytes] : damaged) CHECK(vkv::testing::read_whole_file(path) == bytes);
  CHECK_FALSE(fs::exists(dir + "/FORMAT"));
  CHECK_FALSE(fs::exists(dir + ".upgrading"));
  CHECK_FALSE(fs::exists(dir + ".chapter9"));
}

TEST_CASE("upgrade: a chapter 9 directory held by a running server is left alone",
          "[ch10][upgrade]") {
  TempDir root;
  const std::string dir = root.file("data");
  copy_chapter9_dir(dir);
  auto running = vkv::testing::open_leveled(dir);
  const Status s = prepare_expiry_dir(files(), options_for(dir), nullptr);
  CHECK(s.code() == vkv::StatusCode::kBusy);
  CHECK_THAT(s.message(), Catch::Contains("cannot upgrade"));
  CHECK_FALSE(fs::exists(dir + ".upgrading"));
  CHECK_FALSE(fs::exists(dir + "/FORMAT"));
}
