#include "06-server/background_flusher.hpp"

#include <pthread.h>

namespace vkv::storage {

BackgroundFlusher::BackgroundFlusher() : thread_([this] { loop(); }) {
  pthread_setname_np(thread_.native_handle(), "vkv-flush");  // as `top -H` shows it
}

BackgroundFlusher::~BackgroundFlusher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void BackgroundFlusher::run(std::function<void()> work) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(work));
  }
  wake_.notify_one();
}

std::uint64_t BackgroundFlusher::completed() const {
  std::lock_guard lock(mu_);
  return completed_;
}

// LEARNER: begin BackgroundFlusher::loop(): sleep until there is work or a stop; run each job without the lock
//! [flusher-loop]
void BackgroundFlusher::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to run
    std::function<void()> work = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();  // the work takes as long as a table takes to write; run() goes on
    work();
    lock.lock();
    ++completed_;
  }
}
//! [flusher-loop]
// LEARNER: end

}  // namespace vkv::storage
