/// \file
/// DurableStoreUnderTest: a DurableStore over any inner store, in its own temporary directory,
/// for the Store contract suite (chapter 3 runs it over MemoryStore, chapter 4 over
/// MemtableStore).
#pragma once

#include <memory>

#include "03-wal/durable_store.hpp"
#include "02-parsing/tests/store_contract.hpp"
#include "common/testing/test_util.hpp"

namespace vkv::testing {

/// A DurableStore over a fresh `Inner`, with the given sync policy, in a temporary directory.
template <typename Inner>
class DurableStoreUnderTest : public StoreUnderTest {
 public:
  /// Opens the store; fails the test if it cannot.
  explicit DurableStoreUnderTest(storage::SyncPolicy sync) {
    storage::DurableStoreOptions options;
    options.dir = dir_.file("data");
    options.sync = sync;
    auto store = storage::DurableStore::open(Env::posix(), options, std::make_unique<Inner>());
    INFO(store.status().to_string());
    REQUIRE(store.is_ok());
    store_ = std::move(store).value();
  }
  /// The durable store.
  storage::Store& store() override { return *store_; }

 private:
  TempDir dir_;
  std::unique_ptr<storage::DurableStore> store_;
};

}  // namespace vkv::testing
