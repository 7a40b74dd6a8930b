// RedisCommands: the string commands (GET, SET, SETNX, GETSET, GETDEL, MGET, MSET, STRLEN,
// APPEND, the INCR family and INCRBYFLOAT).
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "09-resp/command_helpers.hpp"
#include "09-resp/redis_commands.hpp"
#include "09-resp/resp_writer.hpp"

namespace vkv::engine {

Status RedisCommands::read(std::string_view key, std::optional<std::string>* value) {
  std::string bytes;
  const Status s = store_.get(key, &bytes);
  if (s.is_not_found()) {
    keyspace_misses_.fetch_add(1, std::memory_order_relaxed);
    value->reset();
    return Status::ok();
  }
  if (!s.is_ok()) return s;
  keyspace_hits_.fetch_add(1, std::memory_order_relaxed);
  *value = std::move(bytes);
  return Status::ok();
}

void RedisCommands::get(Args args, ClientState&, protocol::RespWriter& out) {
  std::optional<std::string> value;
  if (const Status s = read(args[1], &value); !s.is_ok()) return storage_error(out, s);
  value ? out.bulk(*value) : out.null();
}

//! [set]
void RedisCommands::set(Args args, ClientState&, protocol::RespWriter& out) {
  bool nx = false, xx = false, get = false;
  for (std::size_t i = 3; i < args.size(); ++i) {
    const std::string_view opt = args[i];
    if (is_command(opt, "NX") && !xx) {
      nx = true;
    } else if (is_command(opt, "XX") && !nx) {
      xx = true;
    } else if (is_command(opt, "GET")) {
      get = true;
    } else if (is_command(opt, "EX") || is_command(opt, "PX") ||
               is_command(opt, "EXAT") || is_command(opt, "PXAT") ||
               is_command(opt, "KEEPTTL")) {
      return out.error("ERR syntax error: vkv does not expire keys yet (no EX, PX, EXAT, "
                       "PXAT or KEEPTTL)");
    } else {
      return out.error("ERR syntax error");
    }
  }
  const std::string_view key = args[1];
  auto held = locks_.lock(key);
  std::optional<std::string> old;
  if (nx || xx || get) {
    if (const Status s = read(key, &old); !s.is_ok()) return storage_error(out, s);
  }
  const bool write = !(nx && old) && !(xx && !old);
  if (write) {
    if (const Status s = store_.set(key, args[2]); !s.is_ok()) return storage_error(out, s);
  }
  if (get) return old ? out.bulk(*old) : out.null();
  write ? out.simple("OK") : out.null();
}
//! [set]

void RedisCommands::setnx(Args args, ClientState&, protocol::RespWriter& out) {
  auto held = locks_.lock(args[1]);
  std::optional<std::string> old;
  if (const Status s = read(args[1], &old); !s.is_ok()) return storage_error(out, s);
  if (old) return out.integer(0);
  if (const Status s = store_.set(args[1], args[2]); !s.is_ok()) return storage_error(out, s);
  out.integer(1);
}

// GETSET key value: SET key value GET, in its older spelling.
void RedisCommands::getset(Args args, ClientState&, protocol::RespWriter& out) {
  auto held = locks_.lock(args[1]);
  std::optional<std::string> old;
  if (const Status s = read(args[1], &old); !s.is_ok()) return storage_error(out, s);
  if (const Status s = store_.set(args[1], args[2]); !s.is_ok()) return storage_error(out, s);
  old ? out.bulk(*old) : out.null();
}

void RedisCommands::getdel(Args args, ClientState&, protocol::RespWriter& out) {
  auto held = locks_.lock(args[1]);
  std::optional<std::string> old;
  if (const Status s = read(args[1], &old); !s.is_ok()) return storage_error(out, s);
  if (!old) return out.null();
  if (const Status s = store_.del(args[1]); !s.is_ok()) return storage_error(out, s);
  out.bulk(*old);
}

void RedisCommands::mget(Args args, ClientState&, protocol::RespWriter& out) {
  // Read all first: an error must be the whole reply, not an element of a half-written array.
  std::vector<std::optional<std::string>> values(args.size() - 1);
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (const Status s = read(args[i], &values[i - 1]); !s.is_ok()) return storage_error(out, s);
  }
  out.array(values.size());
  for (const auto& value : values) value ? out.bulk(*value) : out.null();
}

void RedisCommands::mset(Args args, ClientState&, protocol::RespWriter& out) {
  if (args.size() % 2 == 0) return out.error("ERR wrong number of arguments for 'mset' command");
  const std::size_t pairs = (args.size() - 1) / 2;
  for (std::size_t i = 0; i < pairs; ++i) {
    const std::string_view key = args[1 + 2 * i];
    auto held = locks_.lock(key);
    if (const Status s = store_.set(key, args[2 + 2 * i]); !s.is_ok()) {
      return storage_error(out, s, "MSET set the first " + std::to_string(i) + " of " +
                                       std::to_string(pairs) + " keys");
    }
  }
  out.simple("OK");
}

// MSETNX: all or nothing. Every key's lock is held from the check to the last write, so no
// other command sets one of the keys in between; a storage failure part way says how far it got.
void RedisCommands::msetnx(Args args, ClientState&, protocol::RespWriter& out) {
  if (args.size() % 2 == 0) return out.error("ERR wrong number of arguments for 'msetnx' command");
  const std::size_t pairs = (args.size() - 1) / 2;
  std::vector<std::string> keys;
  keys.reserve(pairs);
  for (std::size_t i = 0; i < pairs; ++i) keys.emplace_back(args[1 + 2 * i]);
  auto held = locks_.lock_all(keys);
  for (const std::string& key : keys) {  // a write's look, not a read: no hit or miss counted
    std::string value;
    const Status s = store_.get(key, &value);
    if (s.is_ok()) return out.integer(0);  // one exists: nothing is set
    if (!s.is_not_found()) return storage_error(out, s);
  }
  for (std::size_t i = 0; i < pairs; ++i) {
    if (const Status s = store_.set(keys[i], args[2 + 2 * i]); !s.is_ok()) {
      return storage_error(out, s, "MSETNX set the first " + std::to_string(i) + " of " +
                                       std::to_string(pairs) + " keys");
    }
  }
  out.integer(1);
}

void RedisCommands::strlen(Args args, ClientState&, protocol::RespWriter& out) {
  std::optional<std::string> value;
  if (const Status s = read(args[1], &value); !s.is_ok()) return storage_error(out, s);
  out.integer(value ? static_cast<std::int64_t>(value->size()) : 0);
}

void RedisCommands::append(Args args, ClientState&, protocol::RespWriter& out) {
  auto held = locks_.lock(args[1]);
  std::optional<std::string> value;
  if (const Status s = read(args[1], &value); !s.is_ok()) return storage_error(out, s);
  std::string joined = value ? std::move(*value) : std::string();
  joined.append(args[2]);
  if (const Status s = store_.set(args[1], joined); !s.is_ok()) return storage_error(out, s);
  out.integer(static_cast<std::int64_t>(joined.size()));
}

void RedisCommands::incr(Args args, ClientState&, protocol::RespWriter& out) {
  incr_by(args[1], 1, out);
}

void RedisCommands::decr(Args args, ClientState&, protocol::RespWriter& out) {
  incr_by(args[1], -1, out);
}

void RedisCommands::incrby(Args args, ClientState&, protocol::RespWriter& out) {
  const auto delta = parse_redis_integer(args[2]);
  if (!delta) return out.error(kNotInteger);
  incr_by(args[1], *delta, out);
}

void RedisCommands::decrby(Args args, ClientState&, protocol::RespWriter& out) {
  const auto delta = parse_redis_integer(args[2]);
  if (!delta) return out.error(kNotInteger);
  if (*delta == std::numeric_limits<std::int64_t>::min()) {  // its negation does not fit
    return out.error("ERR decrement would overflow");
  }
  incr_by(args[1], -*delta, out);
}

std::optional<long double> parse_redis_long_double(std::string_view text) {
  // Redis reads into a buffer of 5 KiB; a longer text is not a number it reads.
  constexpr std::size_t kMaxChars = 5 * 1024;
  if (text.empty() || text.size() >= kMaxChars) return std::nullopt;
  char buf[kMaxChars];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (std::isspace(static_cast<unsigned char>(buf[0]))) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long double value = std::strtold(buf, &end);
  if (*end != '\0') return std::nullopt;  // as Redis: up to the first NUL, all of it
  const bool out_of_range = errno == ERANGE && (std::isinf(value) || value == 0.0L);
  if (out_of_range || std::isnan(value)) return std::nullopt;
  return value;
}

std::string format_redis_long_double(long double value) {
  // 17 decimals, then the zeros after the point cut: 10.5 + 0.1 is "10.6", as Redis writes it.
  // %Lf of the largest long double is about 4,940 characters.
  std::string text(5 * 1024, '\0');
  const int n = std::snprintf(text.data(), text.size(), "%.17Lf", value);
  text.resize(static_cast<std::size_t>(std::max(n, 0)));
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

// INCRBYFLOAT key increment: adds a decimal number, in long double (as Redis does, so that
// the sums and their digits are Redis's), under the key's lock.
void RedisCommands::incrbyfloat(Args args, ClientState&, protocol::RespWriter& out) {
  constexpr std::string_view kNotFloat = "ERR value is not a valid float";
  const std::string_view key = args[1];
  auto held = locks_.lock(key);
  std::optional<std::string> value;
  if (const Status s = read(key, &value); !s.is_ok()) return storage_error(out, s);
  const auto current = value ? parse_redis_long_double(*value) : 0.0L;
  if (!current) return out.error(kNotFloat);
  const auto delta = parse_redis_long_double(args[2]);
  if (!delta) return out.error(kNotFloat);
  const long double sum = *current + *delta;
  if (std::isnan(sum) || std::isinf(sum)) {
    return out.error("ERR increment would produce NaN or Infinity");
  }
  const std::string text = format_redis_long_double(sum);
  if (const Status s = store_.set(key, text); !s.is_ok()) return storage_error(out, s);
  out.bulk(text);
}

// LEARNER: begin RedisCommands::incr_by(): under the key's lock, read the number (none is 0), add with an overflow check, write the sum
//! [incr-by]
void RedisCommands::incr_by(std::string_view key, std::int64_t delta, protocol::RespWriter& out) {
  auto held = locks_.lock(key);  // held from the read to the write: no write slips between
  std::optional<std::string> value;
  if (const Status s = read(key, &value); !s.is_ok()) return storage_error(out, s);
  std::int64_t n = 0;
  if (value) {
    const auto parsed = parse_redis_integer(*value);
    if (!parsed) return out.error(kNotInteger);
    n = *parsed;
  }
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  if ((delta > 0 && n > kMax - delta) || (delta < 0 && n < kMin - delta)) {
    return out.error("ERR increment or decrement would overflow");
  }
  n += delta;
  if (const Status s = store_.set(key, std::to_string(n)); !s.is_ok()) {
    return storage_error(out, s);
  }
  out.integer(n);
}
//! [incr-by]
// LEARNER: end

}  // namespace vkv::engine
