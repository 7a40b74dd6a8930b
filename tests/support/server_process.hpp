/// \file
/// Test helpers for whole-program tests: a real server process on a port the OS picks, and a
/// blocking client socket with timeouts.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/testing/child_process.hpp"
#include "common/testing/test_util.hpp"
#include "common/testing/transcript.hpp"
#include "common/unique_fd.hpp"

namespace vkv::testing {

/// Raises this process's open-file limit to its hard limit (tests open many sockets).
inline void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

/// A running server binary, started with `--port 0` and the given flags; its first line of
/// standard output ("... listening on 127.0.0.1:PORT ...") gives the port. Killed (SIGKILL)
/// on destruction unless it was stopped already.
class ServerProcess {
 public:
  /// Starts `program` with `args` (plus `--port 0`) and waits until it listens. Its standard
  /// error goes to `err_path` when one is given (else to the test's own).
  ServerProcess(const std::string& program, std::vector<std::string> args,
                const std::string& err_path = "")
      : child_(program, with_port_zero(std::move(args)),
               {ChildStream::inherited(), ChildStream::pipe(),
                err_path.empty() ? ChildStream::inherited() : ChildStream::file(err_path)}) {
    const std::string line = read_stdout_line(std::chrono::seconds(60));
    const auto at = line.find("127.0.0.1:");
    if (at == std::string::npos) throw std::runtime_error("server did not start: " + line);
    port_ = static_cast<std::uint16_t>(std::stoi(line.substr(at + 10)));
    ready_line_ = line;
  }

  /// The port the server listens on.
  [[nodiscard]] std::uint16_t port() const { return port_; }
  /// The process id.
  [[nodiscard]] pid_t pid() const { return child_.pid(); }
  /// The line the server printed when it was ready.
  [[nodiscard]] const std::string& ready_line() const { return ready_line_; }

  /// Sends `sig` and waits for the process to end; returns its exit code (128+signal if killed).
  int stop(int sig) {
    child_.signal(sig);
    return child_.wait();
  }

  /// Waits up to `timeout` for the process to end by itself (SHUTDOWN); its exit code, or
  /// nothing if it still runs.
  std::optional<int> exit_code_within(std::chrono::milliseconds timeout) {
    if (!wait_for([this] { return child_.has_ended(); }, timeout)) return std::nullopt;
    return child_.wait();
  }

  /// The server's resident memory in KiB, from /proc.
  [[nodiscard]] long rss_kib() const { return status_kib("VmRSS:"); }
  /// The most memory it has held at once since it started (VmHWM), in KiB; -1 if unknown.
  [[nodiscard]] long peak_rss_kib() const { return status_kib("VmHWM:"); }
  /// The field `name` (such as "VmRSS:") of its /proc status, in KiB; -1 if unknown.
  [[nodiscard]] long status_kib(const std::string& name) const {
    std::ifstream status("/proc/" + std::to_string(pid()) + "/status");
    std::string key;
    while (status >> key) {
      if (key == name) {
        long kib = 0;
        status >> kib;
        return kib;
      }
    }
    return -1;
  }

  /// Reads one line of the server's standard output (without the newline); "" on timeout.
  std::string read_stdout_line(std::chrono::milliseconds timeout) {
    return child_.read_stdout_line(timeout).value_or("");
  }

 private:
  static std::vector<std::string> with_port_zero(std::vector<std::string> args) {
    args.insert(args.begin(), {"--port", "0"});
    return args;
  }

  ChildProcess child_;
  std::uint16_t port_ = 0;
  std::string ready_line_;
};

/// A blocking TCP client with a receive timeout, for talking to a server line by line.
class Client {
 public:
  /// Connects to 127.0.0.1:`port`; throws if it cannot.
  explicit Client(std::uint16_t port) {
    fd_ = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
    timeval tv{10, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  /// Sends all of `bytes`; false if the connection failed.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Reads one line (without its newline); nullopt on timeout or when the server closed.
  std::optional<std::string> read_line() {
    while (true) {
      const auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      char chunk[4096];
      const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  /// Sends `command` and a newline, and returns the reply line ("<no reply>" if none).
  std::string call(std::string_view command) {
    if (!send(std::string(command) + "\n")) return "<send failed>";
    return read_line().value_or("<no reply>");
  }

  /// True once the server has closed the connection (reads return end-of-file or an error).
  bool closed_by_server() {
    char chunk[65536];
    while (true) {
      const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, MSG_DONTWAIT);
      if (n == 0) return true;
      if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
    }
  }

  /// True once the server has closed or reset the connection, seen without reading anything
  /// (so a test can check this of a client that must not read).
  bool hung_up() const {
    pollfd p{fd_.get(), POLLRDHUP, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLRDHUP)) != 0;
  }

  /// Closes the write side only: the server sees end of input.
  void shutdown_write() { ::shutdown(fd_.get(), SHUT_WR); }
  /// The socket.
  [[nodiscard]] int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  std::string buffer_;
};

/// A client that sends `request` over and over, from a thread of its own, and never reads a
/// reply: the server's output limit stops it from being served, TCP then stops its sending,
/// and `--stalled-timeout` closes it. It sends at most `times` times.
class NonReadingClient {
 public:
  /// Connects to 127.0.0.1:`port` and starts sending.
  NonReadingClient(std::uint16_t port, std::string request, int times)
      : client_(port), sender_([this, request = std::move(request), times] {
          for (int i = 0; i < times; ++i) {
            if (!client_.send(request)) return;  // the server closed us
          }
        }) {}
  /// Stops the sending (a send blocked on a full socket fails) and waits for its thread.
  ~NonReadingClient() {
    ::shutdown(client_.fd(), SHUT_RDWR);
    sender_.join();
  }
  NonReadingClient(const NonReadingClient&) = delete;
  NonReadingClient& operator=(const NonReadingClient&) = delete;

  /// True once the server has closed or reset the connection.
  [[nodiscard]] bool hung_up() const { return client_.hung_up(); }

 private:
  Client client_;
  std::thread sender_;
};

/// Sends what transcript `t` types, all at once, and reads as many reply lines as it expects
/// ("<no reply>" for each that does not come), each ending in a newline: what to compare with
/// `t.expected`.
inline std::string replay(Client& c, const Transcript& t) {
  if (!c.send(t.input)) return "<send failed>\n";
  std::string got;
  const auto lines = std::count(t.expected.begin(), t.expected.end(), '\n');
  for (long i = 0; i < lines; ++i) got += c.read_line().value_or("<no reply>") + "\n";
  return got;
}

}  // namespace vkv::testing
