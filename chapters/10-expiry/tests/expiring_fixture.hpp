// What chapter 10's tests share: chapter 8's store (small levels) in a temporary directory,
// its scanner, a manual clock and an ExpiringStore on top, reopened at will (a restart);
// its compactions drop expired values, as the server's do, when asked.
#pragma once

#include <catch2/catch.hpp>

#include <memory>

#include "02-parsing/tests/store_contract.hpp"
#include "08-compaction/lsm_scanner.hpp"
#include "08-compaction/tests/leveled_store.hpp"
#include "08-compaction/tests/scan_contract.hpp"
#include "10-expiry/expiring_store.hpp"
#include "10-expiry/expiring_value.hpp"
#include "common/env.hpp"
#include "common/testing/test_util.hpp"

namespace vkv::testing {

/// Whether an ExpiringFixture's compactions drop the values whose deadlines have passed (by
/// its clock), as the server's do.
enum class DropExpired { kNo, kYes };

/// An ExpiringStore over chapter 8's store in a temporary directory, reading `clock`; the
/// store's files go through `env` (a FaultInjectionEnv, to make it fail).
class ExpiringFixture final : public ScanStoreUnderTest, public StoreUnderTest {
 public:
  explicit ExpiringFixture(Env& env = Env::posix(), DropExpired drop = DropExpired::kNo)
      : env_(env), drop_(drop) {
    open();
  }
  /// Closes and reopens the store, as a restart does: the index starts empty.
  void open() {
    expiring_.reset();
    scanner_.reset();
    s_ = {};
    storage::LevelOptions levels = tiny_levels();
    if (drop_ == DropExpired::kYes) levels.dead_value = storage::expired_values(clock);
    s_ = open_leveled(dir_.file("data"), levels, env_);
    scanner_ = std::make_unique<storage::LsmScanner>(*s_.store);
    expiring_ = std::make_unique<storage::ExpiringStore>(*s_.store, *scanner_, clock);
  }
  storage::Store& store() override { return *expiring_; }
  storage::OrderedStore& ordered() override { return *expiring_; }
  void flush() override { REQUIRE(s_.store->flush().is_ok()); }
  storage::ExpiringStore& x() { return *expiring_; }
  storage::LsmStore& lsm() { return *s_.store; }
  storage::VersionSet& levels() { return *s_.set; }

  storage::ManualClock clock;

 private:
  Env& env_;
  DropExpired drop_;
  TempDir dir_;
  LeveledStore s_;
  std::unique_ptr<storage::LsmScanner> scanner_;
  std::unique_ptr<storage::ExpiringStore> expiring_;
};

}  // namespace vkv::testing
