/// \file
/// MemoryStore: the simplest Store, a sorted map behind a lock.
#pragma once

#include <map>
#include <shared_mutex>
#include <string>

#include "02-parsing/store.hpp"

namespace vkv::storage {

/// A Store that keeps everything in memory and forgets it all when the process ends.
///
/// One std::map under one reader-writer lock: GETs run side by side, a SET or DEL runs alone.
/// Chapter 4 replaces this with a sharded memtable, where writers to different shards do not
/// wait for each other.
class MemoryStore : public Store {
 public:
  Status set(std::string_view key, std::string_view value) override;
  Status get(std::string_view key, std::string* value) override;
  Status del(std::string_view key) override;

 private:
  std::shared_mutex mu_;
  std::map<std::string, std::string, std::less<>> map_;  // guarded by mu_
};

}  // namespace vkv::storage
