/// \file
/// Listener: the listening TCP socket.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.hpp"
#include "common/unique_fd.hpp"

namespace vkv::net {

/// A non-blocking TCP socket listening on one IPv4 address and port.
class Listener {
 public:
  /// Binds `address:port` (port 0: the OS picks a free port) and listens with `backlog`.
  /// SO_REUSEADDR is set so a restarted server can bind at once.
  static Result<Listener> open(const std::string& address, std::uint16_t port, int backlog);

  /// Accepts one pending connection as a non-blocking socket with TCP_NODELAY. Returns a
  /// not-found status when none is pending (EAGAIN), an IO error when accept failed.
  Result<UniqueFd> accept();

  /// The listening descriptor (for the reactor to watch).
  [[nodiscard]] int fd() const { return fd_.get(); }
  /// The port actually bound (the OS's choice when 0 was asked for).
  [[nodiscard]] std::uint16_t port() const { return port_; }
  /// "address:port", for messages.
  [[nodiscard]] std::string address() const { return address_ + ":" + std::to_string(port_); }
  /// Stops listening: closes the socket, so new connections are refused.
  void close() { fd_.reset(); }

 private:
  Listener(UniqueFd fd, std::string address, std::uint16_t port)
      : fd_(std::move(fd)), address_(std::move(address)), port_(port) {}

  UniqueFd fd_;
  std::string address_;
  std::uint16_t port_;
};

}  // namespace vkv::net
