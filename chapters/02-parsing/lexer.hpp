/// \file
/// Lexer: splits one line into tokens, undoing quotes and escapes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace vkv::protocol {

/// Splits a command line into tokens.
///
/// Tokens are separated by spaces and tabs. An unquoted token is taken byte for byte. A token
/// in double quotes may hold spaces and, through escapes, any byte at all:
/// `\"` `\\` `\n` `\r` `\t` and `\xHH` (two hex digits). A closing quote must end the token
/// (be followed by a space, a tab or the end of the line).
///
/// The lexer keeps a scratch buffer for tokens whose escapes it had to undo, so a token is a
/// view either into the line or into that buffer: tokens are valid until the next call to
/// lex() and while the line itself lives. Reuse one Lexer per connection; it allocates only
/// when a line is longer than any before it.
class Lexer {
 public:
  /// Replaces `*tokens` with the tokens of `line`. On bad input returns an invalid-argument
  /// status whose message is the error to show the user, and `*tokens` is unspecified.
  Status lex(std::string_view line, std::vector<std::string_view>* tokens);

 private:
  // Reads the quoted token that starts at line[*pos] (the opening quote) and moves *pos past
  // the closing quote.
  Status lex_quoted(std::string_view line, std::size_t* pos, std::string_view* token);

  std::string scratch_;
};

}  // namespace vkv::protocol
