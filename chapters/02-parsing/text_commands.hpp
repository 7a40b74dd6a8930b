/// \file
/// TextCommands: commands added to the text protocol beside SET, GET and DEL.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace vkv::runtime {

//! [text-commands]
/// More commands for the text protocol. The parser knows SET, GET and DEL, and its Command is
/// closed; a program that offers more gives its TextSession one of these, and the session
/// offers it every command line first, already split into tokens (quotes and escapes undone).
///
/// run() either takes the line, appending the whole reply, or leaves it, appending nothing,
/// and the session parses it as usual: a line this does not take is answered as if it did
/// not exist. Several sets of commands chain by trying each in turn.
///
/// A reply follows the protocol's rules (reply_encoder.hpp): lines ending in `\n`, bytes
/// through append_token() so that any key or value comes back unchanged, and bad input as one
/// `ERR` line (append_reply() with Reply::error()) after which the session goes on. A reply
/// may be several lines, as long as the client can tell where it ends.
///
/// Thread-safe: every connection's session calls the same object, from its own thread.
class TextCommands {
 public:
  virtual ~TextCommands() = default;
  /// If `tokens[0]` names one of these commands: runs it, appends its reply to `*out` and
  /// returns true. Otherwise returns false and leaves `*out` alone. REQUIRES: !tokens.empty().
  virtual bool run(std::span<const std::string_view> tokens, std::string* out) = 0;
  /// The names of these commands, comma-separated ("SCAN"), for the error a client gets for
  /// a command nobody knows. Empty by default.
  [[nodiscard]] virtual std::string_view names() const { return {}; }
};
//! [text-commands]

}  // namespace vkv::runtime
