#include <catch2/catch.hpp>

#include "02-parsing/engine.hpp"
#include "02-parsing/memory_store.hpp"
#include "02-parsing/text_session.hpp"

using namespace vkv;
using protocol::Reply;
using protocol::ReplyKind;

namespace {

// A store whose every call fails, to see how the engine reports storage errors.
class BrokenStore : public storage::Store {
 public:
  Status set(std::string_view, std::string_view) override { return Status::io_error("disk full"); }
  Status get(std::string_view, std::string*) override { return Status::io_error("disk gone"); }
  Status del(std::string_view) override { return Status::io_error("disk full"); }
};

std::string run(engine::Engine& engine, const std::string& input) {
  runtime::TextSession session(engine);
  std::string out;
  session.feed(input, &out);
  session.finish(&out);
  return out;
}

}  // namespace

TEST_CASE("engine: commands map to store operations", "[ch02]") {
  storage::MemoryStore store;
  engine::Engine engine(store);
  CHECK(engine.execute(protocol::GetCommand{"k"}).kind == ReplyKind::kNotFound);
  CHECK(engine.execute(protocol::SetCommand{"k", "v"}).kind == ReplyKind::kOk);
  Reply r = engine.execute(protocol::GetCommand{"k"});
  CHECK(r.kind == ReplyKind::kValue);
  CHECK(r.text == "v");
  CHECK(engine.execute(protocol::DelCommand{"k"}).kind == ReplyKind::kOk);
  CHECK(engine.execute(protocol::DelCommand{"k"}).kind == ReplyKind::kOk);
  CHECK(engine.execute(protocol::GetCommand{"k"}).kind == ReplyKind::kNotFound);
}

TEST_CASE("engine: a storage failure is an ERR reply, never an OK", "[ch02]") {
  BrokenStore store;
  engine::Engine engine(store);
  CHECK(run(engine, "SET a b\nGET a\nDEL a\n") ==
        "ERR storage: IO error: disk full\n"
        "ERR storage: IO error: disk gone\n"
        "ERR storage: IO error: disk full\n");
}

TEST_CASE("session: replies come in order, one per non-empty line", "[ch02]") {
  storage::MemoryStore store;
  engine::Engine engine(store);
  CHECK(run(engine, "SET a 1\n\n  \nGET a\nGET b\nnope\nDEL a\n") ==
        "OK\nVALUE 1\nNOT_FOUND\nERR unknown command 'nope' (commands: SET, GET, DEL)\nOK\n");
}

TEST_CASE("session: a session goes on after every kind of error", "[ch02]") {
  storage::MemoryStore store;
  engine::Engine engine(store);
  runtime::TextSession session(engine, 20);
  std::string out;
  session.feed("SET \"x\nGET \"\\z\"\nSET k\n", &out);
  session.feed(std::string(100, 'y') + "\nSET k v\nGET k\n", &out);
  CHECK(out ==
        "ERR unbalanced quotes\n"
        "ERR bad escape '\\z' (use \\\" \\\\ \\n \\r \\t or \\xHH)\n"
        "ERR wrong number of arguments for 'SET' (usage: SET key value)\n"
        "ERR line too long (limit 20 bytes)\n"
        "OK\nVALUE v\n");
  CHECK(session.commands() == 6);
}
