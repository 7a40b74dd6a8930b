/// \file
/// RedisServerProcess: a real redis-server (Debian's redis-server package) for tests that
/// compare vkv's replies with Redis's own.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <memory>
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
/// Contract: the constructor returns once the server answers PING, or throws
/// std::runtime_error (redis-server missing, or no port it could listen on in five tries).
/// The destructor stops it by its process id (SIGKILL, via ChildProcess) if stop() has not.
class RedisServerProcess {
 public:
  explicit RedisServerProcess(const std::string& dir) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = free_port();
      child_ = std::make_unique<ChildProcess>(
          kRedisServer,
          std::vector<std::string>{"--port", std::to_string(port_), "--bind", "127.0.0.1",
                                   "--save", "", "--appendonly", "no", "--dir", dir,
                                   "--logfile", dir + "/redis.log"},
          ChildProcess::Streams{ChildStream::file("/dev/null"), ChildStream::file("/dev/null"),
                                ChildStream::file("/dev/null")});
      if (answers_ping()) return;
      child_.reset();  // the port was taken, most likely: try another
    }
    throw std::runtime_error("redis-server did not start (see " + dir + "/redis.log)");
  }

  /// The port it listens on.
  [[nodiscard]] std::uint16_t port() const { return port_; }

  /// SIGTERM, then waits for it to end; its exit code.
  int stop() {
    child_->signal(SIGTERM);
    return child_->wait();
  }

 private:
  // Waits up to 5 s for PING to be answered with PONG (a server that could not listen has
  // ended by then).
  bool answers_ping() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        RespClient client(port_);
        if (client.call({"PING"}) == "+PONG\r\n") return true;
      } catch (const std::exception&) {
        // not listening yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace vkv::testing
