/// \file
/// The command AST: what a parsed line asks for.
#pragma once

#include <string_view>
#include <variant>

namespace vkv::protocol {

//! [command]
/// `SET key value`: map key to value.
struct SetCommand {
  std::string_view key;    ///< Non-empty.
  std::string_view value;  ///< May be empty.
};

/// `GET key`: the value of key, if any.
struct GetCommand {
  std::string_view key;  ///< Non-empty.
};

/// `DEL key`: remove key.
struct DelCommand {
  std::string_view key;  ///< Non-empty.
};

/// One parsed command. It borrows its bytes from the line (and the lexer) it came from.
using Command = std::variant<SetCommand, GetCommand, DelCommand>;
//! [command]

}  // namespace vkv::protocol
