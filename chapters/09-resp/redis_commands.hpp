/// \file
/// RedisCommands: Redis's string and keyspace commands, and the connection and server commands
/// clients send, over vkv's store.
#pragma once

#include <atomic>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "02-parsing/store.hpp"
#include "08-compaction/ordered_store.hpp"
#include "09-resp/command_table.hpp"
#include "09-resp/key_locks.hpp"
#include "09-resp/resp_commands.hpp"
#include "09-resp/resp_parser.hpp"
#include "09-resp/scan_cursors.hpp"

namespace vkv::engine {

/// One setting as CONFIG GET shows it.
struct ConfigParam {
  std::string name;   ///< Lower case, as Redis names them (`save`, `appendonly`, `dir`).
  std::string value;  ///< As CONFIG GET answers it.
};

/// What the commands may tell about the server beyond its store (INFO, CONFIG GET).
struct RedisServerInfo {
  /// The settings CONFIG GET answers, besides the three every vkv has (`save` "": vkv takes
  /// no snapshots; `appendonly` "yes": every write is logged before it is acknowledged;
  /// `databases` "1"). A later entry of the same name replaces an earlier one.
  std::vector<ConfigParam> config;
  /// More `name:value` lines (each ending in "\r\n") for INFO's `# Persistence`: what the
  /// store holds. May be empty.
  std::function<std::string()> store_info;
  /// The connections open now, for INFO's `connected_clients`. May be empty: the field is
  /// then left out (the commands do not see connections open and close).
  std::function<std::size_t()> connected_clients;
  /// Commands that a RespCommands in front of these runs itself (a later chapter's), for
  /// COMMAND, COMMAND COUNT, INFO, DOCS and LIST to tell of too: one named as
  /// a row of table() is told in that row's place (SET with more options), the others after
  /// them. They must outlive the commands. Empty: the table as it is.
  std::vector<const CommandSpec*> more_commands;
  /// The keys that have a deadline, for INFO's `# Keyspace` (`expires=N`). Empty: 0.
  std::function<std::uint64_t()> keys_with_deadlines;
  /// The keys deleted because they had expired, for INFO's `# Stats` (`expired_keys`).
  /// Empty: the field is left out.
  std::function<std::uint64_t()> expired_keys;
  /// The chapter INFO's `vkv_chapter` names.
  std::string chapter = "9";
  /// More of INFO, from a later chapter: given a section's name in lower case (one of
  /// kInfoSections), the lines (`name:value` and "\r\n" each) to add after this chapter's own
  /// lines of it, or "" for none. A section this chapter does not write (`memory`, `lsm`...)
  /// is left out when it has no lines. May be empty.
  std::function<std::string(std::string_view section)> more_info;
  /// Stops the server, as SIGTERM does, for SHUTDOWN: returns at once, the server stopping
  /// after. Empty: SHUTDOWN is refused (commands run without a server, as in a test).
  std::function<void()> shutdown;
};

/// INFO's sections in the order INFO writes them, by their names in lower case, as Redis
/// names them; `lsm` is vkv's own. INFO with no argument shows all but
/// kInfoSectionsNotByDefault.
inline constexpr std::array<std::string_view, 12> kInfoSections = {
    "server", "clients", "memory",   "persistence", "stats",        "replication",
    "cpu",    "keyspace", "lsm",     "commandstats", "errorstats", "latencystats"};
/// The sections INFO shows only when asked by name, or for `all`: `keyspace`, whose count
/// walks every key (a client that sends INFO as it connects, as ioredis does, must not pay
/// for it), and Redis's two long ones.
inline constexpr std::array<std::string_view, 3> kInfoSectionsNotByDefault = {
    "keyspace", "commandstats", "latencystats"};

/// Redis's integers (the RESP parser's lengths, INCR's values), as the parser reads them.
using protocol::parse_redis_integer;

/// A decimal number as Redis's INCRBYFLOAT reads one: all of `text` (up to a NUL, as Redis
/// reads it) by strtold, in long double, no space first, shorter than 5 KiB, neither NaN nor
/// past what a long double holds ("inf" is read, and the sum then refused); nothing when not.
std::optional<long double> parse_redis_long_double(std::string_view text);

/// `value` as Redis's INCRBYFLOAT writes it: 17 decimals, the zeros at the end cut, and the
/// point if nothing follows it ("10.6", "5200", "0"; never "-0").
std::string format_redis_long_double(long double value);

/// Redis's words for a command it does not have: <code>ERR unknown command 'NAME', with args
/// beginning with: </code> and the first arguments, each in quotes and followed by a space, until
/// they pass 128 bytes (the last one cut to fit).
std::string unknown_command_error(std::span<const std::string_view> args);

//! [redis-commands]
/// Redis's commands over a Store (chapter 2's interface) and an OrderedStore (chapter 8's),
/// with Redis's reply types and error texts; see the chapter's page for the list. A command
/// is found by its name in any case, checked against its arity in the table
/// (command_table.hpp), then run.
///
/// **Writes** each hold their key's lock (KeyLocks) while they run, from the first read to
/// the last write, so that INCR's read, add and write is atomic against every other write of
/// that key, including the text protocol's when its store is a LockedStore on the same locks.
/// Commands over several keys (DEL, MSET) take the keys one at a time: each key's write is
/// atomic, the command as a whole is not (a reader may see some of an MSET's keys set and not
/// others).
///
/// **Failures**: a storage failure ends the command with `-ERR storage: ...` saying what
/// failed; nothing is acknowledged that the store did not accept. A command over several keys
/// says how far it got.
///
/// **Costs**: DBSIZE, KEYS and FLUSHDB walk every key (O(n)): vkv keeps no count, and a
/// key's newest entry may be anywhere in the LSM tree. SCAN walks COUNT keys a call.
///
/// Thread-safe: every connection's session calls the same object.
class RedisCommands final : public RespCommands {
 public:
  /// Commands over `store` (written under `locks`) and `ordered`, the same keys in order. All
  /// three must outlive this. `cursors_start`: the first SCAN cursor (0: a random one).
  RedisCommands(storage::Store& store, storage::OrderedStore& ordered, KeyLocks& locks,
                RedisServerInfo info = {}, std::uint64_t cursors_start = 0);

  void run(std::span<const std::string_view> args, ClientState& client,
           protocol::RespWriter& out) override;
  /// run()'s checks before the handler: an unknown command or subcommand, the wrong number
  /// of arguments, an empty key.
  [[nodiscard]] std::optional<std::string> refusal(
      std::span<const std::string_view> args) const override;
  /// The key's value, or nothing when it has none.
  Result<std::optional<std::string>> watch_state(std::string_view key) override;

  /// Every command this class runs, in the order COMMAND lists them.
  static std::span<const CommandSpec> table();

  /// Counts one command for INFO's `total_commands_processed`: for a RespCommands in front of
  /// these that runs some commands itself (run() counts its own). As Redis counts, only a
  /// command that runs: not one refused for its arguments or its name.
  void count_command() { commands_processed_.fetch_add(1, std::memory_order_relaxed); }
  /// Counts one read of a key for INFO's `keyspace_hits` (`hit`) or `keyspace_misses`: for the
  /// reads of such a wrapper's commands.
  void count_lookup(bool hit) {
    (hit ? keyspace_hits_ : keyspace_misses_).fetch_add(1, std::memory_order_relaxed);
  }
  /// INFO's `total_commands_processed`, `keyspace_hits` and `keyspace_misses` (for a metrics
  /// endpoint that shows them too).
  [[nodiscard]] std::uint64_t commands_processed() const { return commands_processed_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t keyspace_hits() const { return keyspace_hits_.load(std::memory_order_relaxed); }  ///< See commands_processed().
  [[nodiscard]] std::uint64_t keyspace_misses() const { return keyspace_misses_.load(std::memory_order_relaxed); }  ///< See commands_processed().

 private:
  using Args = std::span<const std::string_view>;

  // string_commands.cpp
  void get(Args args, ClientState& client, protocol::RespWriter& out);
  void set(Args args, ClientState& client, protocol::RespWriter& out);
  void setnx(Args args, ClientState& client, protocol::RespWriter& out);
  void getset(Args args, ClientState& client, protocol::RespWriter& out);
  void getdel(Args args, ClientState& client, protocol::RespWriter& out);
  void mget(Args args, ClientState& client, protocol::RespWriter& out);
  void mset(Args args, ClientState& client, protocol::RespWriter& out);
  void msetnx(Args args, ClientState& client, protocol::RespWriter& out);
  void strlen(Args args, ClientState& client, protocol::RespWriter& out);
  void append(Args args, ClientState& client, protocol::RespWriter& out);
  void incr(Args args, ClientState& client, protocol::RespWriter& out);
  void decr(Args args, ClientState& client, protocol::RespWriter& out);
  void incrby(Args args, ClientState& client, protocol::RespWriter& out);
  void decrby(Args args, ClientState& client, protocol::RespWriter& out);
  void incrbyfloat(Args args, ClientState& client, protocol::RespWriter& out);
  // INCR, DECR, INCRBY and DECRBY: adds `delta` to the number at `key`, atomically.
  void incr_by(std::string_view key, std::int64_t delta, protocol::RespWriter& out);
  // The value of `key` into `*value` (nothing when it has none), counting hits and misses.
  Status read(std::string_view key, std::optional<std::string>* value);

  // keyspace_commands.cpp
  void del(Args args, ClientState& client, protocol::RespWriter& out);
  void exists(Args args, ClientState& client, protocol::RespWriter& out);
  void type(Args args, ClientState& client, protocol::RespWriter& out);
  void dbsize(Args args, ClientState& client, protocol::RespWriter& out);
  void keys(Args args, ClientState& client, protocol::RespWriter& out);
  void scan(Args args, ClientState& client, protocol::RespWriter& out);
  void flushdb(Args args, ClientState& client, protocol::RespWriter& out);
  // Calls `each` with every live key k, start <= k < *end (no end: to the last), in order, a
  // page at a time; stops early when `each` returns false.
  Status for_each_key(std::string_view start, std::optional<std::string_view> end,
                      const std::function<bool(std::string_view)>& each);
  // How many keys the store holds, counted (DBSIZE, INFO keyspace).
  Status count_keys(std::uint64_t* count);

  // connection_commands.cpp
  void ping(Args args, ClientState& client, protocol::RespWriter& out);
  void echo(Args args, ClientState& client, protocol::RespWriter& out);
  void quit(Args args, ClientState& client, protocol::RespWriter& out);
  void hello(Args args, ClientState& client, protocol::RespWriter& out);
  void auth(Args args, ClientState& client, protocol::RespWriter& out);
  void select(Args args, ClientState& client, protocol::RespWriter& out);
  void client_id(Args args, ClientState& client, protocol::RespWriter& out);
  void client_getname(Args args, ClientState& client, protocol::RespWriter& out);
  void client_setname(Args args, ClientState& client, protocol::RespWriter& out);
  void client_setinfo(Args args, ClientState& client, protocol::RespWriter& out);
  void client_info(Args args, ClientState& client, protocol::RespWriter& out);
  void client_help(Args args, ClientState& client, protocol::RespWriter& out);

  // server_commands.cpp
  void command(Args args, ClientState& client, protocol::RespWriter& out);
  void command_count(Args args, ClientState& client, protocol::RespWriter& out);
  void command_docs(Args args, ClientState& client, protocol::RespWriter& out);
  void command_info(Args args, ClientState& client, protocol::RespWriter& out);
  void command_list(Args args, ClientState& client, protocol::RespWriter& out);
  void config_get(Args args, ClientState& client, protocol::RespWriter& out);
  void config_set(Args args, ClientState& client, protocol::RespWriter& out);
  void config_resetstat(Args args, ClientState& client, protocol::RespWriter& out);
  void config_help(Args args, ClientState& client, protocol::RespWriter& out);
  void info(Args args, ClientState& client, protocol::RespWriter& out);
  // This chapter's lines of INFO's `section` (one of kInfoSections), appended to `*lines`.
  Status info_lines(std::string_view section, std::string* lines);
  void command_help(Args args, ClientState& client, protocol::RespWriter& out);
  void shutdown(Args args, ClientState& client, protocol::RespWriter& out);

  // The row `args` runs by (a subcommand's, if it has one), or null with the error it gets
  // instead in `*error`: an unknown command or subcommand, the wrong number of arguments,
  // an empty key. run() and refusal() both check with it.
  const CommandSpec* checked(std::span<const std::string_view> args, std::string* error) const;
  // Finds `name` (any case) among the commands; null when there is none.
  [[nodiscard]] const CommandSpec* find(std::string_view name) const;
  // Finds `name` (any case) among the commands COMMAND tells of (info_.more_commands too).
  [[nodiscard]] const CommandSpec* find_told(std::string_view name) const;

  storage::Store& store_;
  storage::OrderedStore& ordered_;
  KeyLocks& locks_;
  RedisServerInfo info_;
  ScanCursors cursors_;
  std::unordered_map<std::string, const CommandSpec*> by_name_;  // lower case; never changed
  std::vector<const CommandSpec*> told_;  // what COMMAND tells of, in order; never changed
  std::unordered_map<std::string, const CommandSpec*> told_by_name_;  // lower case
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  // INFO's # Stats.
  std::atomic<std::uint64_t> commands_processed_{0};
  std::atomic<std::uint64_t> keyspace_hits_{0};
  std::atomic<std::uint64_t> keyspace_misses_{0};
};
//! [redis-commands]

}  // namespace vkv::engine
