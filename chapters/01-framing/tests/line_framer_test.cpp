#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "01-framing/line_framer.hpp"

using vkv::protocol::Frame;
using vkv::protocol::FrameKind;
using vkv::protocol::LineFramer;

namespace {

// A framer event, owned, so tests can compare lists of them.
struct Event {
  FrameKind kind;
  std::string line;
  bool operator==(const Event& o) const { return kind == o.kind && line == o.line; }
};

std::ostream& operator<<(std::ostream& os, const Event& e) {
  const char* names[] = {"line", "too-long", "partial"};
  return os << names[static_cast<int>(e.kind)] << "(" << e.line << ")";
}

// Feeds `pieces` one after another, then finishes; returns every event.
std::vector<Event> frame_pieces(const std::vector<std::string>& pieces,
                                std::size_t max_line = vkv::protocol::kDefaultMaxLine) {
  LineFramer framer(max_line);
  std::vector<Event> events;
  auto collect = [&](const Frame& f) { events.push_back({f.kind, std::string(f.line)}); };
  for (const auto& p : pieces) framer.feed(p, collect);
  framer.finish(collect);
  return events;
}

std::vector<Event> frame_all(const std::string& input,
                             std::size_t max_line = vkv::protocol::kDefaultMaxLine) {
  return frame_pieces({input}, max_line);
}

Event line(std::string s) { return {FrameKind::kLine, std::move(s)}; }
Event too_long() { return {FrameKind::kTooLong, ""}; }
Event partial(std::string s) { return {FrameKind::kPartial, std::move(s)}; }

}  // namespace

TEST_CASE("one piece may hold many lines", "[ch01]") {
  CHECK(frame_all("SET a 1\nGET a\nDEL a\n") ==
        std::vector<Event>{line("SET a 1"), line("GET a"), line("DEL a")});
}

TEST_CASE("lines end in LF or CRLF, and only the final CR is trimmed", "[ch01]") {
  CHECK(frame_all("a\r\nb\nc\r\r\nd\re\n") ==
        std::vector<Event>{line("a"), line("b"), line("c\r"), line("d\re")});
}

TEST_CASE("empty lines are lines", "[ch01]") {
  CHECK(frame_all("\n\r\n\nx\n") ==
        std::vector<Event>{line(""), line(""), line(""), line("x")});
}

TEST_CASE("NUL bytes are ordinary bytes", "[ch01]") {
  const std::string input("a\0b\n\0\n", 6);
  CHECK(frame_all(input) ==
        std::vector<Event>{line(std::string("a\0b", 3)), line(std::string("\0", 1))});
}

TEST_CASE("a partial line at end of input is reported, never dropped", "[ch01]") {
  CHECK(frame_all("GET a\nGET b") == std::vector<Event>{line("GET a"), partial("GET b")});
  CHECK(frame_all("GET a\r") == std::vector<Event>{partial("GET a\r")});
  CHECK(frame_all("").empty());
  CHECK(frame_all("x\n") == std::vector<Event>{line("x")});
}

TEST_CASE("splitting the input at every offset gives the same lines", "[ch01]") {
  const std::string input = "SET key value\r\nGET key\n\nDEL key\nGET \"a b\"\r\nlast";
  const auto expected = frame_all(input);
  REQUIRE(expected.size() == 6);
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    INFO("cut at " << cut);
    CHECK(frame_pieces({input.substr(0, cut), input.substr(cut)}) == expected);
  }
  for (std::size_t a = 0; a <= input.size(); ++a) {
    for (std::size_t b = a; b <= input.size(); ++b) {
      INFO("cuts at " << a << " and " << b);
      CHECK(frame_pieces({input.substr(0, a), input.substr(a, b - a), input.substr(b)}) ==
            expected);
    }
  }
  std::vector<std::string> bytes;
  for (char c : input) bytes.emplace_back(1, c);
  CHECK(frame_pieces(bytes) == expected);
}

TEST_CASE("random splits of random lines give the same lines", "[ch01]") {
  std::mt19937 rng(42);
  std::string input;
  for (int i = 0; i < 200; ++i) {
    const int len = static_cast<int>(rng() % 40);
    for (int j = 0; j < len; ++j) input.push_back(static_cast<char>(rng() % 256 == '\n' ? 'x' : rng() % 256));
    input += (rng() % 2 != 0) ? "\r\n" : "\n";
  }
  const auto expected = frame_all(input, 30);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<std::string> pieces;
    for (std::size_t pos = 0; pos < input.size();) {
      const std::size_t n = std::min<std::size_t>(input.size() - pos, 1 + rng() % 17);
      pieces.push_back(input.substr(pos, n));
      pos += n;
    }
    CHECK(frame_pieces(pieces, 30) == expected);
  }
}

TEST_CASE("the limit: a line may be exactly max_line bytes, not one more", "[ch01]") {
  const std::string at_limit(10, 'a');
  const std::string over(11, 'b');
  CHECK(frame_all(at_limit + "\n", 10) == std::vector<Event>{line(at_limit)});
  CHECK(frame_all(at_limit + "\r\n", 10) == std::vector<Event>{line(at_limit)});
  CHECK(frame_all(over + "\nok\n", 10) == std::vector<Event>{too_long(), line("ok")});
  CHECK(frame_all(over + "\r\nok\n", 10) == std::vector<Event>{too_long(), line("ok")});
  // The same, one byte at a time.
  std::vector<std::string> bytes;
  for (char c : at_limit + "\r\n" + over + "\r\nok\n") bytes.emplace_back(1, c);
  CHECK(frame_pieces(bytes, 10) == std::vector<Event>{line(at_limit), too_long(), line("ok")});
}

TEST_CASE("a too-long line is reported once and framing goes on after it", "[ch01]") {
  for (std::size_t split = 1; split < 40; ++split) {
    INFO("pieces of " << split << " bytes");
    const std::string input = "GET a\n" + std::string(35, 'x') + "\nGET b\n";
    std::vector<std::string> pieces;
    for (std::size_t pos = 0; pos < input.size(); pos += split) pieces.push_back(input.substr(pos, split));
    CHECK(frame_pieces(pieces, 16) == std::vector<Event>{line("GET a"), too_long(), line("GET b")});
  }
}

TEST_CASE("memory stays bounded however long the line", "[ch01]") {
  LineFramer framer(1024);
  std::size_t too_long_count = 0;
  std::size_t most_buffered = 0;
  auto count = [&](const Frame& f) { too_long_count += f.kind == FrameKind::kTooLong; };
  const std::string chunk(1000, 'z');
  for (int i = 0; i < 10000; ++i) {  // a 10 MB line with no newline
    framer.feed(chunk, count);
    most_buffered = std::max(most_buffered, framer.buffered());
  }
  CHECK(most_buffered <= 1025);
  CHECK(too_long_count == 1);
  std::vector<std::string> after;
  framer.feed("tail\nSET a b\n", [&](const Frame& f) { after.emplace_back(f.line); });
  CHECK(after == std::vector<std::string>{"SET a b"});
  framer.finish(count);
  CHECK(too_long_count == 1);  // ending inside a discarded line adds no second report
}

TEST_CASE("a partial line that is too long is reported as too long, not partial", "[ch01]") {
  CHECK(frame_all(std::string(50, 'x'), 16) == std::vector<Event>{too_long()});
}
