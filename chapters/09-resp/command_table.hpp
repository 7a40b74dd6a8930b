/// \file
/// CommandSpec: one row of the Redis command table: name, arity, key positions, its handler,
/// and the documentation COMMAND and COMMAND DOCS give clients.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "09-resp/resp_commands.hpp"

namespace vkv::engine {

class RedisCommands;

/// One argument of a command, as COMMAND DOCS describes it (redis-cli shows these as hints
/// while you type: `SET key value [NX|XX] [GET]`).
struct ArgDoc {
  std::string_view name;   ///< What it is called (`key`, `value`, `condition`).
  /// Redis's argument types: `key`, `string`, `integer`, `pattern`, `pure-token` (a word
  /// alone, `NX`), `oneof` (one of `choices`), `block` (all of `choices`, in order).
  std::string_view type;
  std::string_view token = {};  ///< The word written before it (`MATCH` pattern), if any.
  bool optional = false;        ///< May be left out.
  bool multiple = false;        ///< May be repeated (`key [key ...]`).
  std::vector<ArgDoc> choices = {};  ///< For `oneof` and `block`.
};

//! [command-spec]
/// One command. Arity counts the name itself, as Redis counts it: `n` exactly n words
/// (GET key: 2), `-n` at least n (DEL key [key ...]: -2).
struct CommandSpec {
  /// The handler: a RedisCommands member that writes the reply.
  using Handler = void (RedisCommands::*)(std::span<const std::string_view> args,
                                          ClientState& client, protocol::RespWriter& out);

  std::string_view name;  ///< Lower case: `get`; a subcommand `client|setname`.
  int arity;              ///< See above. A subcommand's counts the command's name too.
  /// Where the keys are: positions first_key to last_key, every key_step words; 0 0 0 for
  /// none. Checked (a key is never empty) and told by COMMAND. The first key's position.
  int first_key;
  int last_key;  ///< The last key's position; -1: the last word.
  int key_step;  ///< Words from one key to the next (MSET: 2, a key and its value).
  Handler handler;  ///< Null for a command of subcommands (CLIENT): see `subcommands`.
  std::string_view flags;  ///< COMMAND's flags, space-separated (`write denyoom fast`).
  std::string_view acl;    ///< COMMAND's ACL categories, space-separated (`@write @string`).
  std::string_view group;  ///< COMMAND DOCS's group (`string`, `keyspace`, `connection`).
  std::string_view since;  ///< The Redis version that brought the command.
  std::string_view summary;     ///< One line on what it does.
  std::vector<ArgDoc> args;     ///< Its arguments, after the name.
  std::vector<CommandSpec> subcommands;  ///< For CLIENT, CONFIG, COMMAND.
};
//! [command-spec]

/// True when `argc` words (the name included) fit `arity`.
inline bool arity_fits(int arity, std::size_t argc) {
  const auto n = static_cast<std::size_t>(arity < 0 ? -arity : arity);
  return arity < 0 ? argc >= n : argc == n;
}

/// True when a word at one of `spec`'s key positions in `args` is empty: vkv's keys are at
/// least one byte, in every protocol.
bool has_empty_key(const CommandSpec& spec, std::span<const std::string_view> args);

/// The error a request `args` of the row `spec` gets before it runs, from the row alone: the
/// wrong number of arguments (Redis's text), or an empty key; nothing when it fits. A
/// command of subcommands checks its subcommand's row too.
std::optional<std::string> row_refusal(const CommandSpec& spec,
                                       std::span<const std::string_view> args);

/// COMMAND INFO's entry for `spec`: Redis 7's ten fields (name, arity, flags, first key, last
/// key, step, ACL categories, tips, key specs, subcommands).
void write_command_info(const CommandSpec& spec, protocol::RespWriter& out);
/// COMMAND DOCS's map for `spec`: summary, since, group, arguments, subcommands.
void write_command_docs(const CommandSpec& spec, protocol::RespWriter& out);

}  // namespace vkv::engine
