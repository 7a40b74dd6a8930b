/// \file
/// RedisFixture: RedisCommands over a real LsmStore (chapter 5's, in a temporary directory)
/// and its LsmScanner, with one client; and helpers that spell RESP replies for the checks.
#pragma once

#include <catch2/catch.hpp>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "02-parsing/engine.hpp"
#include "05-sstables/lsm_store.hpp"
#include "08-compaction/lsm_scanner.hpp"
#include "09-resp/locked_store.hpp"
#include "09-resp/redis_commands.hpp"
#include "09-resp/resp_writer.hpp"
#include "common/testing/test_util.hpp"

namespace vkv::testing {

/// The words of `line`, split at single spaces (a request without spaces in its words).
inline std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> args;
  while (!line.empty()) {
    const auto space = line.find(' ');
    args.emplace_back(line.substr(0, space));
    if (space == std::string_view::npos) break;
    line.remove_prefix(space + 1);
  }
  return args;
}

/// An LsmStore in a temporary directory (sync never, the smallest memtable, so that a few
/// thousand keys make tables), its scanner, the key locks, and RedisCommands over them, plus
/// the text protocol's engine over a LockedStore on the same locks. SCAN's cursors start at 1.
class RedisFixture {
 public:
  explicit RedisFixture(Env& env = Env::posix(),
                        storage::SyncPolicy sync = storage::SyncPolicy::kNever) {
    storage::LsmStoreOptions o;
    o.durable.dir = dir_.file("data");
    o.durable.sync = sync;
    o.memtable_bytes = storage::kMinMemtableBytes;
    auto opened = storage::LsmStore::open(env, o);
    REQUIRE(opened.is_ok());
    store = std::move(opened).value();
    scanner = std::make_unique<storage::LsmScanner>(*store);
    engine::RedisServerInfo info;
    info.config = {{"dir", o.durable.dir}, {"appendfsync", "no"}};
    commands = std::make_unique<engine::RedisCommands>(*store, *scanner, locks, info, 1);
    text_store = std::make_unique<storage::LockedStore>(*store, locks);
    text = std::make_unique<engine::Engine>(*text_store);
    client.id = 7;
  }

  /// Runs the request `args` for `c` (default: the fixture's client); returns the reply's bytes.
  std::string run(const std::vector<std::string>& args, engine::ClientState* c = nullptr) {
    engine::ClientState& who = c != nullptr ? *c : client;
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    protocol::RespWriter writer(&out, who.version);
    commands->run(views, who, writer);
    return out;
  }
  /// run() of the words of `line`, split at spaces (for requests without spaces in them).
  std::string operator()(std::string_view line, engine::ClientState* c = nullptr) {
    return run(split_words(line), c);
  }

  TempDir dir_;
  std::unique_ptr<storage::LsmStore> store;
  std::unique_ptr<storage::LsmScanner> scanner;
  engine::KeyLocks locks;
  std::unique_ptr<engine::RedisCommands> commands;
  std::unique_ptr<storage::LockedStore> text_store;
  std::unique_ptr<engine::Engine> text;  ///< The text protocol's SET, GET, DEL.
  engine::ClientState client;             ///< The default client: RESP2, id 7.
};

// RESP spelled out, for the expected replies.
inline std::string simple(std::string_view s) { return "+" + std::string(s) + "\r\n"; }
inline std::string error(std::string_view s) { return "-" + std::string(s) + "\r\n"; }
inline std::string integer(long long n) { return ":" + std::to_string(n) + "\r\n"; }
inline std::string bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
inline std::string array(std::initializer_list<std::string> items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (const auto& i : items) out += i;
  return out;
}
inline const std::string kOk = "+OK\r\n";
inline const std::string kNil = "$-1\r\n";   ///< RESP2's null bulk string.
inline const std::string kNull3 = "_\r\n";   ///< RESP3's null.

}  // namespace vkv::testing
