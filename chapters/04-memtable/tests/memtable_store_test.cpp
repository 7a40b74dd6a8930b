// MemtableStore passes the same Store contract as every other store.
#include <memory>

#include "04-memtable/memtable_store.hpp"
#include "02-parsing/tests/store_contract.hpp"

VKV_STORE_CONTRACT_TESTS("MemtableStore", "[ch04]", [] {
  return std::make_unique<vkv::testing::PlainStoreUnderTest<vkv::storage::MemtableStore>>();
})
