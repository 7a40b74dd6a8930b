// Whatever SET can store, GET gives back in a form that SET accepts again.
#include <catch2/catch.hpp>

#include <random>

#include "02-parsing/engine.hpp"
#include "02-parsing/lexer.hpp"
#include "02-parsing/memory_store.hpp"
#include "02-parsing/reply_encoder.hpp"
#include "02-parsing/text_session.hpp"

using namespace vkv;

namespace {

std::string random_bytes(std::mt19937& rng, std::size_t max_len) {
  std::string s(rng() % (max_len + 1), '\0');
  for (char& c : s) c = static_cast<char>(rng() % 256);
  return s;
}

// "SET <key> <value>\n" with both encoded as the encoder would.
std::string set_line(std::string_view key, std::string_view value) {
  std::string line = "SET ";
  protocol::append_token(&line, key);
  line += ' ';
  protocol::append_token(&line, value);
  return line + "\n";
}

}  // namespace

TEST_CASE("round trip: random byte strings SET then GET come back equal", "[ch02]") {
  std::mt19937 rng(2024);
  storage::MemoryStore store;
  engine::Engine engine(store);
  runtime::TextSession session(engine);
  protocol::Lexer lexer;
  for (int i = 0; i < 3000; ++i) {
    std::string key = random_bytes(rng, 24);
    if (key.empty()) key = "k";
    const std::string value = random_bytes(rng, 80);
    std::string out;
    std::string get_line = "GET ";
    protocol::append_token(&get_line, key);
    session.feed(set_line(key, value) + get_line + "\n", &out);
    REQUIRE(out.substr(0, 3) == "OK\n");
    const std::string reply = out.substr(3);
    REQUIRE(reply.substr(0, 6) == "VALUE ");
    REQUIRE(reply.back() == '\n');
    REQUIRE(std::count(reply.begin(), reply.end(), '\n') == 1);  // one line, whatever the bytes
    std::vector<std::string_view> tokens;
    REQUIRE(lexer.lex(std::string_view(reply).substr(0, reply.size() - 1), &tokens).is_ok());
    REQUIRE(tokens.size() == 2);
    CHECK(tokens[1] == value);
  }
}

TEST_CASE("encoder: quotes exactly when it must", "[ch02]") {
  CHECK_FALSE(protocol::needs_quotes("bar"));
  CHECK_FALSE(protocol::needs_quotes("h\xc3\xa9llo"));
  CHECK_FALSE(protocol::needs_quotes("a=b,c:d"));
  CHECK(protocol::needs_quotes(""));
  CHECK(protocol::needs_quotes("a b"));
  CHECK(protocol::needs_quotes("a\tb"));
  CHECK(protocol::needs_quotes("\"x"));
  CHECK(protocol::needs_quotes("back\\slash"));
  CHECK(protocol::needs_quotes(std::string("\0", 1)));
  CHECK(protocol::needs_quotes("\x7f"));
  std::string out;
  protocol::append_reply(&out, protocol::Reply::value(std::string("a \"b\"\n\0", 7)));
  CHECK(out == "VALUE \"a \\\"b\\\"\\n\\x00\"\n");
  out.clear();
  protocol::append_reply(&out, protocol::Reply::error("two\nlines"));
  CHECK(out == "ERR two lines\n");
}
