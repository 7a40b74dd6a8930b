/// \file
/// RedisServerProcess: a real redis-server (Debian's redis-server package) for tests that
/// compare vkv's replies with Redis's own.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "09-resp/tests/resp_client.hpp"
#include "common/testing/child_process.hpp"
#include "common/testing/free_port.hpp"

namespace vkv::testing {

/// Where the package installs it.
inline constexpr const char* kRedisServer = "/usr/bin/redis-server";

/// redis-server on 127.0.0.1, empty, keeping nothing on disk (no snapshots, no append-only
/// file), its working directory and log in `dir`.
///
/// Contract: the constructor returns once this process (not another on the same port)
/// answers PING, or throws std::runtime_error with the end of its log (no port it could
/// listen on in five tries, or no answer within 10 s). The destructor stops it by its process
/// id (SIGKILL, via ChildProcess) if stop() has not.
class RedisServerProcess {
 public:
  explicit RedisServerProcess(const std::string& dir) : log_(dir + "/redis.log") {
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = free_port();
      child_ = std::make_unique<ChildProcess>(
          kRedisServer,
          std::vector<std::string>{"--port", std::to_string(port_), "--bind", "127.0.0.1",
                                   "--save", "", "--appendonly", "no", "--dir", dir,
                                   "--logfile", log_},
          ChildProcess::Streams{ChildStream::file("/dev/null"), ChildStream::file("/dev/null"),
                                ChildStream::file("/dev/null")});
      if (answers_ping()) return;
      child_.reset();  // ended (its port taken, most likely), or silent: try another
    }
    throw std::runtime_error("redis-server did not start; the end of its log:\n" + log_tail());
  }

  /// The port it listens on.
  [[nodiscard]] std::uint16_t port() const { return port_; }

  /// SIGTERM, then waits for it to end; its exit code (the same again if called twice).
  int stop() {
    child_->signal(SIGTERM);
    return child_->wait();
  }

 private:
  // Waits up to 10 s for PING to be answered, by this process: `INFO server` names its pid.
  // False at once if the process has ended (it could not listen).
  bool answers_ping() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const std::string own_pid = "process_id:" + std::to_string(child_->pid()) + "\r\n";
    while (std::chrono::steady_clock::now() < deadline) {
      if (child_->has_ended()) return false;
      try {
        RespClient client(port_);
        if (client.call({"PING"}) == "+PONG\r\n") {
          return client.call({"INFO", "server"}).find(own_pid) != std::string::npos;
        }
      } catch (const std::exception&) {
        // not listening yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // The last lines of the log, for the error (its directory may be gone by the time anyone
  // reads the message).
  [[nodiscard]] std::string log_tail() const {
    std::ifstream in(log_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::ostringstream out;
    for (std::size_t i = lines.size() > 10 ? lines.size() - 10 : 0; i < lines.size(); ++i) {
      out << lines[i] << '\n';
    }
    return out.str();
  }

  std::string log_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace vkv::testing
