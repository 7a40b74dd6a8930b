#include "04-memtable/memtable_store.hpp"

namespace vkv::storage {

MemtableStore::MemtableStore(std::size_t shards) : table_(shards) {}

Status MemtableStore::set(std::string_view key, std::string_view value) {
  table_.set(key, value);
  return Status::ok();
}

Status MemtableStore::get(std::string_view key, std::string* value) {
  if (table_.lookup(key, value) == LookupResult::kFound) return Status::ok();
  return Status::not_found(std::string(key));
}

Status MemtableStore::del(std::string_view key) {
  table_.del(key);
  return Status::ok();
}

}  // namespace vkv::storage
