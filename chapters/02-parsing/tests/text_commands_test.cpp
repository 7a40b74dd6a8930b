// TextCommands: what a program adds to the text protocol is offered each line first, and what
// it leaves goes to the parser as before.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "02-parsing/engine.hpp"
#include "02-parsing/memory_store.hpp"
#include "02-parsing/parser.hpp"
#include "02-parsing/reply_encoder.hpp"
#include "02-parsing/text_session.hpp"

using namespace vkv;

namespace {

// ECHO a b ...: one line per argument, then END. Also counts every line it was offered.
class EchoCommands final : public runtime::TextCommands {
 public:
  bool run(std::span<const std::string_view> tokens, std::string* out) override {
    ++offered;
    if (!protocol::is_command(tokens[0], "ECHO")) return false;
    if (tokens.size() < 2) {
      protocol::append_reply(out, protocol::Reply::error(
                                      protocol::wrong_arity("ECHO", "ECHO word...").message()));
      return true;
    }
    for (auto word : tokens.subspan(1)) {
      out->append("WORD ");
      protocol::append_token(out, word);
      out->push_back('\n');
    }
    out->append("END\n");
    return true;
  }
  int offered = 0;
};

}  // namespace

TEST_CASE("session: added commands see each command line first, and the rest is parsed as before",
          "[ch02]") {
  storage::MemoryStore store;
  engine::Engine engine(store);
  EchoCommands echo;
  runtime::TextSession session(engine, protocol::kDefaultMaxLine, &echo);
  std::string out;
  session.feed("SET a 1\necho x \"y z\" \"\\x00\"\n\nECHO\nGET a\nFROB\nSET \"x\n", &out);
  CHECK(out ==
        "OK\n"
        "WORD x\nWORD \"y z\"\nWORD \"\\x00\"\nEND\n"
        "ERR wrong number of arguments for 'ECHO' (usage: ECHO word...)\n"
        "VALUE 1\n"
        "ERR unknown command 'FROB' (commands: SET, GET, DEL)\n"
        "ERR unbalanced quotes\n");
  CHECK(echo.offered == 5);  // not the empty line, nor the line that did not lex
  CHECK(session.commands() == 6);
}

TEST_CASE("session: without added commands, a line they would take is unknown", "[ch02]") {
  storage::MemoryStore store;
  engine::Engine engine(store);
  runtime::TextSession session(engine);
  std::string out;
  session.feed("ECHO x\n", &out);
  CHECK(out == "ERR unknown command 'ECHO' (commands: SET, GET, DEL)\n");
}
