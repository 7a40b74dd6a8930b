/// \file
/// PeriodicTask: a function run every period on a thread of its own, stopped at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace vkv::runtime {

/// Runs `task` every `period` on a thread named `name`, from start() until stop() (or the
/// destructor), which wakes it at once rather than waiting out the period.
class PeriodicTask {
 public:
  /// A task that does not run until start(). `name`: at most 15 bytes (Linux's limit).
  PeriodicTask(std::string name, std::chrono::milliseconds period, std::function<void()> task);
  ~PeriodicTask() { stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  /// Starts the thread, which runs the task at once and then every period. REQUIRES: not
  /// running (it may have been stopped).
  void start();
  /// Stops the thread and waits for it (a run in progress ends first). Idempotent.
  void stop();

 private:
  void loop();

  const std::string name_;
  const std::chrono::milliseconds period_;
  const std::function<void()> task_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace vkv::runtime
