/// \file
/// RespSession: one client's conversation in Redis's protocol.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "02-parsing/session.hpp"
#include "09-resp/resp_commands.hpp"
#include "09-resp/resp_parser.hpp"

namespace vkv::runtime {

//! [resp-session]
/// A Session speaking RESP: it parses the client's requests (RespParser), runs each with
/// `commands`, and writes each reply in the version the client chose (RESP2 until HELLO 3).
///
/// It asks for the connection to be closed (wants_close()) after a protocol error, once its
/// `-ERR Protocol error: ...` reply is written, since the rest of the input cannot be read;
/// and after a command sets `close_after_reply` (QUIT), once that command's reply is written.
/// Either way it reads nothing more. A request cut short by the end of input is dropped, as
/// Redis drops it: it was never whole, so it never ran.
///
/// Not thread-safe: one per connection.
class RespSession : public Session {
 public:
  /// A session for the client numbered `id` (its CLIENT ID), running requests within
  /// `limits` on `commands`, which must outlive it.
  RespSession(engine::RespCommands& commands, std::uint64_t id, protocol::RespLimits limits);

  void feed(std::string_view bytes, std::string* out) override;
  void finish(std::string* out) override;
  [[nodiscard]] bool wants_close() const override { return closing_; }
  /// The whole request at the front of `rest`, if it is all there
  /// (RespParser::whole_request_size()), so that the parser takes it at once; else a
  /// line, as by default.
  [[nodiscard]] std::size_t next_piece(std::string_view rest) const override {
    const std::size_t whole = parser_.whole_request_size(rest);
    return whole != 0 ? whole : Session::next_piece(rest);
  }

  /// What the session remembers of its client (its id, version, name).
  [[nodiscard]] const engine::ClientState& client() const { return client_; }

 private:
  engine::RespCommands& commands_;
  protocol::RespParser parser_;
  engine::ClientState client_;
  bool closing_ = false;
};
//! [resp-session]

}  // namespace vkv::runtime
