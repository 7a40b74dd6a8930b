#include "02-parsing/memory_store.hpp"

#include <mutex>

namespace vkv::storage {

Status MemoryStore::set(std::string_view key, std::string_view value) {
  std::unique_lock lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) {
    map_.emplace(key, value);
  } else {
    it->second.assign(value);
  }
  return Status::ok();
}

Status MemoryStore::get(std::string_view key, std::string* value) {
  std::shared_lock lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) return Status::not_found(std::string(key));
  value->assign(it->second);
  return Status::ok();
}

Status MemoryStore::del(std::string_view key) {
  std::unique_lock lock(mu_);
  auto it = map_.find(key);
  if (it != map_.end()) map_.erase(it);
  return Status::ok();
}

}  // namespace vkv::storage
