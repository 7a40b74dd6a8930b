// SCAN in the text protocol: what parses and what is refused (each with its one-line error),
// the reply's lines read back unchanged by the lexer, and ScanCommand taking only SCAN lines.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "02-parsing/engine.hpp"
#include "02-parsing/lexer.hpp"
#include "02-parsing/memory_store.hpp"
#include "02-parsing/text_session.hpp"
#include "08-compaction/scan_command.hpp"

using vkv::Status;
using vkv::engine::kDefaultScanLimit;
using vkv::engine::kMaxScanLimit;
using vkv::engine::parse_scan;
using vkv::engine::ScanCommand;
using vkv::engine::ScanRequest;
using vkv::storage::ScanPage;

namespace {

std::vector<std::string_view> split(const std::string& line, vkv::protocol::Lexer& lexer) {
  std::vector<std::string_view> tokens;
  REQUIRE(lexer.lex(line, &tokens).is_ok());
  return tokens;
}

// The request `line` parses to, as "start|end|limit" ("-" for no end), or "ERR message".
std::string parsed(const std::string& line) {
  vkv::protocol::Lexer lexer;
  const auto tokens = split(line, lexer);
  auto r = parse_scan(tokens);
  if (!r.is_ok()) return "ERR " + r.status().message();
  return std::string(r->start) + "|" + (r->end ? std::string(*r->end) : "-") + "|" +
         std::to_string(r->limit);
}

// Answers every scan with `page` (or `error`), and remembers what it was asked.
class CannedStore final : public vkv::storage::OrderedStore {
 public:
  Status scan(std::string_view start, std::optional<std::string_view> end, std::size_t limit,
              ScanPage* page) override {
    asked = std::string(start) + "|" + (end ? std::string(*end) : "-") + "|" +
            std::to_string(limit);
    *page = answer;
    return error;
  }
  ScanPage answer;
  Status error;
  std::string asked;
};

}  // namespace

TEST_CASE("scan command: start, an optional end and an optional LIMIT, in any case",
          "[ch08][scan]") {
  CHECK(parsed("SCAN a") == "a|-|" + std::to_string(kDefaultScanLimit));
  CHECK(parsed("scan a c") == "a|c|100");
  CHECK(parsed("Scan a limit 5") == "a|-|5");
  CHECK(parsed("SCAN a c LIMIT 1000") == "a|c|1000");
  CHECK(parsed("SCAN \"\" LIMIT 1") == "|-|1");      // "": from the first key
  CHECK(parsed("SCAN a a") == "a|a|100");             // an empty range: END, not an error
  CHECK(parsed("SCAN LIMIT") == "LIMIT|-|100");       // a start key spelled LIMIT
  CHECK(parsed("SCAN a limit LIMIT 2") == "a|limit|2");  // an end key spelled LIMIT
  CHECK(parsed("SCAN \"a b\" \"b\\x00z\"") == std::string("a b|b\0z|100", 11));
}

TEST_CASE("scan command: bad input gets one clear error", "[ch08][scan]") {
  const std::string usage = " (usage: SCAN start [end] [LIMIT n])";
  const std::string arity = "ERR wrong number of arguments for 'SCAN'" + usage;
  const auto bad_limit = [](const std::string& n) {
    return "ERR bad LIMIT '" + n + "': expected a whole number from 1 to " +
           std::to_string(kMaxScanLimit);
  };
  CHECK(parsed("SCAN") == arity);
  CHECK(parsed("SCAN a b c") == arity);
  CHECK(parsed("SCAN a b c LIMIT 5") == arity);
  CHECK(parsed("SCAN a LIMIT 5 6") == arity);
  CHECK(parsed("SCAN a LIMIT") == "ERR LIMIT needs a number" + usage);
  CHECK(parsed("SCAN a b limit") == "ERR LIMIT needs a number" + usage);
  CHECK(parsed("SCAN a LIMIT 0") == bad_limit("0"));
  CHECK(parsed("SCAN a LIMIT -1") == bad_limit("-1"));
  CHECK(parsed("SCAN a LIMIT +5") == bad_limit("+5"));
  CHECK(parsed("SCAN a LIMIT 1001") == bad_limit("1001"));
  CHECK(parsed("SCAN a LIMIT 99999999999999999999999") == bad_limit("99999999999999999999999"));
  CHECK(parsed("SCAN a LIMIT ten") == bad_limit("ten"));
  CHECK(parsed("SCAN a LIMIT 1.5") == bad_limit("1.5"));
  CHECK(parsed("SCAN a LIMIT \"\"") == bad_limit(""));
  CHECK(parsed("SCAN a LIMIT \"5\\n\"") == bad_limit("5\\n"));
  CHECK(parsed("SCAN b a") == "ERR end 'a' is before start 'b'" + usage);
  CHECK(parsed("SCAN b \"\"") == "ERR end '' is before start 'b'" + usage);
}

TEST_CASE("scan command: every key and value comes back through the lexer unchanged",
          "[ch08][scan]") {
  ScanPage page;
  page.entries = {{"plain", "value"},
                  {"with space", ""},
                  {std::string("\0\n\"\\", 4), "\xff\xfe tail"},
                  {"caf\xc3\xa9", "\r\t"}};
  page.next = "next key";
  std::string out;
  vkv::engine::append_scan_reply(&out, page);
  CHECK(out ==
        "ENTRY plain value\n"
        "ENTRY \"with space\" \"\"\n"
        "ENTRY \"\\x00\\n\\\"\\\\\" \"\xff\xfe tail\"\n"
        "ENTRY caf\xc3\xa9 \"\\r\\t\"\n"
        "NEXT \"next key\"\n");
  vkv::protocol::Lexer lexer;
  std::size_t line_start = 0;
  for (const auto& e : page.entries) {
    const std::size_t nl = out.find('\n', line_start);
    const std::string line = out.substr(line_start, nl - line_start);
    const auto tokens = split(line, lexer);
    REQUIRE(tokens.size() == 3);
    CHECK(tokens[0] == "ENTRY");
    CHECK(tokens[1] == e.key);
    CHECK(tokens[2] == e.value);
    line_start = nl + 1;
  }
  page.entries.clear();
  page.next.reset();
  out.clear();
  vkv::engine::append_scan_reply(&out, page);
  CHECK(out == "END\n");
}

TEST_CASE("scan command: takes SCAN lines only, and says a storage error in one line",
          "[ch08][scan]") {
  auto owned = std::make_unique<CannedStore>();
  CannedStore& store = *owned;
  store.answer.entries = {{"a", "1"}};
  store.answer.next = "b";
  ScanCommand scan(std::move(owned));
  vkv::protocol::Lexer lexer;
  std::string out = "before\n";
  CHECK_FALSE(scan.run(split("GET a", lexer), &out));
  CHECK_FALSE(scan.run(split("SCANX a", lexer), &out));
  CHECK(out == "before\n");
  CHECK(scan.run(split("scan a z LIMIT 7", lexer), &out));
  CHECK(store.asked == "a|z|7");
  CHECK(out == "before\nENTRY a 1\nNEXT b\n");
  out.clear();
  store.asked.clear();
  CHECK(scan.run(split("SCAN a LIMIT 0", lexer), &out));
  CHECK(store.asked.empty());  // refused before the store is asked
  CHECK(out == "ERR bad LIMIT '0': expected a whole number from 1 to 1000\n");
  out.clear();
  store.error = Status::corruption("000007.sst: block 3: checksum mismatch");
  CHECK(scan.run(split("SCAN a", lexer), &out));
  CHECK(out == "ERR storage: corruption: 000007.sst: block 3: checksum mismatch\n");
}

TEST_CASE("scan command: a session with it names SCAN among the commands it knows",
          "[ch08][scan]") {
  vkv::storage::MemoryStore memory;
  vkv::engine::Engine engine(memory);
  ScanCommand scan(std::make_unique<CannedStore>());
  vkv::runtime::TextSession session(engine, vkv::protocol::kDefaultMaxLine, &scan);
  std::string out;
  session.feed("FROB x\n", &out);
  CHECK(out == "ERR unknown command 'FROB' (commands: SET, GET, DEL, SCAN)\n");
}
