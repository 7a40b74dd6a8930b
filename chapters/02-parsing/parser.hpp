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
/// usage), or an empty key. The Command borrows the tokens' bytes. `more_commands` (for
/// example "SCAN") is added to the list of commands the unknown-command error gives, when a
/// program offers more than these three (TextCommands::names()).
Result<Command> parse_command(std::span<const std::string_view> tokens,
                              std::string_view more_commands = {});

/// Whether `token` names the command `upper_name`, ASCII case ignored ("get" names GET): how
/// every command name of the text protocol is matched.
bool is_command(std::string_view token, std::string_view upper_name);

/// The error for the command `name` given the wrong number of arguments, with its usage:
/// "wrong number of arguments for 'SET' (usage: SET key value)".
Status wrong_arity(std::string_view name, std::string_view usage);

}  // namespace vkv::protocol
