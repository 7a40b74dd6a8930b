#include "06-server/worker_pool.hpp"

#include <pthread.h>

#include <string>

namespace vkv::runtime {

WorkerPool::WorkerPool(std::size_t threads, const std::function<void(std::size_t)>& loop) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back(loop, i);
    // vkv-worker-0, -1, ...: as `top -H` shows them (at most 15 characters).
    const std::string name = "vkv-worker-" + std::to_string(i);
    pthread_setname_np(threads_.back().native_handle(), name.c_str());
  }
}

WorkerPool::~WorkerPool() { join(); }

void WorkerPool::join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace vkv::runtime
