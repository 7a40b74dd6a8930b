/// \file
/// ExpiryCommands: chapter 10's Redis commands (SET with its options, MSET, the EXPIRE
/// family, TTL, PERSIST, GETEX, EXPIRETIME), in front of chapter 9's RedisCommands.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "09-resp/command_table.hpp"
#include "09-resp/redis_commands.hpp"
#include "10-expiry/expiry_rules.hpp"

namespace vkv::engine {

//! [expiry-commands]
/// A RespCommands that runs chapter 10's commands itself, with ExpiryRules, and hands every
/// other request to `rest` (chapter 9's RedisCommands, over the ExpiringStore's
/// keeping_deadlines(), so that INCR and APPEND keep a key's deadline).
///
/// SET, MSET and GETSET are taken here because they must clear a key's deadline, which
/// `rest`'s store keeps. A command is found, its arity and keys checked, as chapter 9 does it, with
/// the same errors. Its rows (specs()) are chapter 9's CommandSpec, so that `rest`'s
/// COMMAND tells clients of them (RedisServerInfo::more_commands): redis-cli's hints show
/// `SET key value [NX|XX] [GET] [EX seconds|...]`.
///
/// Thread-safe.
class ExpiryCommands final : public RespCommands {
 public:
  /// Runs chapter 10's commands with `rules`, the rest with `rest`, which counts them all in
  /// INFO (commands, and the reads that hit or missed, as Redis counts them: TTL, GETEX, SET's
  /// GET; not the writes' reads). Both must outlive this.
  ExpiryCommands(ExpiryRules& rules, RedisCommands& rest) : rules_(rules), rest_(rest) {}

  void run(std::span<const std::string_view> args, ClientState& client,
           protocol::RespWriter& out) override;
  /// run()'s checks (of its own commands' rows; `rest`'s of the others).
  [[nodiscard]] std::optional<std::string> refusal(
      std::span<const std::string_view> args) const override;
  /// The key's value and deadline (ExpiryRules::watch_state()).
  Result<std::optional<std::string>> watch_state(std::string_view key) override {
    return rules_.watch_state(key);
  }

  /// The rows of chapter 10's commands, for RedisServerInfo::more_commands (and the text
  /// protocol's arity checks).
  static std::vector<const CommandSpec*> specs();
  /// The row of `name` (any case); null when it is not one of these.
  static const CommandSpec* find(std::string_view name);

 private:
  using Args = std::span<const std::string_view>;
  /// A command's handler, beside its row.
  using Handler = void (ExpiryCommands::*)(Args args, protocol::RespWriter& out);
  struct Row;
  static std::span<const Row> rows();
  static const Row* find_row(std::string_view name);  // null: not one of these

  void set(Args args, protocol::RespWriter& out);
  void mset(Args args, protocol::RespWriter& out);
  void getset(Args args, protocol::RespWriter& out);
  void setex(Args args, protocol::RespWriter& out);
  void getex(Args args, protocol::RespWriter& out);
  void expire(Args args, protocol::RespWriter& out);    // EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT
  void persist(Args args, protocol::RespWriter& out);
  void ttl(Args args, protocol::RespWriter& out);       // TTL, PTTL
  void expire_time(Args args, protocol::RespWriter& out);  // EXPIRETIME, PEXPIRETIME

  ExpiryRules& rules_;
  RedisCommands& rest_;
};
//! [expiry-commands]

}  // namespace vkv::engine
