// Chapter 8's crash points, with deadlines: the crash workload written through an
// ExpiringStore, a third of its values with a deadline to come, a third with one already
// past, over levels compacted inline with the dead-value filter. At every mutating
// operation in turn (each write, sync, rename and delete of the log, the flushes and the
// compactions), a crash, then recovery: every acknowledged value is back with its deadline,
// and no expired or deleted key comes back.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "05-sstables/tests/lsm_crash.hpp"
#include "08-compaction/lsm_scanner.hpp"
#include "08-compaction/tests/leveled_store.hpp"
#include "10-expiry/expiring_store.hpp"

using vkv::Env;
using vkv::Status;
using vkv::storage::ExpiringStore;
using vkv::storage::LsmStore;
using vkv::storage::LsmStoreOptions;
using vkv::storage::ManualClock;
using vkv::storage::SyncPolicy;
using vkv::storage::UnixMillis;
using vkv::testing::CrashDriver;
using vkv::testing::CrashOp;
using vkv::testing::CrashRun;

namespace {

namespace lc = vkv::testing::lsm_crash;

const ManualClock kClock;  // stands still: the same "now" when written and when checked

// The deadline the workload gives value "v<i>...": none for a third of them, one to come for
// a third, one already past for the rest (the key reads as absent at once).
std::optional<UnixMillis> deadline_for(const std::string& value) {
  const int i = std::stoi(value.substr(1));
  if (i % 3 == 0) return std::nullopt;
  return i % 3 == 1 ? kClock.now() + 100'000 + i : kClock.now() - 1;
}

// The workload's SETs as puts with their deadlines.
class PutWithDeadlines final : public vkv::storage::Store {
 public:
  explicit PutWithDeadlines(ExpiringStore& store) : store_(store) {}
  Status set(std::string_view key, std::string_view value) override {
    return store_.put(key, value, deadline_for(std::string(value)));
  }
  Status get(std::string_view key, std::string* value) override { return store_.get(key, value); }
  Status del(std::string_view key) override { return store_.del(key); }

 private:
  ExpiringStore& store_;
};

// Levels compacted inline (every file operation comes in a fixed order), dropping expired
// values.
void leveled(LsmStoreOptions& o) {
  auto levels = vkv::testing::tiny_levels(/*background=*/false);
  levels.dead_value = vkv::storage::expired_values(kClock);
  o.table_set = vkv::storage::VersionSet::factory(levels);
}

// What a reader must see after the first `n` writes: each key's value and deadline, without
// the keys whose deadline has passed.
std::map<std::string, std::pair<std::string, std::optional<UnixMillis>>> model(
    const std::vector<CrashOp>& ops, std::size_t n) {
  std::map<std::string, std::pair<std::string, std::optional<UnixMillis>>> m;
  for (const auto& [key, value] : vkv::testing::state_after(ops, n)) {
    const auto deadline = deadline_for(value);
    if (!deadline || *deadline > kClock.now()) m[key] = {value, deadline};
  }
  return m;
}

CrashDriver expiring_driver() {
  const auto ops = lc::workload();
  return CrashDriver(
      {ops,
       [ops](Env& env, const std::string& dir, SyncPolicy sync) {
         auto lsm = LsmStore::open(env, lc::options_for(dir, sync, leveled));
         if (!lsm.is_ok()) return CrashRun{};
         vkv::storage::LsmScanner scanner(**lsm);
         ExpiringStore expiring(**lsm, scanner, kClock);
         PutWithDeadlines store(expiring);
         return vkv::testing::write_workload(store, ops);
       },
       [ops](const std::string& dir, const CrashRun& run) {
         auto lsm = LsmStore::open(Env::posix(), lc::options_for(dir, SyncPolicy::kAlways, leveled));
         INFO(lsm.status().to_string());
         REQUIRE(lsm.is_ok());
         vkv::storage::LsmScanner scanner(**lsm);
         ExpiringStore expiring(**lsm, scanner, kClock);
         std::map<std::string, std::pair<std::string, std::optional<UnixMillis>>> seen;
         for (int k = 0; k < lc::kKeys; ++k) {
           const std::string key = "k" + std::to_string(k);
           std::string value;
           std::optional<UnixMillis> deadline;
           const Status s = expiring.read(key, &value, &deadline);
           INFO(key << ": " << s.to_string());
           REQUIRE((s.is_ok() || s.is_not_found()));
           if (s.is_ok()) seen[key] = {value, deadline};
         }
         INFO("acked " << run.acked);
         const bool as_acked = seen == model(ops, run.acked);
         const bool with_failed = run.acked < ops.size() && seen == model(ops, run.acked + 1);
         REQUIRE((as_acked || with_failed));
       }});
}

}  // namespace

TEST_CASE("expiry crash: at every mutating operation, acknowledged deadlines come back and "
          "expired keys stay gone",
          "[ch10][crash]") {
  CrashDriver driver = expiring_driver();
  const std::uint64_t total_ops = driver.count_mutating_ops();
  driver.crash_at_every_op(total_ops, [](std::uint64_t k) {
    std::vector<std::uint64_t> keeps{0};
    if (k % 4 == 0) keeps.push_back(CrashDriver::kKeepAll);
    return keeps;
  });
}

TEST_CASE("expiry crash: a process crash loses no deadline, under every policy",
          "[ch10][crash]") {
  expiring_driver().crash_process_under_every_policy();
}

TEST_CASE("expiry crash: the workload's compactions meet expired values", "[ch10][crash]") {
  vkv::testing::TempDir tmp;
  vkv::storage::VersionSet* set = nullptr;
  auto levels = vkv::testing::tiny_levels(/*background=*/false);
  levels.dead_value = vkv::storage::expired_values(kClock);
  auto lsm = LsmStore::open(Env::posix(), vkv::testing::leveled_options(tmp.file("data"), levels,
                                                                        &set, SyncPolicy::kNever));
  REQUIRE(lsm.is_ok());
  vkv::storage::LsmScanner scanner(**lsm);
  ExpiringStore expiring(**lsm, scanner, kClock);
  PutWithDeadlines store(expiring);
  const auto run = vkv::testing::write_workload(store, lc::workload());
  CHECK(run.acked == lc::workload().size());
  CHECK(set->stats().dead_values > 0);
}
