#include "06-server/listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace vkv::net {

namespace {

Status socket_error(const std::string& what) {
  return Status::io_error(what + ": " + std::strerror(errno));
}

}  // namespace

Result<Listener> Listener::open(const std::string& address, std::uint16_t port, int backlog) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    return Status::invalid_argument("bad bind address '" + address + "' (expected IPv4, e.g. 127.0.0.1)");
  }
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return socket_error("socket");
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const std::string where = address + ":" + std::to_string(port);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return socket_error("bind " + where);
  }
  if (::listen(fd.get(), backlog) != 0) return socket_error("listen " + where);
  socklen_t len = sizeof addr;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return socket_error("getsockname");
  }
  return Listener(std::move(fd), address, ntohs(addr.sin_port));
}

Result<UniqueFd> Listener::accept() {
  while (true) {
    UniqueFd conn(::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (conn) {
      const int one = 1;
      ::setsockopt(conn.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return conn;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::not_found("no pending connection");
    return socket_error("accept");
  }
}

}  // namespace vkv::net
