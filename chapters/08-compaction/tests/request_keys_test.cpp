// request_keys: the keys a read's pipelined requests name, in both protocols, stopping at the first
// request cut short or malformed, never past the bytes it was given.
#include "08-compaction/request_keys.hpp"

#include <array>
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace {

std::vector<std::string> keys_of(std::string_view bytes, std::size_t room = 8) {
  std::array<vkv::protocol::RequestKey, 8> requests;
  const std::size_t n = vkv::protocol::request_keys(bytes, std::span(requests.data(), room));
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < n; ++i) keys.emplace_back(requests[i].key);
  return keys;
}

std::vector<std::string> commands_of(std::string_view bytes) {
  std::array<vkv::protocol::RequestKey, 8> requests;
  const std::size_t n = vkv::protocol::request_keys(bytes, requests);
  std::vector<std::string> commands;
  for (std::size_t i = 0; i < n; ++i) commands.emplace_back(requests[i].command);
  return commands;
}

using Keys = std::vector<std::string>;

}  // namespace

TEST_CASE("request keys: text lines name their second word", "[ch08][look-ahead]") {
  CHECK(keys_of("GET a\nSET b 1\r\nDEL  c\nINCR\td\n") == Keys{"a", "b", "c", "d"});
  CHECK(keys_of("PING\n\nGET a\n") == Keys{"a"});  // a one-word line and an empty one name none
  CHECK(keys_of("GET a\nGET b") == Keys{"a"});     // the last line is cut short
  CHECK(keys_of("") == Keys{});
  CHECK(commands_of("GET a\nset b 1\nPING\n") == Keys{"GET", "set"});  // each named key's
}

TEST_CASE("request keys: RESP arrays name their second element, any bytes in it",
          "[ch08][look-ahead]") {
  const std::string get = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
  const std::string set = "*3\r\n$3\r\nSET\r\n$4\r\nk\r\n2\r\n$5\r\nvalue\r\n";  // "k\r\n2"
  const std::string ping = "*1\r\n$4\r\nPING\r\n";
  CHECK(keys_of(get + set + ping + get) == Keys{"key", "k\r\n2", "key"});
  CHECK(keys_of(get + "GET text\n") == Keys{"key", "text"});  // each request by its first byte
  CHECK(commands_of(get + set + ping) == Keys{"GET", "SET"});
}

TEST_CASE("request keys: a RESP request cut short or malformed ends the list",
          "[ch08][look-ahead]") {
  const std::string get = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
  for (std::size_t cut = 1; cut < get.size(); ++cut) {
    INFO("cut after " << cut << " bytes");
    CHECK(keys_of(get + get.substr(0, cut)) == Keys{"key"});
  }
  CHECK(keys_of(get + "*x\r\n" + get) == Keys{"key"});
  CHECK(keys_of(get + "*2\r\n$-1\r\n" + get) == Keys{"key"});
  CHECK(keys_of(get + "*2\r\n:3\r\n" + get) == Keys{"key"});
  CHECK(keys_of(get + "*2\n$3\r\nGET\r\n$3\r\nkey\r\n") == Keys{"key"});
  CHECK(keys_of("*2\r\n$99999999999999999999\r\nGET\r\n") == Keys{});  // no overflow
  CHECK(keys_of("*99999999\r\n$3\r\nGET\r\n") == Keys{});              // a huge count, then nothing
}

TEST_CASE("request keys: never more than the room given", "[ch08][look-ahead]") {
  std::string many;
  for (int i = 0; i < 20; ++i) many += "GET k" + std::to_string(i) + "\n";
  CHECK(keys_of(many, 3) == Keys{"k0", "k1", "k2"});
  CHECK(keys_of(many, 0) == Keys{});
}

TEST_CASE("request keys: a read of one request is told apart cheaply", "[ch08][look-ahead]") {
  using vkv::protocol::may_hold_two_requests;
  const std::string get = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
  CHECK_FALSE(may_hold_two_requests(""));
  CHECK_FALSE(may_hold_two_requests(get));
  CHECK_FALSE(may_hold_two_requests("GET a\n"));
  CHECK_FALSE(may_hold_two_requests("GET a\r\n"));
  CHECK_FALSE(may_hold_two_requests("GET a"));  // cut short
  CHECK(may_hold_two_requests(get + get));
  CHECK(may_hold_two_requests(get + "*"));  // a second request begins
  CHECK(may_hold_two_requests("GET a\nGET b\n"));
  CHECK(may_hold_two_requests("GET a\nG"));
  // Only "surely one" matters: a value holding a '*' may say two, and the skim then finds one.
  CHECK(may_hold_two_requests("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n*\r\n"));
}
