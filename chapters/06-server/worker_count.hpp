/// \file
/// worker_count: how many workers a `--workers` value means.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>

namespace vkv::net {

/// `requested` itself, or for 0 one worker per core (at least one, where the core count is
/// unknown).
inline std::size_t worker_count(std::size_t requested) {
  if (requested != 0) return requested;
  return std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

}  // namespace vkv::net
