#include "02-parsing/memory_store.hpp"
#include "02-parsing/tests/store_contract.hpp"

VKV_STORE_CONTRACT_TESTS("MemoryStore", "[ch02]", [] {
  return std::make_unique<vkv::testing::PlainStoreUnderTest<vkv::storage::MemoryStore>>();
})
