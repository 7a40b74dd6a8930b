// RespWriter: every reply type, in RESP2 and in RESP3, byte for byte; and Redis's digits for
// a double.
#include <catch2/catch.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "09-resp/resp_writer.hpp"

using vkv::protocol::format_double;
using vkv::protocol::RespVersion;
using vkv::protocol::RespWriter;

namespace {

// What `write` appends, written in `version`.
template <typename F>
std::string written(RespVersion version, F write) {
  std::string out;
  RespWriter w(&out, version);
  write(w);
  return out;
}

template <typename F>
std::string resp2(F write) { return written(RespVersion::kResp2, write); }
template <typename F>
std::string resp3(F write) { return written(RespVersion::kResp3, write); }

}  // namespace

TEST_CASE("resp writer: the types both versions share are written alike", "[ch09]") {
  for (RespVersion v : {RespVersion::kResp2, RespVersion::kResp3}) {
    CHECK(written(v, [](RespWriter& w) { w.simple("OK"); }) == "+OK\r\n");
    CHECK(written(v, [](RespWriter& w) { w.error("ERR unknown command"); }) ==
          "-ERR unknown command\r\n");
    CHECK(written(v, [](RespWriter& w) { w.integer(0); }) == ":0\r\n");
    CHECK(written(v, [](RespWriter& w) { w.integer(-42); }) == ":-42\r\n");
    CHECK(written(v, [](RespWriter& w) { w.integer(INT64_MIN); }) ==
          ":-9223372036854775808\r\n");
    CHECK(written(v, [](RespWriter& w) { w.bulk("hello"); }) == "$5\r\nhello\r\n");
    CHECK(written(v, [](RespWriter& w) { w.bulk(""); }) == "$0\r\n\r\n");
    CHECK(written(v, [](RespWriter& w) { w.array(2); w.bulk("a"); w.integer(1); }) ==
          "*2\r\n$1\r\na\r\n:1\r\n");
    CHECK(written(v, [](RespWriter& w) { w.array(0); }) == "*0\r\n");
  }
}

TEST_CASE("resp writer: a bulk string carries any bytes, CR, LF and NUL included", "[ch09]") {
  const std::string bytes("a\r\nb\0c", 6);
  CHECK(resp2([&](RespWriter& w) { w.bulk(bytes); }) == "$6\r\n" + bytes + "\r\n");
}

TEST_CASE("resp writer: an error is always one line", "[ch09]") {
  CHECK(resp2([](RespWriter& w) { w.error("ERR two\r\nlines"); }) == "-ERR two  lines\r\n");
}

TEST_CASE("resp writer: RESP3's types, and what a RESP2 client gets instead", "[ch09]") {
  CHECK(resp2([](RespWriter& w) { w.null(); }) == "$-1\r\n");
  CHECK(resp3([](RespWriter& w) { w.null(); }) == "_\r\n");
  CHECK(resp2([](RespWriter& w) { w.null_array(); }) == "*-1\r\n");
  CHECK(resp3([](RespWriter& w) { w.null_array(); }) == "_\r\n");
  CHECK(resp2([](RespWriter& w) { w.map(2); }) == "*4\r\n");
  CHECK(resp3([](RespWriter& w) { w.map(2); }) == "%2\r\n");
  CHECK(resp2([](RespWriter& w) { w.set(3); }) == "*3\r\n");
  CHECK(resp3([](RespWriter& w) { w.set(3); }) == "~3\r\n");
  CHECK(resp2([](RespWriter& w) { w.boolean(true); w.boolean(false); }) == ":1\r\n:0\r\n");
  CHECK(resp3([](RespWriter& w) { w.boolean(true); w.boolean(false); }) == "#t\r\n#f\r\n");
  CHECK(resp2([](RespWriter& w) { w.real(1.5); }) == "$3\r\n1.5\r\n");
  CHECK(resp3([](RespWriter& w) { w.real(1.5); }) == ",1.5\r\n");
  CHECK(resp2([](RespWriter& w) { w.verbatim("txt", "hi"); }) == "$2\r\nhi\r\n");
  CHECK(resp3([](RespWriter& w) { w.verbatim("txt", "hi"); }) == "=6\r\ntxt:hi\r\n");
}

TEST_CASE("resp writer: a map's keys and values follow its header (HELLO's reply shape)",
          "[ch09]") {
  auto hello = [](RespWriter& w) {
    w.map(2);
    w.bulk("server");
    w.bulk("vkv");
    w.bulk("proto");
    w.integer(3);
  };
  CHECK(resp2(hello) == "*4\r\n$6\r\nserver\r\n$3\r\nvkv\r\n$5\r\nproto\r\n:3\r\n");
  CHECK(resp3(hello) == "%2\r\n$6\r\nserver\r\n$3\r\nvkv\r\n$5\r\nproto\r\n:3\r\n");
}

TEST_CASE("resp writer: set_version changes the replies that follow", "[ch09]") {
  std::string out;
  RespWriter w(&out, RespVersion::kResp2);
  w.null();
  w.set_version(RespVersion::kResp3);
  CHECK(w.version() == RespVersion::kResp3);
  w.null();
  CHECK(out == "$-1\r\n_\r\n");
}

TEST_CASE("resp writer: doubles in Redis's digits, inf and nan in RESP3", "[ch09]") {
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(format_double(inf) == "inf");
  CHECK(format_double(-inf) == "-inf");
  CHECK(format_double(std::nan("")) == "nan");
  CHECK(format_double(-std::nan("")) == "nan");
  CHECK(format_double(0.0) == "0");
  CHECK(format_double(-0.0) == "-0");
  CHECK(format_double(3.0) == "3");
  CHECK(format_double(-12345.0) == "-12345");
  CHECK(format_double(0.1) == "0.1");
  CHECK(format_double(1.5) == "1.5");
  CHECK(format_double(-2.25) == "-2.25");
  CHECK(format_double(3.14159) == "3.14159");
  CHECK(format_double(0.001) == "0.001");
  CHECK(format_double(1e-7) == "1e-7");
  CHECK(format_double(1.5e-7) == "1.5e-7");
  CHECK(format_double(1e21) == "1e+21");
  CHECK(format_double(1e300) == "1e+300");
  CHECK(format_double(1.0 / 3) == "0.3333333333333333");
  CHECK(format_double(123456.789) == "123456.789");
  CHECK(format_double(5e-324) == "5e-324");
  CHECK(resp3([&](RespWriter& w) { w.real(inf); w.real(-inf); w.real(std::nan("")); }) ==
        ",inf\r\n,-inf\r\n,nan\r\n");
  CHECK(resp2([&](RespWriter& w) { w.real(inf); }) == "$3\r\ninf\r\n");
}

TEST_CASE("resp writer: every double's digits read back as the same double", "[ch09]") {
  for (double d : {0.1, 1.0 / 3, 2.0 / 3 * 1e10, 1e-5, 123.456e-3, 9007199254740993.0, 1e22,
                   4.9e-324, 1.7976931348623157e308, -8.5e-11}) {
    const std::string digits = format_double(d);
    INFO(digits);
    double back = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), back);
    CHECK(back == d);
  }
}
