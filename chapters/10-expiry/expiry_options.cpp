#include "10-expiry/expiry_options.hpp"

#include <limits>
#include <string>

#include "02-parsing/parser.hpp"
#include "09-resp/resp_parser.hpp"

namespace vkv::engine {

namespace {

using protocol::is_command;
using storage::UnixMillis;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

Status syntax_error() { return Status::invalid_argument(std::string(kSyntaxError)); }

// Which time option `word` is, if it is one.
std::optional<TimeArg> time_option(std::string_view word) {
  if (is_command(word, "EX")) return TimeArg{{}, TimeUnit::kSeconds, false};
  if (is_command(word, "PX")) return TimeArg{{}, TimeUnit::kMillis, false};
  if (is_command(word, "EXAT")) return TimeArg{{}, TimeUnit::kSeconds, true};
  if (is_command(word, "PXAT")) return TimeArg{{}, TimeUnit::kMillis, true};
  return std::nullopt;
}

// Whether `a` and `b` are the same option (EX twice): Redis lets the last of them count.
bool same_option(const TimeArg& a, const TimeArg& b) {
  return a.unit == b.unit && a.absolute == b.absolute;
}

}  // namespace

Status invalid_expire_time(std::string_view command) {
  return Status::invalid_argument("invalid expire time in '" + std::string(command) +
                                  "' command");
}

TimeUnit unit_of_command(std::string_view command) {
  return is_command(command.substr(0, 1), "P") && !is_command(command, "PERSIST")
             ? TimeUnit::kMillis
             : TimeUnit::kSeconds;
}

//! [deadline]
Result<UnixMillis> option_deadline(const TimeArg& time, UnixMillis now,
                                   std::string_view command) {
  const auto n = protocol::parse_redis_integer(time.number);
  if (!n) return Status::invalid_argument(std::string(kNotAnInteger));
  // Zero or less, or seconds that overflow as milliseconds.
  if (*n <= 0 || (time.unit == TimeUnit::kSeconds && *n > kMax / 1000)) {
    return invalid_expire_time(command);
  }
  const std::int64_t ms = time.unit == TimeUnit::kSeconds ? *n * 1000 : *n;
  if (time.absolute) return ms;
  if (ms > kMax - now) return invalid_expire_time(command);
  return ms + now;
}

Result<UnixMillis> expire_deadline(const TimeArg& time, UnixMillis now,
                                   std::string_view command) {
  const auto n = protocol::parse_redis_integer(time.number);
  if (!n) return Status::invalid_argument(std::string(kNotAnInteger));
  std::int64_t ms = *n;
  if (time.unit == TimeUnit::kSeconds) {
    if (ms > kMax / 1000 || ms < kMin / 1000) return invalid_expire_time(command);
    ms *= 1000;
  }
  const UnixMillis base = time.absolute ? 0 : now;
  if (ms > kMax - base) return invalid_expire_time(command);
  return ms + base;
}
//! [deadline]

//! [set-options]
Result<SetOptions> parse_set_options(std::span<const std::string_view> words) {
  SetOptions o;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string_view word = words[i];
    if (const auto time = time_option(word)) {  // the time options first: the common case
      if (i + 1 == words.size() || o.ttl == SetTtl::kKeep ||
          (o.ttl == SetTtl::kSet && !same_option(o.time, *time))) {
        return syntax_error();
      }
      o.ttl = SetTtl::kSet;
      o.time = *time;
      o.time.number = words[++i];
    } else if (is_command(word, "NX") && !o.if_present) {
      o.if_absent = true;
    } else if (is_command(word, "XX") && !o.if_absent) {
      o.if_present = true;
    } else if (is_command(word, "GET")) {
      o.get = true;
    } else if (is_command(word, "KEEPTTL") && o.ttl != SetTtl::kSet) {
      o.ttl = SetTtl::kKeep;
    } else {
      return syntax_error();
    }
  }
  return o;
}
//! [set-options]

Result<GetexOptions> parse_getex_options(std::span<const std::string_view> words) {
  GetexOptions o;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto time = time_option(words[i]);
    if (is_command(words[i], "PERSIST") && !o.time) {
      o.persist = true;
    } else if (time && i + 1 < words.size() && !o.persist &&
               (!o.time || same_option(*o.time, *time))) {
      o.time = *time;
      o.time->number = words[++i];
    } else {
      return syntax_error();
    }
  }
  return o;
}

// LEARNER: begin ExpireCondition::allows(): NX, XX, GT and LT against the current deadline; none counts as infinite
//! [expire-condition]
bool ExpireCondition::allows(std::optional<UnixMillis> current, UnixMillis deadline) const {
  if (nx && current) return false;
  if (xx && !current) return false;
  if (gt && (!current || deadline <= *current)) return false;  // none: infinite, never less
  if (lt && current && deadline >= *current) return false;     // none: infinite, always more
  return true;
}
// LEARNER: end

Result<ExpireCondition> parse_expire_condition(std::span<const std::string_view> words) {
  ExpireCondition c;
  for (const std::string_view word : words) {
    if (is_command(word, "NX")) {
      c.nx = true;
    } else if (is_command(word, "XX")) {
      c.xx = true;
    } else if (is_command(word, "GT")) {
      c.gt = true;
    } else if (is_command(word, "LT")) {
      c.lt = true;
    } else {
      return Status::invalid_argument("Unsupported option " + std::string(word));
    }
  }
  if (c.nx && (c.xx || c.gt || c.lt)) {
    return Status::invalid_argument(
        "NX and XX, GT or LT options at the same time are not compatible");
  }
  if (c.gt && c.lt) {
    return Status::invalid_argument("GT and LT options at the same time are not compatible");
  }
  return c;
}
//! [expire-condition]

}  // namespace vkv::engine
