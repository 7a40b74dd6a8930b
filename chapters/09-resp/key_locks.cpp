#include "09-resp/key_locks.hpp"

#include <functional>

namespace vkv::engine {

std::unique_lock<std::mutex> KeyLocks::lock(std::string_view key) {
  const std::size_t stripe = std::hash<std::string_view>{}(key) % kKeyLockStripes;
  return std::unique_lock<std::mutex>(stripes_[stripe]);
}

}  // namespace vkv::engine
