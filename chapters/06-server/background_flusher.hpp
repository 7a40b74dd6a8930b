/// \file
/// BackgroundFlusher: one thread that writes the store's full memtables out, off the workers.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "05-sstables/lsm_store.hpp"

namespace vkv::storage {

/// A thread that runs, one after the other, the work handed to it: the LsmStore's flushes
/// (LsmStoreOptions::flush_runner).
///
/// Why: chapter 5 writes a full memtable out in the thread of the write that filled it. In
/// the server that thread is a worker, and a worker is a reactor with hundreds of
/// connections: all of them would wait for the table to be written (about 6 ms for 4 MiB,
/// far more for a large memtable). With the flusher, that write only sets the memtable aside
/// and starts a new log (microseconds); the flusher writes the table while the workers go
/// on. Writers wait only if the next memtable fills before the last one is written out.
///
/// Thread-safe. The destructor runs whatever is still queued, then joins the thread.
/// REQUIRES: it outlives every store it runs for (declare it before the store), since a
/// store's destructor waits for its flush to finish.
class BackgroundFlusher {
 public:
  /// Starts the thread.
  BackgroundFlusher();
  /// Runs what is queued, then stops the thread.
  ~BackgroundFlusher();
  BackgroundFlusher(const BackgroundFlusher&) = delete;
  BackgroundFlusher& operator=(const BackgroundFlusher&) = delete;

  /// Queues `work`, to run on the flusher's thread after everything queued before it.
  void run(std::function<void()> work);
  /// A FlushRunner that queues on this flusher.
  FlushRunner runner() {
    return [this](std::function<void()> work) { run(std::move(work)); };
  }
  /// How many pieces of work have finished.
  [[nodiscard]] std::uint64_t completed() const;

 private:
  void loop();

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::uint64_t completed_ = 0;              // guarded by mu_
  std::thread thread_;                       // last: started once the rest exists
};

}  // namespace vkv::storage
