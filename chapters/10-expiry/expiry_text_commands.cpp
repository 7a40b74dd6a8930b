#include "10-expiry/expiry_text_commands.hpp"

#include <array>

#include "02-parsing/parser.hpp"
#include "02-parsing/reply_encoder.hpp"
#include "09-resp/command_helpers.hpp"
#include "10-expiry/expiry_commands.hpp"

namespace vkv::engine {

namespace {

// The commands this offers, as the table names them; SET only with options.
constexpr std::array<std::string_view, 11> kCommands = {
    "set", "getex", "expire", "pexpire", "expireat", "pexpireat",
    "persist", "ttl", "pttl", "expiretime", "pexpiretime"};

void append_error(std::string* out, const Status& s) {
  const bool users = s.code() == StatusCode::kInvalidArgument;
  protocol::append_reply(out, protocol::Reply::error(users ? s.message()
                                                           : "storage: " + s.to_string()));
}

void append_integer(std::string* out, std::int64_t n) {
  out->append("INTEGER ");
  out->append(std::to_string(n));
  out->push_back('\n');
}

void append_value(std::string* out, const std::optional<std::string>& value) {
  protocol::append_reply(out, value ? protocol::Reply::value(*value)
                                    : protocol::Reply::not_found());
}

// The command `token` names, in lower case, if it is one of these.
std::optional<std::string> command_of(std::string_view token) {
  if (token.size() > 16) return std::nullopt;
  std::string name = lower(token);
  for (const auto c : kCommands) {
    if (c == name) return name;
  }
  return std::nullopt;
}

}  // namespace

ExpiryTextCommands::ExpiryTextCommands(ExpiryRules& rules,
                                       std::unique_ptr<runtime::TextCommands> next)
    : rules_(rules), next_(std::move(next)),
      names_("GETEX, EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, PERSIST, TTL, PTTL, EXPIRETIME, "
             "PEXPIRETIME") {
  if (next_ && !next_->names().empty()) names_ += ", " + std::string(next_->names());
}

bool ExpiryTextCommands::run(std::span<const std::string_view> tokens, std::string* out) {
  const auto name = command_of(tokens[0]);
  // SET key value alone is the parser's (plain SET: it clears the deadline all the same).
  if (!name || (*name == "set" && tokens.size() <= 3)) {
    return next_ != nullptr && next_->run(tokens, out);
  }
  run_command(*name, tokens, out);
  return true;
}

//! [text-run]
void ExpiryTextCommands::run_command(std::string_view name,
                                     std::span<const std::string_view> tokens,
                                     std::string* out) {
  const CommandSpec& spec = *ExpiryCommands::find(name);  // the same arity and keys as RESP
  if (!arity_fits(spec.arity, tokens.size())) {
    return append_error(out, Status::invalid_argument("wrong number of arguments for '" +
                                                      std::string(name) + "' command"));
  }
  if (has_empty_key(spec, tokens)) return append_error(out, Status::invalid_argument("empty key"));
  const std::string_view key = tokens[1];
  if (name == "set") {
    auto options = parse_set_options(tokens.subspan(3));
    if (!options.is_ok()) return append_error(out, options.status());
    auto done = rules_.set(key, tokens[2], *options);
    if (!done.is_ok()) return append_error(out, done.status());
    if (options->get) return append_value(out, done->old);
    out->append(done->written ? "OK\n" : "NOT_SET\n");
    return;
  }
  if (name == "getex") {
    auto options = parse_getex_options(tokens.subspan(2));
    if (!options.is_ok()) return append_error(out, options.status());
    auto value = rules_.getex(key, *options);
    if (!value.is_ok()) return append_error(out, value.status());
    return append_value(out, *value);
  }
  Result<std::int64_t> n = std::int64_t{0};
  if (name == "persist") {
    auto done = rules_.persist(key);
    n = done.is_ok() ? Result<std::int64_t>(*done ? 1 : 0) : done.status();
  } else if (name == "ttl" || name == "pttl") {
    n = rules_.ttl(key, unit_of_command(name));
  } else if (name == "expiretime" || name == "pexpiretime") {
    n = rules_.expire_time(key, unit_of_command(name));
  } else {  // EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT
    auto done = rules_.expire(name, key, tokens[2], tokens.subspan(3));
    n = done.is_ok() ? Result<std::int64_t>(*done ? 1 : 0) : done.status();
  }
  if (!n.is_ok()) return append_error(out, n.status());
  append_integer(out, *n);
}
//! [text-run]

}  // namespace vkv::engine
