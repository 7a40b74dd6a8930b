#include "11-metrics/periodic_task.hpp"

#include <pthread.h>

namespace vkv::runtime {

PeriodicTask::PeriodicTask(std::string name, std::chrono::milliseconds period,
                           std::function<void()> task)
    : name_(std::move(name)), period_(period), task_(std::move(task)) {}

void PeriodicTask::start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { loop(); });
  pthread_setname_np(thread_.native_handle(), name_.substr(0, 15).c_str());
}

void PeriodicTask::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicTask::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    task_();
    lock.lock();
    wake_.wait_for(lock, period_, [this] { return stopping_; });
  }
}

}  // namespace vkv::runtime
