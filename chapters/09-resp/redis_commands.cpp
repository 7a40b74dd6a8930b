#include "09-resp/redis_commands.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "09-resp/command_helpers.hpp"
#include "09-resp/resp_writer.hpp"
#include "09-resp/transactions.hpp"

namespace vkv::engine {

namespace {

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The words of an ArgDoc table, short.
ArgDoc key_arg() { return {"key", "key", {}, false, false, {}}; }
ArgDoc keys_arg() { return {"key", "key", {}, false, true, {}}; }
ArgDoc string_arg(std::string_view name) { return {name, "string", {}, false, false, {}}; }
ArgDoc integer_arg(std::string_view name) { return {name, "integer", {}, false, false, {}}; }
ArgDoc token_arg(std::string_view name, std::string_view token) {
  return {name, "pure-token", token, false, false, {}};
}

}  // namespace

//! [unknown-command]
std::string unknown_command_error(std::span<const std::string_view> args) {
  std::string list;
  for (std::size_t i = 1; i < args.size() && list.size() < 128; ++i) {
    list += "'";
    list += args[i].substr(0, 128 - list.size() + 1);
    list += "' ";
  }
  return "ERR unknown command '" + std::string(args[0].substr(0, 128)) +
         "', with args beginning with: " + list;
}
//! [unknown-command]

RedisCommands::RedisCommands(storage::Store& store, storage::OrderedStore& ordered,
                             KeyLocks& locks, RedisServerInfo info, std::uint64_t cursors_start)
    : store_(store), ordered_(ordered), locks_(locks), info_(std::move(info)),
      cursors_(cursors_start) {
  for (const auto& spec : table()) by_name_.emplace(std::string(spec.name), &spec);
  told_by_name_ = by_name_;
  // MULTI, EXEC and the rest run in front of these (every session's TransactionCommands).
  for (const CommandSpec& spec : TransactionCommands::specs()) info_.more_commands.push_back(&spec);
  for (const CommandSpec* more : info_.more_commands) {
    told_by_name_[std::string(more->name)] = more;  // in the place of one of the same name
  }
  for (const auto& spec : table()) told_.push_back(told_by_name_.at(std::string(spec.name)));
  for (const CommandSpec* more : info_.more_commands) {
    if (by_name_.count(std::string(more->name)) == 0) told_.push_back(more);
  }
}

const CommandSpec* RedisCommands::find(std::string_view name) const {
  if (name.size() > 32) return nullptr;  // no command is that long; do not copy the bytes
  const auto it = by_name_.find(lower(name));
  return it == by_name_.end() ? nullptr : it->second;
}

const CommandSpec* RedisCommands::find_told(std::string_view name) const {
  if (name.size() > 32) return nullptr;
  const auto it = told_by_name_.find(lower(name));
  return it == told_by_name_.end() ? nullptr : it->second;
}

// LEARNER: begin RedisCommands::run(): find the command, check its arity and keys (and its subcommand's) in checked(), then call its handler
//! [run]
const CommandSpec* RedisCommands::checked(std::span<const std::string_view> args,
                                          std::string* error) const {
  const CommandSpec* spec = find(args[0]);
  if (spec == nullptr) {
    *error = unknown_command_error(args);
    return nullptr;
  }
  if (auto refused = row_refusal(*spec, args)) {  // its arity, and its keys
    *error = std::move(*refused);
    return nullptr;
  }
  if (!spec->subcommands.empty() && (args.size() >= 2 || spec->handler == nullptr)) {
    const std::string wanted = std::string(spec->name) + "|" + lower(args[1]);
    const auto sub = std::find_if(spec->subcommands.begin(), spec->subcommands.end(),
                                  [&](const CommandSpec& s) { return s.name == wanted; });
    if (sub == spec->subcommands.end()) {
      *error = "ERR unknown subcommand '" + std::string(args[1].substr(0, 128)) + "'. Try " +
               upper(spec->name) + " HELP.";
      return nullptr;
    }
    if (auto refused = row_refusal(*sub, args)) {
      *error = std::move(*refused);
      return nullptr;
    }
    spec = &*sub;
  }
  return spec;
}

void RedisCommands::run(std::span<const std::string_view> args, ClientState& client,
                        protocol::RespWriter& out) {
  std::string error;
  const CommandSpec* spec = checked(args, &error);
  if (spec == nullptr) return out.error(error);
  (this->*spec->handler)(args, client, out);
  // As Redis counts: a command that ran (refused ones do not), once it has (INFO's own
  // report does not count the INFO that asks for it).
  commands_processed_.fetch_add(1, std::memory_order_relaxed);
}
//! [run]
// LEARNER: end

std::optional<std::string> RedisCommands::refusal(std::span<const std::string_view> args) const {
  std::string error;
  if (checked(args, &error) == nullptr) return error;
  return std::nullopt;
}

Result<std::optional<std::string>> RedisCommands::watch_state(std::string_view key) {
  std::string value;
  const Status s = store_.get(key, &value);
  if (s.is_not_found()) return std::optional<std::string>();
  if (!s.is_ok()) return s.with_context("storage");
  return std::optional<std::string>(std::move(value));
}

//! [table]
std::span<const CommandSpec> RedisCommands::table() {
  using R = RedisCommands;
  static const std::vector<CommandSpec> commands = {
      // name, arity, first key, last key, key step, handler, flags, ACL categories, group,
      // since, summary, arguments, subcommands
      //! [table-rows]
      {"get", 2, 1, 1, 1, &R::get, "readonly fast", "@read @string @fast", "string", "1.0.0",
       "Returns the string value of a key.", {key_arg()}, {}},
      {"set", -3, 1, 1, 1, &R::set, "write denyoom", "@write @string @slow", "string", "1.0.0",
       "Sets the string value of a key. NX: only if it has none; XX: only if it has one; "
       "GET: return the old value.",
       {key_arg(), string_arg("value"),
        {"condition", "oneof", {}, true, false, {token_arg("nx", "NX"), token_arg("xx", "XX")}},
        {"get", "pure-token", "GET", true, false, {}}},
       {}},
      //! [table-rows]
      {"setnx", 3, 1, 1, 1, &R::setnx, "write denyoom fast", "@write @string @fast", "string",
       "1.0.0", "Sets the value of a key only when it has none; 1 if it was set, else 0.",
       {key_arg(), string_arg("value")}, {}},
      {"getset", 3, 1, 1, 1, &R::getset, "write denyoom fast", "@write @string @fast", "string",
       "1.0.0", "Sets the value of a key and returns its old value (null when it had none).",
       {key_arg(), string_arg("value")}, {}},
      {"getdel", 2, 1, 1, 1, &R::getdel, "write fast", "@write @string @fast", "string",
       "6.2.0", "Returns the value of a key and deletes the key.", {key_arg()}, {}},
      {"mget", -2, 1, -1, 1, &R::mget, "readonly fast", "@read @string @fast", "string", "1.0.0",
       "Returns the values of one or more keys (null for a key with none).", {keys_arg()}, {}},
      {"mset", -3, 1, -1, 2, &R::mset, "write denyoom", "@write @string @slow", "string", "1.0.1",
       "Sets the values of one or more keys, one key after another (not atomic as a whole).",
       {{"data", "block", {}, false, true, {key_arg(), string_arg("value")}}}, {}},
      {"msetnx", -3, 1, -1, 2, &R::msetnx, "write denyoom", "@write @string @slow", "string",
       "1.0.1", "Sets the values of one or more keys only if none of them exists: 1, else 0.",
       {{"data", "block", {}, false, true, {key_arg(), string_arg("value")}}}, {}},
      {"strlen", 2, 1, 1, 1, &R::strlen, "readonly fast", "@read @string @fast", "string",
       "2.2.0", "Returns the length of a key's value (0 when it has none).", {key_arg()}, {}},
      {"append", 3, 1, 1, 1, &R::append, "write denyoom fast", "@write @string @fast", "string",
       "2.0.0", "Appends a string to the value of a key; returns the new length.",
       {key_arg(), string_arg("value")}, {}},
      {"incr", 2, 1, 1, 1, &R::incr, "write denyoom fast", "@write @string @fast", "string",
       "1.0.0", "Adds one to the integer value of a key (0 when it has none), atomically.",
       {key_arg()}, {}},
      {"decr", 2, 1, 1, 1, &R::decr, "write denyoom fast", "@write @string @fast", "string",
       "1.0.0", "Takes one from the integer value of a key (0 when it has none), atomically.",
       {key_arg()}, {}},
      {"incrby", 3, 1, 1, 1, &R::incrby, "write denyoom fast", "@write @string @fast", "string",
       "1.0.0", "Adds a number to the integer value of a key (0 when it has none), atomically.",
       {key_arg(), integer_arg("increment")}, {}},
      {"decrby", 3, 1, 1, 1, &R::decrby, "write denyoom fast", "@write @string @fast", "string",
       "1.0.0", "Takes a number from the integer value of a key (0 when it has none), "
       "atomically.", {key_arg(), integer_arg("decrement")}, {}},
      {"incrbyfloat", 3, 1, 1, 1, &R::incrbyfloat, "write denyoom fast", "@write @string @fast",
       "string", "2.6.0",
       "Adds a decimal number to the value of a key (0 when it has none), atomically.",
       {key_arg(), {"increment", "double", {}, false, false, {}}}, {}},
      {"del", -2, 1, -1, 1, &R::del, "write", "@keyspace @write @slow", "generic", "1.0.0",
       "Deletes one or more keys; returns how many there were.", {keys_arg()}, {}},
      {"unlink", -2, 1, -1, 1, &R::del, "write fast", "@keyspace @write @fast", "generic",
       "4.0.0", "Deletes one or more keys, as DEL does (a delete writes a tombstone, so none "
       "waits on a large value's memory, which is what Redis's UNLINK is for).", {keys_arg()},
       {}},
      {"exists", -2, 1, -1, 1, &R::exists, "readonly fast", "@keyspace @read @fast", "generic",
       "3.0.3", "Counts the keys given that exist (a key given twice counts twice).",
       {keys_arg()}, {}},
      {"touch", -2, 1, -1, 1, &R::exists, "readonly fast", "@keyspace @read @fast", "generic",
       "3.2.1",
       "Counts the keys given that exist (vkv keeps no access times: nothing else to do).",
       {keys_arg()}, {}},
      {"type", 2, 1, 1, 1, &R::type, "readonly fast", "@keyspace @read @fast", "generic",
       "1.0.0", "Returns the type of a key's value: string, or none.", {key_arg()}, {}},
      {"dbsize", 1, 0, 0, 0, &R::dbsize, "readonly", "@keyspace @read @slow", "server", "1.0.0",
       "Returns the number of keys, counted: O(n) in vkv.", {}, {}},
      {"keys", 2, 0, 0, 0, &R::keys, "readonly", "@keyspace @read @slow @dangerous", "generic",
       "1.0.0", "Returns every key that matches a glob pattern: O(n), one reply.",
       {{"pattern", "pattern", {}, false, false, {}}}, {}},
      {"scan", -2, 0, 0, 0, &R::scan, "readonly", "@keyspace @read @slow", "generic", "2.8.0",
       "Iterates over the keys, a few at a time: every key present for the whole scan comes "
       "back once.",
       {integer_arg("cursor"), {"pattern", "pattern", "MATCH", true, false, {}},
        {"count", "integer", "COUNT", true, false, {}},
        {"type", "string", "TYPE", true, false, {}}},
       {}},
      {"flushdb", -1, 0, 0, 0, &R::flushdb, "write", "@keyspace @write @slow @dangerous",
       "server", "1.0.0", "Deletes every key, one after another: O(n), not atomic.",
       {{"flush-type", "oneof", {}, true, false, {token_arg("async", "ASYNC"), token_arg("sync", "SYNC")}}}, {}},
      {"flushall", -1, 0, 0, 0, &R::flushdb, "write", "@keyspace @write @slow @dangerous",
       "server", "1.0.0", "Deletes every key (vkv has one database): as FLUSHDB.",
       {{"flush-type", "oneof", {}, true, false, {token_arg("async", "ASYNC"), token_arg("sync", "SYNC")}}}, {}},
      {"ping", -1, 0, 0, 0, &R::ping, "fast", "@fast @connection", "connection", "1.0.0",
       "Returns PONG, or the message given.",
       {{"message", "string", {}, true, false, {}}}, {}},
      {"echo", 2, 0, 0, 0, &R::echo, "fast", "@fast @connection", "connection", "1.0.0",
       "Returns the message given.", {string_arg("message")}, {}},
      {"quit", -1, 0, 0, 0, &R::quit, "fast", "@fast @connection", "connection", "1.0.0",
       "Answers OK, then closes the connection.", {}, {}},
      {"hello", -1, 0, 0, 0, &R::hello, "fast", "@fast @connection", "connection", "6.0.0",
       "Handshakes with the server: picks the protocol (2 or 3), optionally authenticates and "
       "names the connection.",
       {{"arguments", "block", {}, true, false,
         {integer_arg("protover"),
          {"username-password", "block", "AUTH", true, false,
           {string_arg("username"), string_arg("password")}},
          {"clientname", "string", "SETNAME", true, false, {}}}}},
       {}},
      {"auth", -2, 0, 0, 0, &R::auth, "fast", "@fast @connection", "connection", "1.0.0",
       "Authenticates the connection (vkv has no passwords: as Redis with none set).",
       {{"username", "string", {}, true, false, {}}, string_arg("password")}, {}},
      {"select", 2, 0, 0, 0, &R::select, "fast", "@keyspace @fast", "connection", "1.0.0",
       "Changes the selected database: vkv has one, database 0.", {integer_arg("index")}, {}},
      {"client", -2, 0, 0, 0, nullptr, "", "@slow", "connection", "2.4.0",
       "A container for client connection commands.", {},
       {{"client|id", 2, 0, 0, 0, &R::client_id, "fast", "@fast @connection", "connection",
         "5.0.0", "Returns the unique id of the connection.", {}, {}},
        {"client|getname", 2, 0, 0, 0, &R::client_getname, "fast", "@fast @connection",
         "connection", "2.6.9", "Returns the name of the connection.", {}, {}},
        {"client|setname", 3, 0, 0, 0, &R::client_setname, "fast", "@fast @connection",
         "connection", "2.6.9", "Names the connection.", {string_arg("connection-name")}, {}},
        {"client|setinfo", 4, 0, 0, 0, &R::client_setinfo, "fast", "@fast @connection",
         "connection", "7.2.0", "Records the client library's name or version.",
         {{"attr", "oneof", {}, false, false,
           {{"libname", "string", "LIB-NAME", false, false, {}},
            {"libver", "string", "LIB-VER", false, false, {}}}}},
         {}},
        {"client|info", 2, 0, 0, 0, &R::client_info, "fast", "@fast @connection", "connection",
         "6.2.0", "Returns information about the connection.", {}, {}},
        {"client|help", 2, 0, 0, 0, &R::client_help, "fast", "@fast @connection", "connection",
         "5.0.0", "Returns helpful text about the subcommands.", {}, {}}}},
      {"command", -1, 0, 0, 0, &R::command, "loading stale", "@slow @connection", "server",
       "2.8.13", "Returns detailed information about every command.", {},
       {{"command|count", 2, 0, 0, 0, &R::command_count, "loading stale", "@slow @connection",
         "server", "2.8.13", "Returns how many commands there are.", {}, {}},
        {"command|docs", -2, 0, 0, 0, &R::command_docs, "loading stale", "@slow @connection",
         "server", "7.0.0", "Returns the documentation of commands (all when none is named).",
         {{"command-name", "string", {}, true, true, {}}}, {}},
        {"command|info", -2, 0, 0, 0, &R::command_info, "loading stale", "@slow @connection",
         "server", "2.8.13", "Returns information about commands (all when none is named).",
         {{"command-name", "string", {}, true, true, {}}}, {}},
        {"command|list", 2, 0, 0, 0, &R::command_list, "loading stale", "@slow @connection",
         "server", "7.0.0", "Returns the name of every command.", {}, {}},
        {"command|help", 2, 0, 0, 0, &R::command_help, "loading stale", "@slow @connection",
         "server", "5.0.0", "Returns helpful text about the subcommands.", {}, {}}}},
      {"config", -2, 0, 0, 0, nullptr, "", "@slow", "server", "2.0.0",
       "A container for server configuration commands.", {},
       {{"config|get", -3, 0, 0, 0, &R::config_get, "loading stale", "@admin @slow @dangerous",
         "server", "2.0.0", "Returns the settings whose names match the glob patterns.",
         {{"parameter", "pattern", {}, false, true, {}}}, {}},
        {"config|set", -4, 0, 0, 0, &R::config_set, "loading stale", "@admin @slow @dangerous",
         "server", "2.0.0", "Not in vkv: its settings are flags given at start-up.",
         {{"data", "block", {}, false, true, {string_arg("parameter"), string_arg("value")}}},
         {}},
        {"config|resetstat", 2, 0, 0, 0, &R::config_resetstat, "loading stale",
         "@admin @slow @dangerous", "server", "2.0.0", "Resets INFO's counters.", {}, {}},
        {"config|help", 2, 0, 0, 0, &R::config_help, "loading stale", "@slow", "server",
         "5.0.0", "Returns helpful text about the subcommands.", {}, {}}}},
      {"info", -1, 0, 0, 0, &R::info, "loading stale", "@slow @dangerous", "server", "1.0.0",
       "Returns information about the server: sections server, clients, persistence, stats, "
       "keyspace (keyspace counts the keys: O(n)).",
       {{"section", "string", {}, true, true, {}}}, {}},
      {"shutdown", -1, 0, 0, 0, &R::shutdown, "admin noscript loading stale no_multi allow_busy",
       "@admin @slow @dangerous", "server", "1.0.0",
       "Stops the server as SIGTERM does: what is in flight finishes, the log is synced, the "
       "connections close (vkv's data is its log and tables: SAVE and NOSAVE alike keep it).",
       {{"save-selector", "oneof", {}, true, false,
         {token_arg("nosave", "NOSAVE"), token_arg("save", "SAVE")}},
        {"now", "pure-token", "NOW", true, false, {}},
        {"force", "pure-token", "FORCE", true, false, {}},
        {"abort", "pure-token", "ABORT", true, false, {}}},
       {}},
  };
  return commands;
}
//! [table]

}  // namespace vkv::engine
