#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "02-parsing/parser.hpp"

using namespace vkv::protocol;
using vkv::Status;

namespace {

vkv::Result<Command> parse(std::vector<std::string_view> tokens) { return parse_command(tokens); }

std::string error_of(std::vector<std::string_view> tokens) {
  auto r = parse(tokens);
  REQUIRE_FALSE(r.is_ok());
  return r.status().message();
}

}  // namespace

TEST_CASE("parser: SET, GET and DEL build their commands", "[ch02]") {
  auto set = parse({"SET", "k", "v"});
  REQUIRE(set.is_ok());
  REQUIRE(std::holds_alternative<SetCommand>(*set));
  CHECK(std::get<SetCommand>(*set).key == "k");
  CHECK(std::get<SetCommand>(*set).value == "v");

  auto get = parse({"GET", "k"});
  REQUIRE(get.is_ok());
  CHECK(std::get<GetCommand>(*get).key == "k");

  auto del = parse({"DEL", "k"});
  REQUIRE(del.is_ok());
  CHECK(std::get<DelCommand>(*del).key == "k");
}

TEST_CASE("parser: command names are case-insensitive", "[ch02]") {
  for (std::string_view name : {"set", "Set", "sEt", "SET"}) {
    auto r = parse({name, "k", "v"});
    REQUIRE(r.is_ok());
    CHECK(std::holds_alternative<SetCommand>(*r));
  }
  CHECK(parse({"get", "k"}).is_ok());
  CHECK(parse({"dEl", "k"}).is_ok());
}

TEST_CASE("parser: the empty value is allowed, the empty key is not", "[ch02]") {
  auto r = parse({"SET", "k", ""});
  REQUIRE(r.is_ok());
  CHECK(std::get<SetCommand>(*r).value.empty());
  CHECK(error_of({"SET", "", "v"}) == "empty key");
  CHECK(error_of({"GET", ""}) == "empty key");
  CHECK(error_of({"DEL", ""}) == "empty key");
}

TEST_CASE("parser: wrong argument counts name the command", "[ch02]") {
  CHECK(error_of({"SET"}) == "wrong number of arguments for 'SET' (usage: SET key value)");
  CHECK(error_of({"set", "k"}) == "wrong number of arguments for 'SET' (usage: SET key value)");
  CHECK(error_of({"SET", "k", "v", "extra"}) ==
        "wrong number of arguments for 'SET' (usage: SET key value)");
  CHECK(error_of({"GET"}) == "wrong number of arguments for 'GET' (usage: GET key)");
  CHECK(error_of({"GET", "a", "b"}) == "wrong number of arguments for 'GET' (usage: GET key)");
  CHECK(error_of({"DEL"}) == "wrong number of arguments for 'DEL' (usage: DEL key)");
}

TEST_CASE("parser: an unknown command is named", "[ch02]") {
  CHECK(error_of({"FROB"}) == "unknown command 'FROB' (commands: SET, GET, DEL)");
  CHECK(error_of({"SETX", "a", "b"}) == "unknown command 'SETX' (commands: SET, GET, DEL)");
  CHECK(error_of({std::string_view("\x01\n", 2)}) ==
        "unknown command '\\x01\\n' (commands: SET, GET, DEL)");
}
