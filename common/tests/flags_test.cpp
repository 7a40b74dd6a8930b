#include <catch2/catch.hpp>

#include <sstream>

#include "common/flags.hpp"

using vkv::Flags;

namespace {

Flags::Outcome parse(Flags& flags, std::vector<const char*> args, std::string* err = nullptr) {
  args.insert(args.begin(), "prog");
  std::ostringstream out, errs;
  auto outcome = flags.parse(static_cast<int>(args.size()), args.data(), out, errs);
  if (err != nullptr) *err = errs.str();
  return outcome;
}

}  // namespace

TEST_CASE("sizes take K, M and G suffixes", "[common]") {
  std::size_t v = 0;
  CHECK(vkv::parse_size("4096", &v));
  CHECK(v == 4096);
  CHECK(vkv::parse_size("64K", &v));
  CHECK(v == 64 * 1024);
  CHECK(vkv::parse_size("4M", &v));
  CHECK(v == 4u << 20);
  CHECK(vkv::parse_size("1g", &v));
  CHECK(v == 1u << 30);
  v = 7;
  CHECK_FALSE(vkv::parse_size("", &v));
  CHECK_FALSE(vkv::parse_size("K", &v));
  CHECK_FALSE(vkv::parse_size("-1", &v));
  CHECK_FALSE(vkv::parse_size("12X", &v));
  CHECK_FALSE(vkv::parse_size("99999999999999999999", &v));
  CHECK_FALSE(vkv::parse_size("99999999999999G", &v));
  CHECK(v == 7);  // untouched by the failures
}

TEST_CASE("flags parse both --name value and --name=value", "[common]") {
  std::size_t limit = 10;
  std::string dir = "./data";
  std::string sync = "always";
  bool repair = false;
  Flags flags("prog", "a test");
  flags.add_size("max-line", &limit, "longest line");
  flags.add_string("dir", &dir, "data directory");
  flags.add_choice("sync", &sync, {"always", "everysec", "never"}, "sync policy");
  flags.add_bool("repair", &repair, "repair the log");

  REQUIRE(parse(flags, {"--max-line", "64K", "--dir=/tmp/x", "--sync", "never", "--repair"}) ==
          Flags::Outcome::kRun);
  CHECK(limit == 64 * 1024);
  CHECK(dir == "/tmp/x");
  CHECK(sync == "never");
  CHECK(repair);
}

TEST_CASE("bad flags are reported in one line and stop the program", "[common]") {
  std::size_t limit = 10;
  std::string sync = "always";
  bool repair = false;
  Flags flags("prog", "a test");
  flags.add_size("max-line", &limit, "longest line");
  flags.add_choice("sync", &sync, {"always", "everysec", "never"}, "sync policy");
  flags.add_bool("repair", &repair, "repair the log");
  std::string err;

  CHECK(parse(flags, {"--nope"}, &err) == Flags::Outcome::kExitError);
  CHECK(err == "prog: unknown flag --nope (try --help)\n");
  CHECK(parse(flags, {"--max-line"}, &err) == Flags::Outcome::kExitError);
  CHECK(err.find("--max-line needs a value") != std::string::npos);
  CHECK(parse(flags, {"--max-line", "lots"}, &err) == Flags::Outcome::kExitError);
  CHECK(err.find("bad value 'lots' for --max-line") != std::string::npos);
  CHECK(parse(flags, {"--sync", "sometimes"}, &err) == Flags::Outcome::kExitError);
  CHECK(err.find("one of always everysec never") != std::string::npos);
  CHECK(parse(flags, {"--repair=yes"}, &err) == Flags::Outcome::kExitError);
  CHECK(parse(flags, {"stray"}, &err) == Flags::Outcome::kExitError);
  CHECK(limit == 10);
  CHECK(sync == "always");
}

TEST_CASE("a bounded size flag refuses a value past its limit and names the limit", "[common]") {
  std::size_t micros = 50;
  Flags flags("prog", "a test");
  flags.add_size_at_most("poll-us", &micros, 1000000, "microseconds");
  std::string err;
  CHECK(parse(flags, {"--poll-us", "1000001"}, &err) == Flags::Outcome::kExitError);
  CHECK(err.find("bad value '1000001' for --poll-us") != std::string::npos);
  CHECK(err.find("a size from 0 to 1000000") != std::string::npos);
  CHECK(parse(flags, {"--poll-us", "lots"}, &err) == Flags::Outcome::kExitError);
  CHECK(micros == 50);
  CHECK(parse(flags, {"--poll-us", "1000000"}) == Flags::Outcome::kRun);
  CHECK(micros == 1000000);
  CHECK(parse(flags, {"--poll-us=0"}) == Flags::Outcome::kRun);
  CHECK(micros == 0);
}

TEST_CASE("--help lists every flag with its default", "[common]") {
  std::size_t limit = 65536;
  Flags flags("prog", "a test");
  flags.add_size("max-line", &limit, "longest line");
  CHECK(parse(flags, {"--help"}) == Flags::Outcome::kExitOk);
  const std::string usage = flags.usage();
  CHECK(usage.find("--max-line") != std::string::npos);
  CHECK(usage.find("(default: 65536)") != std::string::npos);
  CHECK(usage.find("--help") != std::string::npos);
}

TEST_CASE("parse_main says whether to run, or the exit code", "[common]") {
  std::size_t n = 0;
  Flags flags("prog", "a test program");
  flags.add_size("n", &n, "a number");
  const char* run[] = {"prog", "--n", "3"};
  CHECK_FALSE(flags.parse_main(3, run).has_value());
  CHECK(n == 3);
  const char* bad[] = {"prog", "--n", "lots"};
  CHECK(flags.parse_main(3, bad) == 2);
}
