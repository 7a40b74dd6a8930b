/// \file
/// free_port(): a TCP port on 127.0.0.1 that was free a moment ago, for a program a test
/// starts that cannot pick its own (one that, unlike vkv's servers, has no `--port 0`).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <stdexcept>

#include "common/unique_fd.hpp"

namespace vkv::testing {

/// A port the OS picked for a socket bound and closed at once. Another process may take it
/// before the caller's program does: a caller that can, tries again with another.
inline std::uint16_t free_port() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("free_port: no free port");
  }
  return ntohs(addr.sin_port);
}

}  // namespace vkv::testing
