/// \file
/// parse_command: turns a line's tokens into a Command.
#pragma once

#include <span>
#include <string_view>

#include "02-parsing/command.hpp"
#include "common/status.hpp"

namespace vkv::protocol {

/// Builds the Command that `tokens` spell. Command names are case-insensitive.
///
/// REQUIRES: !tokens.empty() (an empty line is not a command; the caller skips it).
/// On bad input returns an invalid-argument status whose message is the error for the user:
/// an unknown command (named), the wrong number of arguments (naming the command and its
/// usage), or an empty key. The Command borrows the tokens' bytes.
Result<Command> parse_command(std::span<const std::string_view> tokens);

}  // namespace vkv::protocol
