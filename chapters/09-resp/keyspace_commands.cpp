// RedisCommands: the commands over keys (DEL, EXISTS, TYPE) and over the whole keyspace,
// which walk the keys in order (DBSIZE, KEYS, SCAN, FLUSHDB).
#include <algorithm>
#include <charconv>

#include "09-resp/command_helpers.hpp"
#include "09-resp/glob.hpp"
#include "09-resp/redis_commands.hpp"
#include "09-resp/resp_writer.hpp"

namespace vkv::engine {

namespace {

// How many keys a walk over the whole keyspace reads per page.
constexpr std::size_t kWalkPage = 1000;

}  // namespace

Status RedisCommands::for_each_key(std::string_view start, std::optional<std::string_view> end,
                                   const std::function<bool(std::string_view)>& each) {
  std::string from(start);
  storage::ScanPage page;
  for (;;) {
    if (const Status s = ordered_.scan(from, end, kWalkPage, &page); !s.is_ok()) return s;
    for (const auto& entry : page.entries) {
      if (!each(entry.key)) return Status::ok();
    }
    if (!page.next) return Status::ok();
    from = std::move(*page.next);
  }
}

Status RedisCommands::count_keys(std::uint64_t* count) {
  *count = 0;
  return for_each_key("", std::nullopt, [count](std::string_view) {
    ++*count;
    return true;
  });
}

void RedisCommands::del(Args args, ClientState&, protocol::RespWriter& out) {
  std::int64_t deleted = 0;
  for (std::size_t i = 1; i < args.size(); ++i) {
    auto held = locks_.lock(args[i]);  // so that the count is exact: no write in between
    std::optional<std::string> value;
    Status s = read(args[i], &value);
    if (s.is_ok() && value) s = store_.del(args[i]);
    if (!s.is_ok()) {
      return storage_error(out, s, "DEL deleted " + std::to_string(deleted) +
                                       " of the keys before this one");
    }
    if (value) ++deleted;
  }
  out.integer(deleted);
}

void RedisCommands::exists(Args args, ClientState&, protocol::RespWriter& out) {
  std::int64_t found = 0;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::optional<std::string> value;
    if (const Status s = read(args[i], &value); !s.is_ok()) return storage_error(out, s);
    if (value) ++found;
  }
  out.integer(found);
}

void RedisCommands::type(Args args, ClientState&, protocol::RespWriter& out) {
  std::optional<std::string> value;
  if (const Status s = read(args[1], &value); !s.is_ok()) return storage_error(out, s);
  out.simple(value ? "string" : "none");
}

void RedisCommands::dbsize(Args, ClientState&, protocol::RespWriter& out) {
  std::uint64_t count = 0;
  if (const Status s = count_keys(&count); !s.is_ok()) return storage_error(out, s);
  out.integer(static_cast<std::int64_t>(count));
}

void RedisCommands::keys(Args args, ClientState&, protocol::RespWriter& out) {
  const std::string_view pattern = args[1];
  // Every match starts with the pattern's literal prefix: only that range need be read.
  const std::string_view prefix = literal_prefix(pattern);
  const std::optional<std::string> end = prefix_end(prefix);
  std::vector<std::string> found;
  const Status s = for_each_key(prefix, end, [&](std::string_view key) {
    if (match_glob(pattern, key)) found.emplace_back(key);
    return true;
  });
  if (!s.is_ok()) return storage_error(out, s);
  out.array(found.size());
  for (const auto& key : found) out.bulk(key);
}

// LEARNER: begin RedisCommands::scan(): parse the cursor and options, resume at the cursor's key, read COUNT keys, filter, save where the next call resumes
//! [scan]
void RedisCommands::scan(Args args, ClientState&, protocol::RespWriter& out) {
  std::uint64_t cursor = 0;
  const std::string_view text = args[1];
  const auto [end_of_number, error] = std::from_chars(text.data(), text.data() + text.size(), cursor);
  if (text.empty() || error != std::errc() || end_of_number != text.data() + text.size()) {
    return out.error("ERR invalid cursor");
  }
  std::string_view pattern = "*";
  std::optional<std::string_view> type;
  std::size_t count = 10;  // Redis's default
  for (std::size_t i = 2; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) return out.error("ERR syntax error");
    if (is_command(args[i], "MATCH")) {
      pattern = args[i + 1];
    } else if (is_command(args[i], "COUNT")) {
      const auto n = parse_redis_integer(args[i + 1]);
      if (!n) return out.error(kNotInteger);
      if (*n < 1) return out.error("ERR syntax error");
      count = static_cast<std::size_t>(*n);
    } else if (is_command(args[i], "TYPE")) {
      type = args[i + 1];
    } else {
      return out.error("ERR syntax error");
    }
  }
  // Where this call starts: cursor 0 at the first key; any other at the key its call saved.
  const std::string_view prefix = literal_prefix(pattern);
  const std::optional<std::string> end = prefix_end(prefix);
  std::string start(prefix);
  if (cursor != 0) {
    std::optional<std::string> resume = cursors_.take(cursor);
    if (!resume) {
      return out.error("ERR invalid cursor: unknown, used already, or expired (vkv keeps a "
                       "cursor for one call, and only the newest " +
                       std::to_string(kMaxScanCursors) + "); start again from 0");
    }
    start = std::max(start, *resume);
  }
  storage::ScanPage page;
  if (!end || start < *end) {
    if (const Status s = ordered_.scan(start, end, count, &page); !s.is_ok()) {
      return storage_error(out, s);
    }
  }
  // Every value is a string: TYPE string keeps them all, any other type none.
  const bool type_matches = !type || is_command(*type, "STRING");
  std::vector<std::string_view> keys;
  for (const auto& entry : page.entries) {
    if (type_matches && match_glob(pattern, entry.key)) keys.push_back(entry.key);
  }
  const std::uint64_t next = page.next ? cursors_.save(std::move(*page.next)) : 0;
  out.array(2);
  out.bulk(std::to_string(next));
  out.array(keys.size());
  for (const auto key : keys) out.bulk(key);
}
//! [scan]
// LEARNER: end

void RedisCommands::flushdb(Args args, ClientState&, protocol::RespWriter& out) {
  if (args.size() > 2 || (args.size() == 2 && !is_command(args[1], "ASYNC") &&
                          !is_command(args[1], "SYNC"))) {
    return out.error("ERR syntax error");
  }
  // A page of keys, then their deletes: the walk does not read pages it is changing.
  std::uint64_t deleted = 0;
  std::string from;
  storage::ScanPage page;
  for (;;) {
    if (const Status s = ordered_.scan(from, std::nullopt, kWalkPage, &page); !s.is_ok()) {
      return storage_error(out, s, "FLUSHDB deleted " + std::to_string(deleted) + " keys");
    }
    for (const auto& entry : page.entries) {
      auto held = locks_.lock(entry.key);
      if (const Status s = store_.del(entry.key); !s.is_ok()) {
        return storage_error(out, s, "FLUSHDB deleted " + std::to_string(deleted) + " keys");
      }
      ++deleted;
    }
    if (!page.next) break;
    from = std::move(*page.next);
  }
  out.simple("OK");
}

}  // namespace vkv::engine
