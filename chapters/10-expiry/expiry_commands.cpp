#include "10-expiry/expiry_commands.hpp"

#include <algorithm>
#include <string>

#include "09-resp/command_helpers.hpp"
#include "09-resp/resp_writer.hpp"

namespace vkv::engine {

struct ExpiryCommands::Row {
  CommandSpec spec;  ///< What COMMAND tells (its handler null: `handler` runs it).
  Handler handler;   ///< What runs it.
};

namespace {

using E = ExpiryCommands;

// Chapter 9's row of `name`, to build on: SET gains options, MSET keeps its row.
CommandSpec chapter9(std::string_view name) {
  const auto all = RedisCommands::table();
  auto it = std::find_if(all.begin(), all.end(), [&](const CommandSpec& s) { return s.name == name; });
  CommandSpec spec = *it;
  spec.handler = nullptr;
  return spec;
}

ArgDoc key_arg() { return {"key", "key", {}, false, false, {}}; }
ArgDoc time_arg(std::string_view name, std::string_view type, std::string_view token) {
  return {name, type, token, false, false, {}};
}
ArgDoc token_arg(std::string_view name, std::string_view token) {
  return {name, "pure-token", token, false, false, {}};
}
// EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds.
std::vector<ArgDoc> time_choices() {
  return {time_arg("seconds", "integer", "EX"), time_arg("milliseconds", "integer", "PX"),
          time_arg("unix-time-seconds", "unix-time", "EXAT"),
          time_arg("unix-time-milliseconds", "unix-time", "PXAT")};
}

//! [set-row]
CommandSpec set_spec() {
  CommandSpec spec = chapter9("set");
  spec.summary = "Sets the string value of a key, ignoring its type. The key is created if it "
                 "doesn't exist. A plain SET removes the key's expiry.";
  std::vector<ArgDoc> expiration = time_choices();
  expiration.push_back(token_arg("keepttl", "KEEPTTL"));
  spec.args.push_back({"expiration", "oneof", {}, true, false, std::move(expiration)});
  return spec;
}
//! [set-row]

// SETEX key seconds value, PSETEX key milliseconds value: SET ... EX (PX) in their older form,
// which clients still send.
CommandSpec setex_spec(std::string_view name, std::string_view time, std::string_view since,
                       std::string_view summary) {
  return {name, 4, 1, 1, 1, nullptr, "write denyoom", "@write @string @slow", "string", since,
          summary, {key_arg(), time_arg(time, "integer", {}), {"value", "string", {}, false,
          false, {}}}, {}};
}

// EXPIRE's family: key, time, [NX | XX | GT | LT].
CommandSpec expire_spec(std::string_view name, std::string_view time, std::string_view type,
                        std::string_view since, std::string_view summary) {
  return {name, -3, 1, 1, 1, nullptr, "write fast", "@keyspace @write @fast", "generic", since,
          summary,
          {key_arg(), time_arg(time, type, {}),
           {"condition", "oneof", {}, true, false,
            {token_arg("nx", "NX"), token_arg("xx", "XX"), token_arg("gt", "GT"),
             token_arg("lt", "LT")}}},
          {}};
}

// TTL's family: one key, read only.
CommandSpec key_reader(std::string_view name, std::string_view since, std::string_view summary) {
  return {name, 2, 1, 1, 1, nullptr, "readonly fast", "@keyspace @read @fast", "generic", since,
          summary, {key_arg()}, {}};
}

}  // namespace

std::span<const ExpiryCommands::Row> ExpiryCommands::rows() {
  static const std::vector<Row> rows = {
      {set_spec(), &E::set},
      {chapter9("mset"), &E::mset},
      {chapter9("getset"), &E::getset},
      {setex_spec("setex", "seconds", "2.0.0",
                  "Sets the string value and expiration time of a key. Creates the key if it "
                  "doesn't exist."), &E::setex},
      {setex_spec("psetex", "milliseconds", "2.6.0",
                  "Sets both string value and expiration time in milliseconds of a key. The key "
                  "is created if it doesn't exist."), &E::setex},
      {{"getex", -2, 1, 1, 1, nullptr, "write fast", "@write @string @fast", "string", "6.2.0",
        "Returns the string value of a key after setting its expiration time.",
        {key_arg(), {"expiration", "oneof", {}, true, false, [] {
                       auto c = time_choices();
                       c.push_back(token_arg("persist", "PERSIST"));
                       return c;
                     }()}},
        {}},
       &E::getex},
      {expire_spec("expire", "seconds", "integer", "1.0.0",
                   "Sets the expiration time of a key in seconds."), &E::expire},
      {expire_spec("pexpire", "milliseconds", "integer", "2.6.0",
                   "Sets the expiration time of a key in milliseconds."), &E::expire},
      {expire_spec("expireat", "unix-time-seconds", "unix-time", "1.2.0",
                   "Sets the expiration time of a key to a Unix timestamp."), &E::expire},
      {expire_spec("pexpireat", "unix-time-milliseconds", "unix-time", "2.6.0",
                   "Sets the expiration time of a key to a Unix milliseconds timestamp."),
       &E::expire},
      {{"persist", 2, 1, 1, 1, nullptr, "write fast", "@keyspace @write @fast", "generic",
        "2.2.0", "Removes the expiration time of a key.", {key_arg()}, {}},
       &E::persist},
      {key_reader("ttl", "1.0.0", "Returns the expiration time in seconds of a key."), &E::ttl},
      {key_reader("pttl", "2.6.0", "Returns the expiration time in milliseconds of a key."),
       &E::ttl},
      {key_reader("expiretime", "7.0.0", "Returns the expiration time of a key as a Unix "
                  "timestamp."), &E::expire_time},
      {key_reader("pexpiretime", "7.0.0", "Returns the expiration time of a key as a Unix "
                  "milliseconds timestamp."), &E::expire_time},
  };
  return rows;
}

std::vector<const CommandSpec*> ExpiryCommands::specs() {
  std::vector<const CommandSpec*> out;
  for (const Row& row : rows()) out.push_back(&row.spec);
  return out;
}

const ExpiryCommands::Row* ExpiryCommands::find_row(std::string_view name) {
  if (name.size() > 32) return nullptr;  // no command is that long; do not copy the bytes
  const std::string wanted = lower(name);
  for (const Row& row : rows()) {
    if (row.spec.name == wanted) return &row;
  }
  return nullptr;
}

const CommandSpec* ExpiryCommands::find(std::string_view name) {
  const Row* row = find_row(name);
  return row != nullptr ? &row->spec : nullptr;
}

//! [run]
void ExpiryCommands::run(std::span<const std::string_view> args, ClientState& client,
                         protocol::RespWriter& out) {
  const Row* row = find_row(args[0]);
  if (row == nullptr) return rest_.run(args, client, out);  // chapter 9's, as it was
  if (auto error = row_refusal(row->spec, args)) return out.error(*error);
  rest_.count_command();  // one that runs, as chapter 9's count
  (this->*row->handler)(args, out);
}
//! [run]

std::optional<std::string> ExpiryCommands::refusal(std::span<const std::string_view> args) const {
  const Row* row = find_row(args[0]);
  return row == nullptr ? rest_.refusal(args) : row_refusal(row->spec, args);
}

namespace {

// The error for a failed rule: the user's mistake in Redis's words, or the store's failure.
void rule_error(protocol::RespWriter& out, const Status& s) {
  if (s.code() == StatusCode::kInvalidArgument) return out.error("ERR " + s.message());
  storage_error(out, s);
}

}  // namespace

void ExpiryCommands::set(Args args, protocol::RespWriter& out) {
  auto options = parse_set_options(args.subspan(3));
  if (!options.is_ok()) return rule_error(out, options.status());
  auto done = rules_.set(args[1], args[2], *options);
  if (!done.is_ok()) return rule_error(out, done.status());
  if (options->get) {
    rest_.count_lookup(done->old.has_value());
    return done->old ? out.bulk(*done->old) : out.null();
  }
  done->written ? out.simple("OK") : out.null();
}

// GETSET: SET key value GET, which clears the deadline as SET does.
void ExpiryCommands::getset(Args args, protocol::RespWriter& out) {
  SetOptions options;
  options.get = true;
  auto done = rules_.set(args[1], args[2], options);
  if (!done.is_ok()) return rule_error(out, done.status());
  rest_.count_lookup(done->old.has_value());
  done->old ? out.bulk(*done->old) : out.null();
}

void ExpiryCommands::mset(Args args, protocol::RespWriter& out) {
  if (args.size() % 2 == 0) return out.error("ERR wrong number of arguments for 'mset' command");
  const std::size_t pairs = (args.size() - 1) / 2;
  for (std::size_t i = 0; i < pairs; ++i) {
    auto done = rules_.set(args[1 + 2 * i], args[2 + 2 * i], SetOptions{});  // clears deadlines
    if (!done.is_ok()) {
      return storage_error(out, done.status(), "MSET set the first " + std::to_string(i) +
                                                   " of " + std::to_string(pairs) + " keys");
    }
  }
  out.simple("OK");
}

// SETEX and PSETEX: a SET with EX (PX) whose time comes before the value; its errors name
// the command ('setex', 'psetex'), as Redis's do.
void ExpiryCommands::setex(Args args, protocol::RespWriter& out) {
  SetOptions options;
  options.ttl = SetTtl::kSet;
  options.time = TimeArg{args[2], unit_of_command(args[0]), false};
  auto done = rules_.set(args[1], args[3], options, lower(args[0]));
  if (!done.is_ok()) return rule_error(out, done.status());
  out.simple("OK");
}

void ExpiryCommands::getex(Args args, protocol::RespWriter& out) {
  auto options = parse_getex_options(args.subspan(2));
  if (!options.is_ok()) return rule_error(out, options.status());
  auto value = rules_.getex(args[1], *options);
  if (!value.is_ok()) return rule_error(out, value.status());
  rest_.count_lookup(value->has_value());
  *value ? out.bulk(**value) : out.null();
}

//! [expire-command]
void ExpiryCommands::expire(Args args, protocol::RespWriter& out) {
  auto done = rules_.expire(args[0], args[1], args[2], args.subspan(3));
  if (!done.is_ok()) return rule_error(out, done.status());
  out.integer(*done ? 1 : 0);
}
//! [expire-command]

void ExpiryCommands::persist(Args args, protocol::RespWriter& out) {
  auto done = rules_.persist(args[1]);
  if (!done.is_ok()) return rule_error(out, done.status());
  out.integer(*done ? 1 : 0);
}

void ExpiryCommands::ttl(Args args, protocol::RespWriter& out) {
  auto left = rules_.ttl(args[1], unit_of_command(args[0]));
  if (!left.is_ok()) return rule_error(out, left.status());
  rest_.count_lookup(*left != -2);
  out.integer(*left);
}

void ExpiryCommands::expire_time(Args args, protocol::RespWriter& out) {
  auto at = rules_.expire_time(args[1], unit_of_command(args[0]));
  if (!at.is_ok()) return rule_error(out, at.status());
  rest_.count_lookup(*at != -2);
  out.integer(*at);
}

}  // namespace vkv::engine
