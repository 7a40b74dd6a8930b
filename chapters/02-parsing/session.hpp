/// \file
/// Session: one client's conversation, from the bytes it sends to the bytes it gets back.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vkv::runtime {

//! [session]
/// What a front end (the prompt, a TCP connection) drives: bytes in, replies out. It holds
/// no descriptor and does no I/O. This chapter's one kind is the TextSession; a front end
/// that knows only this interface can be given another protocol without a change.
///
/// Not thread-safe: one per client.
class Session {
 public:
  virtual ~Session() = default;

  /// Takes the next bytes from the client, in pieces of any size, and appends the replies
  /// they complete to `*out`.
  virtual void feed(std::string_view bytes, std::string* out) = 0;

  /// The client is done sending: answers what is left of its input, if anything.
  virtual void finish(std::string* out) = 0;

  /// True once the session wants the connection closed after its replies are sent (the
  /// client asked to quit, or sent what cannot be read further). The front end then feeds it
  /// nothing more. The text protocol never asks.
  [[nodiscard]] virtual bool wants_close() const { return false; }
  /// How many bytes from the front of `rest` (bytes received, not yet fed) a front end
  /// should feed in one call, if it feeds in pieces so as to look at the replies between
  /// them: from 1 to `rest.size()`, and never more than one command, so that one piece adds
  /// at most one reply. By default one line, through its `\n` (all of `rest` if there is
  /// none): one command of the text protocol. A session whose requests span several lines
  /// may answer a whole request. REQUIRES: `rest` is not empty.
  [[nodiscard]] virtual std::size_t next_piece(std::string_view rest) const {
    const std::size_t newline = rest.find('\n');
    return newline == std::string_view::npos ? rest.size() : newline + 1;
  }
};
//! [session]

}  // namespace vkv::runtime
