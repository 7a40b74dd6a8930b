#include "04-memtable/memtable_store.hpp"

namespace vkv::storage {

MemtableStore::MemtableStore(std::size_t shards, const MemtableShardFactory& make_shard)
    : table_(shards, make_shard) {}

Status MemtableStore::set(std::string_view key, std::string_view value) {
  table_.set(key, value);
  return Status::ok();
}

Status MemtableStore::get(std::string_view key, std::string* value) {
  if (table_.lookup(key, value) == EntryKind::kValue) return Status::ok();
  return Status::not_found(std::string(key));
}

Status MemtableStore::del(std::string_view key) {
  table_.del(key);
  return Status::ok();
}

}  // namespace vkv::storage
