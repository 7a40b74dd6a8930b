/// \file
/// RespWriter: replies in Redis's protocol, RESP2 or RESP3, appended to a buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vkv::protocol {

/// The digits Redis writes for a double: `inf`, `-inf`, `nan`, `0` or `-0`; an integral value
/// of magnitude up to 2^62 as an integer (`3`, not `3.0`); any other as the fewest digits that
/// read back as the same double, in plain notation (`0.1`, `1234.5`) unless that would take
/// more than about 7 zeros, then in scientific notation (`1e+21`, `1.5e-7`).
std::string format_double(double value);

/// The two versions of Redis's protocol a connection may speak. A connection starts in
/// RESP2; `HELLO 3` moves it to RESP3 and `HELLO 2` back.
enum class RespVersion { kResp2 = 2, kResp3 = 3 };

/// Appends replies to `*out` in the connection's version. Types RESP2 lacks are written as
/// Redis writes them to a RESP2 client: a map as a flat array of keys and values, a set as
/// an array, a boolean as the integer 1 or 0, a double as a bulk string, a null as the null
/// bulk string.
///
/// An aggregate (array, map, set) is its header followed by its elements, each written by
/// the next calls: the caller writes exactly as many as it announced (twice `n` for a map:
/// key, value, key, value...).
class RespWriter {
 public:
  /// A writer appending to `*out` (which must outlive it), in `version`.
  RespWriter(std::string* out, RespVersion version) : out_(out), version_(version) {}

  /// The version replies are written in.
  [[nodiscard]] RespVersion version() const { return version_; }
  /// Changes the version for the replies that follow (HELLO).
  void set_version(RespVersion version) { version_ = version; }
  /// Everything in the buffer written to: a caller that notes its size() before a command
  /// can look at the reply the command wrote (whether it is an error, `-...`).
  [[nodiscard]] std::string_view buffer() const { return *out_; }

  /// `+text`. REQUIRES: `text` holds no `\r` or `\n`.
  void simple(std::string_view text);
  /// `-text`, `text` starting with its code (`ERR ...`, `WRONGTYPE ...`, `NOPROTO ...`).
  /// A `\r` or `\n` in it is written as a space, so an error is always one line.
  void error(std::string_view text);
  /// `:n`.
  void integer(std::int64_t n);
  /// `$len` and the bytes: any bytes at all.
  void bulk(std::string_view bytes);
  /// No value: RESP2's null bulk string `$-1`, RESP3's `_`.
  void null();
  /// No array: RESP2's null array `*-1`, RESP3's `_`.
  void null_array();
  /// `*n`, then n elements.
  void array(std::size_t n);
  /// RESP3 `%n`, then n keys and values; RESP2 `*2n`.
  void map(std::size_t n);
  /// RESP3 `~n`; RESP2 `*n`. Then n elements.
  void set(std::size_t n);
  /// RESP3 `#t` or `#f`; RESP2 `:1` or `:0`.
  void boolean(bool value);
  /// RESP3 `,value`; RESP2 a bulk string of the same digits.
  void real(double value);
  /// RESP3 verbatim string `=len` with a 3-letter `format` (`txt`); RESP2 a bulk string.
  void verbatim(std::string_view format, std::string_view text);

 private:
  std::string* out_;
  RespVersion version_;
};

}  // namespace vkv::protocol
