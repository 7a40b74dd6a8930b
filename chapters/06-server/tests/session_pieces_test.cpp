// The pieces a connection feeds its session: as long as the session's next_piece() says (a
// line, by default), never more at once.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>

#include "02-parsing/session.hpp"
#include "06-server/tests/running_server.hpp"
#include "tests/support/server_process.hpp"

namespace {

// A session whose pieces are `size` bytes (the default, a line, when `size` is 0). Once a
// piece ends a line, it answers with every piece of that line, each in brackets, then a
// newline.
class PieceEcho final : public vkv::runtime::Session {
 public:
  explicit PieceEcho(std::size_t size) : size_(size) {}
  void feed(std::string_view bytes, std::string* out) override {
    pending_ += "[" + std::string(bytes) + "]";
    if (bytes.back() == '\n') {
      out->append(pending_ + "\n");
      pending_.clear();
    }
  }
  void finish(std::string* /*out*/) override {}
  [[nodiscard]] std::size_t next_piece(std::string_view rest) const override {
    return size_ == 0 ? Session::next_piece(rest) : std::min(size_, rest.size());
  }

 private:
  std::size_t size_;
  std::string pending_;
};

// A server whose sessions are PieceEcho(size).
struct EchoServer {
  explicit EchoServer(std::size_t size)
      : running(durability, [size] { return std::make_unique<PieceEcho>(size); }) {}
  vkv::testing::NoDisk durability;
  vkv::testing::RunningServer running;
};

}  // namespace

TEST_CASE("session pieces: the connection feeds what next_piece() says, a line by default",
          "[ch06]") {
  SECTION("a line") {
    EchoServer s(0);
    vkv::testing::Client c(s.running.server->port());
    REQUIRE(c.send("ab\ncdefg\n"));  // one write, most likely one read
    CHECK(c.read_line() == "[ab");
    CHECK(c.read_line() == "]");
    CHECK(c.read_line() == "[cdefg");
    CHECK(c.read_line() == "]");
  }
  SECTION("three bytes") {
    EchoServer s(3);
    vkv::testing::Client c(s.running.server->port());
    REQUIRE(c.send("abcdefgh\n"));
    CHECK(c.read_line() == "[abc][def][gh");
    CHECK(c.read_line() == "]");
  }
}
