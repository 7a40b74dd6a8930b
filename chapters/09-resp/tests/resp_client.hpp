/// \file
/// RespClient: a blocking test client that sends RESP requests and reads whole RESP replies,
/// byte-exact (a bulk may hold any bytes, CR and LF included).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/server_process.hpp"

namespace vkv::testing {

/// `args` as one RESP request: an array of bulk strings.
inline std::string resp_request(const std::vector<std::string>& args) {
  std::string r = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) r += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return r;
}

/// A connection to 127.0.0.1:`port` speaking RESP. Its replies are returned as they came,
/// encoding and all ("+OK\r\n", "$5\r\nhello\r\n"), so a test compares bytes.
class RespClient {
 public:
  /// Connects; throws if it cannot.
  explicit RespClient(std::uint16_t port) : client_(port) {}

  /// Sends raw bytes; false if the connection failed.
  bool send(std::string_view bytes) { return client_.send(bytes); }

  /// Sends `args` as one request and returns its reply ("<no reply>" if none came).
  std::string call(const std::vector<std::string>& args) {
    if (!send(resp_request(args))) return "<send failed>";
    return read_reply().value_or("<no reply>");
  }

  /// Reads one whole reply, nested aggregates included; nullopt on timeout or close.
  std::optional<std::string> read_reply() {
    std::string reply;
    if (!read_element(&reply)) return std::nullopt;
    return reply;
  }

  /// True once the server has closed the connection.
  bool closed_by_server() { return client_.closed_by_server(); }

  /// Waits (up to the socket's 10 s timeout) for the server to close: true if it did with no
  /// more bytes sent first.
  bool closes_next() {
    if (!buffer_.empty()) return false;
    char c;
    return ::recv(client_.fd(), &c, 1, 0) == 0;
  }

 private:
  bool fill(std::size_t n) {
    while (buffer_.size() < n) {
      char chunk[65536];
      const ssize_t got = ::recv(client_.fd(), chunk, sizeof chunk, 0);
      if (got <= 0) return false;
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
    return true;
  }
  bool read_line(std::string* line) {
    for (;;) {
      const auto crlf = buffer_.find("\r\n");
      if (crlf != std::string::npos) {
        *line = buffer_.substr(0, crlf + 2);
        buffer_.erase(0, crlf + 2);
        return true;
      }
      if (!fill(buffer_.size() + 1)) return false;
    }
  }
  bool read_element(std::string* out) {
    std::string line;
    if (!read_line(&line)) return false;
    out->append(line);
    const char type = line[0];
    const long long n = std::atoll(line.c_str() + 1);
    if ((type == '$' || type == '=') && n >= 0) {
      if (!fill(static_cast<std::size_t>(n) + 2)) return false;
      out->append(buffer_, 0, static_cast<std::size_t>(n) + 2);
      buffer_.erase(0, static_cast<std::size_t>(n) + 2);
    } else if ((type == '*' || type == '~' || type == '%') && n > 0) {
      const long long elements = type == '%' ? 2 * n : n;
      for (long long i = 0; i < elements; ++i) {
        if (!read_element(out)) return false;
      }
    }
    return true;
  }

  Client client_;
  std::string buffer_;  // received, not yet returned
};

}  // namespace vkv::testing
