// SCAN as users meet it: chapter 8's server (the real binary, CH08_SERVER) on a free port,
// over a real socket; the page's session (transcript), paging through a store whose keys
// live in tables and levels, the limits, quoting, and every bad input.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "02-parsing/lexer.hpp"
#include "02-parsing/reply_encoder.hpp"
#include "common/testing/test_util.hpp"
#include "common/testing/transcript.hpp"
#include "tests/support/server_process.hpp"

using vkv::testing::Client;
using vkv::testing::ServerProcess;
using vkv::testing::TempDir;

namespace {

std::unique_ptr<ServerProcess> start_server(const TempDir& dir, std::vector<std::string> args = {}) {
  args.insert(args.end(), {"--dir", dir.path(), "--sync", "never"});
  return std::make_unique<ServerProcess>(CH08_SERVER, args);
}

// `text` as one token of a command line (quoted and escaped when it must be).
std::string token(std::string_view text) {
  std::string out;
  vkv::protocol::append_token(&out, text);
  return out;
}

// One SCAN reply, read off the socket: its entries, and NEXT's key or "END".
struct Reply {
  std::vector<std::pair<std::string, std::string>> entries;
  std::string last;  // "NEXT <key>" as the key after "NEXT ", or "END", or the ERR line
};

Reply read_scan_reply(Client& c) {
  Reply r;
  vkv::protocol::Lexer lexer;
  std::vector<std::string_view> tokens;
  for (;;) {
    const auto line = c.read_line();
    REQUIRE(line.has_value());
    REQUIRE(lexer.lex(*line, &tokens).is_ok());
    REQUIRE_FALSE(tokens.empty());
    if (tokens[0] == "ENTRY") {
      REQUIRE(tokens.size() == 3);
      r.entries.emplace_back(tokens[1], tokens[2]);
      continue;
    }
    if (tokens[0] == "NEXT") {
      REQUIRE(tokens.size() == 2);
      r.last = "NEXT " + std::string(tokens[1]);
    } else {
      r.last = *line;  // END, or an error
    }
    return r;
  }
}

}  // namespace

TEST_CASE("scan server: the page's SCAN session (transcript), over a socket", "[ch08][e2e]") {
  TempDir dir;
  auto server = start_server(dir);
  const auto t = vkv::testing::load_transcript(CH08_TRANSCRIPTS, "scan.session");
  Client c(server->port());
  CHECK(vkv::testing::replay(c, t) == t.expected);
}

TEST_CASE("scan server: paging through a store whose keys live in tables and levels gives "
          "every live key once, in order, with its newest value", "[ch08][e2e]") {
  TempDir dir;
  auto server = start_server(dir, {"--memtable-bytes", "65536"});
  Client c(server->port());
  std::map<std::string, std::string> model;
  std::mt19937 rng(17);
  std::string batch;
  std::size_t replies = 0;
  for (int i = 0; i < 12000; ++i) {
    std::string key = "key" + std::to_string(rng() % 3000);
    if (i % 50 == 0) key += std::string("\0 \n", 3);  // bytes that must be quoted
    if (rng() % 5 == 0) {
      batch += "DEL " + token(key) + "\n";
      model.erase(key);
    } else {
      const std::string value = "v" + std::to_string(i) + std::string(rng() % 100, 'x');
      batch += "SET " + token(key) + " " + token(value) + "\n";
      model[key] = value;
    }
    ++replies;
  }
  REQUIRE(c.send(batch));
  for (std::size_t i = 0; i < replies; ++i) REQUIRE(c.read_line() == "OK");

  std::map<std::string, std::string> seen;
  std::string from;  // "": from the first key
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 1000);
    REQUIRE(c.send("SCAN " + token(from) + " LIMIT 97\n"));
    const Reply r = read_scan_reply(c);
    REQUIRE(r.entries.size() <= 97);
    for (const auto& [key, value] : r.entries) {
      if (!seen.empty()) REQUIRE(seen.rbegin()->first < key);
      seen[key] = value;
    }
    if (r.last == "END") break;
    REQUIRE(r.last.starts_with("NEXT "));
    REQUIRE(r.entries.size() == 97);
    from = r.last.substr(5);
  }
  CHECK(seen == model);
}

TEST_CASE("scan server: LIMIT's default and its most, binary keys, and bad input with the "
          "session going on", "[ch08][e2e]") {
  TempDir dir;
  auto server = start_server(dir);
  Client c(server->port());
  std::string batch;
  for (int i = 0; i < 1100; ++i) batch += "SET k" + std::to_string(10000 + i) + " v\n";
  REQUIRE(c.send(batch));
  for (int i = 0; i < 1100; ++i) REQUIRE(c.read_line() == "OK");

  REQUIRE(c.send("SCAN k\n"));
  Reply r = read_scan_reply(c);
  CHECK(r.entries.size() == 100);
  CHECK(r.last == "NEXT k10100");
  REQUIRE(c.send("scan k limit 1000\n"));
  r = read_scan_reply(c);
  CHECK(r.entries.size() == 1000);
  CHECK(r.last == "NEXT k11000");
  REQUIRE(c.send("SCAN k11000 k11002\n"));
  r = read_scan_reply(c);
  CHECK(r.entries.size() == 2);
  CHECK(r.last == "END");

  CHECK(c.call("SET \"\\x00 key\" \"a\\nb\"") == "OK");
  CHECK(c.call("SCAN \"\" \"\\x01\"") == "ENTRY \"\\x00 key\" \"a\\nb\"");
  CHECK(c.read_line() == "END");

  const std::string usage = " (usage: SCAN start [end] [LIMIT n])";
  CHECK(c.call("SCAN") == "ERR wrong number of arguments for 'SCAN'" + usage);
  CHECK(c.call("SCAN a b c") == "ERR wrong number of arguments for 'SCAN'" + usage);
  CHECK(c.call("SCAN a LIMIT") == "ERR LIMIT needs a number" + usage);
  for (const char* n : {"0", "-1", "1001", "99999999999999999999", "ten"}) {
    CHECK(c.call(std::string("SCAN a LIMIT ") + n) ==
          std::string("ERR bad LIMIT '") + n + "': expected a whole number from 1 to 1000");
  }
  CHECK(c.call("SCAN b a") == "ERR end 'a' is before start 'b'" + usage);
  CHECK(c.call("SCAN \"a") == "ERR unbalanced quotes");
  CHECK(c.call("GET k10000") == "VALUE v");  // and the session goes on
}
