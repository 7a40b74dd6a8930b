#include "09-resp/key_locks.hpp"

#include <algorithm>
#include <functional>

namespace vkv::engine {

std::size_t KeyLocks::stripe_of(std::string_view key) {
  return std::hash<std::string_view>{}(key) % kKeyLockStripes;
}

std::unique_lock<std::mutex> KeyLocks::lock(std::string_view key) {
  return std::unique_lock<std::mutex>(stripes_[stripe_of(key)]);
}

std::vector<std::unique_lock<std::mutex>> KeyLocks::lock_all(std::span<const std::string> keys) {
  std::vector<std::size_t> stripes;
  stripes.reserve(keys.size());
  for (const std::string& key : keys) stripes.push_back(stripe_of(key));
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  std::vector<std::unique_lock<std::mutex>> held;
  held.reserve(stripes.size());
  for (const std::size_t stripe : stripes) held.emplace_back(stripes_[stripe]);
  return held;
}

}  // namespace vkv::engine
