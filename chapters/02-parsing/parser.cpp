#include "02-parsing/parser.hpp"

#include <cassert>
#include <string>

#include "common/escape.hpp"

namespace vkv::protocol {

bool is_command(std::string_view token, std::string_view upper_name) {
  if (token.size() != upper_name.size()) return false;
  for (std::size_t i = 0; i < token.size(); ++i) {
    char c = token[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper_name[i]) return false;
  }
  return true;
}

Status wrong_arity(std::string_view name, std::string_view usage) {
  return Status::invalid_argument("wrong number of arguments for '" + std::string(name) +
                                  "' (usage: " + std::string(usage) + ")");
}

// LEARNER: begin parse_command(): tokens to a SET, GET or DEL command, or an error
//! [parse]
Result<Command> parse_command(std::span<const std::string_view> tokens,
                              std::string_view more_commands) {
  assert(!tokens.empty());
  const std::string_view name = tokens[0];
  const auto args = tokens.subspan(1);
  Command command;
  if (is_command(name, "SET")) {
    if (args.size() != 2) return wrong_arity("SET", "SET key value");
    command = SetCommand{args[0], args[1]};
  } else if (is_command(name, "GET")) {
    if (args.size() != 1) return wrong_arity("GET", "GET key");
    command = GetCommand{args[0]};
  } else if (is_command(name, "DEL")) {
    if (args.size() != 1) return wrong_arity("DEL", "DEL key");
    command = DelCommand{args[0]};
  } else {
    std::string known = "SET, GET, DEL";
    if (!more_commands.empty()) known += ", " + std::string(more_commands);
    return Status::invalid_argument("unknown command '" + escape_bytes(name, true) +
                                    "' (commands: " + known + ")");
  }
  if (args[0].empty()) return Status::invalid_argument("empty key");
  return command;
}
//! [parse]
// LEARNER: end

}  // namespace vkv::protocol
