/// \file
/// WorkerPool: the threads that run the commands.
#pragma once

#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace vkv::runtime {

/// A fixed set of threads, each running the same loop until it returns.
///
/// The server's loop is "wait on the reactor, serve the connection it hands out, repeat":
/// the workers take ready connections straight from the epoll set, with no queue in between,
/// so a request costs no hand-off from one thread to another.
class WorkerPool {
 public:
  /// Starts `threads` threads (at least one), each running `loop(worker_index)`.
  WorkerPool(std::size_t threads, const std::function<void(std::size_t)>& loop);
  /// Joins every thread: the loops must have been told to return.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Waits for every loop to return.
  void join();
  /// How many threads there are.
  [[nodiscard]] std::size_t size() const { return threads_.size(); }

 private:
  std::vector<std::thread> threads_;
};

}  // namespace vkv::runtime
