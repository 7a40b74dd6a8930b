/// \file
/// Traffic and CountingSession: the bytes each connection sends and receives, counted on
/// their way through the session, and the protocol errors that close a connection.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "02-parsing/session.hpp"
#include "06-server/connection.hpp"

namespace vkv::runtime {

/// What every connection has sent and received, together. Updated once per read from a
/// socket (not once per command); relaxed atomics, since nothing is ordered by them.
struct Traffic {
  std::atomic<std::uint64_t> bytes_in{0};         ///< Bytes read from clients.
  std::atomic<std::uint64_t> bytes_out{0};        ///< Reply bytes written for them.
  std::atomic<std::uint64_t> protocol_errors{0};  ///< Connections closed for bad framing.
};

//! [counting-session]
/// A Session in front of another that counts the bytes in and out, and tells
/// `on_protocol_error` (when given) the error of a client whose bytes could not be read,
/// once, as the session closes: RESP's `-ERR Protocol error: ...`. Not thread-safe: one per
/// connection, as every session.
class CountingSession final : public Session {
 public:
  /// In front of `inner`, counting into `traffic` (which must outlive this).
  CountingSession(std::unique_ptr<Session> inner, Traffic& traffic,
                  std::function<void(std::string_view error)> on_protocol_error);

  void feed(std::string_view bytes, std::string* out) override;
  void finish(std::string* out) override;
  [[nodiscard]] bool wants_close() const override { return inner_->wants_close(); }

 private:
  // Counts what the inner session appended from `from` on, and a protocol error in it.
  void count_out(const std::string& out, std::size_t from, bool was_closing);

  std::unique_ptr<Session> inner_;
  Traffic& traffic_;
  std::function<void(std::string_view)> on_protocol_error_;
};
//! [counting-session]

}  // namespace vkv::runtime

namespace vkv::net {

/// Sessions made by `inner`, each in a CountingSession over `traffic` (which, with what
/// `on_protocol_error` refers to, must outlive every session made).
SessionFactory counting_sessions(SessionFactory inner, runtime::Traffic& traffic,
                                 std::function<void(std::string_view error)> on_protocol_error);

}  // namespace vkv::net
