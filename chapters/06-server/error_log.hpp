/// \file
/// ErrorLog: one kind of failure said on standard error, without flooding it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

#include "06-server/connection.hpp"
#include "common/status.hpp"

namespace vkv::runtime {

//! [write-errors]
/// Says each failure of one kind (a write, say) in one line on standard error, naming the
/// error and the file, at most once every kQuietSeconds: a client that keeps writing to a
/// full disk must not flood the log. The next line says how many failures it did not say.
/// Lines read "<prefix><what> failed: <error>; <consequence>". Thread-safe.
class ErrorLog {
 public:
  /// The least time between two lines, in seconds.
  static constexpr std::int64_t kQuietSeconds = 10;

  /// `what` names the operation ("write"), `consequence` what the server does about it.
  ErrorLog(std::string prefix, std::string what, std::string consequence)
      : prefix_(std::move(prefix)), what_(std::move(what)), consequence_(std::move(consequence)) {}

  /// Says `error`, unless a line was said less than kQuietSeconds ago (then counts it).
  void report(const Status& error) {
    const std::int64_t now = net::steady_ms() / 1000;
    std::lock_guard lock(mu_);
    if (said_ && now - last_ < kQuietSeconds) {
      ++unsaid_;
      return;
    }
    std::fprintf(stderr, "%s%s failed: %s; %s", prefix_.c_str(), what_.c_str(),
                 error.to_string().c_str(), consequence_.c_str());
    if (unsaid_ > 0) std::fprintf(stderr, " (%llu more since the last line)", unsaid_);
    std::fprintf(stderr, "\n");
    said_ = true;
    last_ = now;
    unsaid_ = 0;
  }

 private:
  const std::string prefix_;
  const std::string what_;
  const std::string consequence_;
  std::mutex mu_;
  bool said_ = false;              // guarded by mu_
  std::int64_t last_ = 0;          // guarded by mu_: when the last line was said, in seconds
  unsigned long long unsaid_ = 0;  // guarded by mu_
};
//! [write-errors]

}  // namespace vkv::runtime
