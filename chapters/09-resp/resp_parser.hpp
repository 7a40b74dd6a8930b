/// \file
/// RespParser: Redis's requests (arrays of bulk strings) read from bytes that arrive in pieces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vkv::protocol {

//! [resp-limits]
/// The largest bulk string a request may carry: 16 MiB. Redis allows 512 MB
/// (proto-max-bulk-len), but vkv writes a SET's key and value into one log record of at most
/// 64 MiB (chapter 3's LogFormat::kMaxPayload): two bulks of this size always fit, and a
/// larger value could never be stored anyway.
inline constexpr std::size_t kDefaultMaxBulkBytes = 16u << 20;
/// The most arguments one request may have (the command's name included): 1,048,576. Each
/// costs the parser a few words besides its bytes, so this bounds that bookkeeping to tens
/// of MiB. (Redis's only bound is INT_MAX.)
inline constexpr std::size_t kDefaultMaxArgs = 1u << 20;
/// The longest request in Redis's inline form (a line of words): 64 KiB, Redis's own limit
/// (PROTO_INLINE_MAX_SIZE).
inline constexpr std::size_t kMaxInlineBytes = 64u << 10;
/// The most bulk bytes one request may carry in all: 64 MiB, one log record's worth. With
/// the two limits above it bounds what one connection's request can make the server hold.
/// (Redis bounds a client's whole query buffer instead: client-query-buffer-limit, 1 GB.)
inline constexpr std::size_t kDefaultMaxRequestBytes = 64u << 20;

/// The integer `text` spells as Redis reads one: optional `-`, then decimal digits with no
/// leading zero ("0" itself aside), within int64. No `+`, no spaces, no "-0": anything else is
/// not an integer (so a length of `007`, or INCR of "007", is an error, as in Redis).
std::optional<std::int64_t> parse_redis_integer(std::string_view text);

/// What a RESP request may be. A request over a limit is refused as soon as the header that
/// announces it has been read, before any of its bytes are buffered.
struct RespLimits {
  std::size_t max_bulk_bytes = kDefaultMaxBulkBytes;        ///< One bulk string's length.
  std::size_t max_args = kDefaultMaxArgs;                   ///< Elements of one request.
  std::size_t max_request_bytes = kDefaultMaxRequestBytes;  ///< Sum of a request's bulks.
};
//! [resp-limits]

/// What RespParser::parse() stopped at.
enum class RespParse {
  kIncomplete,  ///< Every byte given was taken; the request is not whole yet.
  kRequest,     ///< A whole request: args() holds it until the next parse().
  kError,       ///< The input breaks the protocol: error() says how. Nothing more is read.
};

//! [resp-parser]
/// Reads RESP requests as a Redis server does: each an array of bulk strings,
/// `*<n>\r\n` then n times `$<len>\r\n<len bytes>\r\n`, with any bytes in a bulk string.
///
/// The bytes may arrive in pieces of any size, cut anywhere: the parser keeps its place (what
/// it expects next, how many bytes of the current bulk are still to come) and looks at each
/// byte once, so a large bulk that arrives in many small pieces costs no more than one that
/// arrives whole. That is parse_bytes(); a request found whole in the input, as a pipeline
/// sends most of them, is taken at once instead (take_whole(), in the form
/// whole_request_size() describes), to the same result.
///
/// `*0` and `*-1` (an empty or null array) are skipped, as Redis skips them. Anything else
/// that is not a well-formed request is an error, worded as Redis words it
/// ("Protocol error: invalid bulk length"); after an error the parser reads nothing more,
/// since where the next request starts can no longer be known.
///
/// A request that does not start with `*` is read in Redis's *inline form*: one line, ended
/// by `\n` (a `\r` before it is dropped), its words split at spaces and tabs; an empty line
/// is no request. It is what a person types, or a tool such as redis-benchmark sends for
/// `PING`. Its words cannot hold a space or a newline (Redis's quotes are not read), the
/// line is refused past kMaxInlineBytes, and its words are held to the limits of bulks.
///
/// Not thread-safe: one per connection.
class RespParser {
 public:
  /// A parser refusing requests over `limits`.
  explicit RespParser(RespLimits limits = {}) : limits_(limits) {}

  /// Takes bytes from the front of `*input`, removing them, until a request is whole (then
  /// kRequest, with the rest of `*input` left for the next call), the input runs out
  /// (kIncomplete) or it breaks the protocol (kError, and every later call too).
  RespParse parse(std::string_view* input);

  /// The size of the request at the front of `input` if the parser is between requests and
  /// the request is there whole, in its plain form: `*<n>` with n from 1 to the limit, then
  /// n bulk strings, each `$<length>` within the limits, its bytes and its CRLF; every count
  /// and length in digits alone (no sign, no leading zero). 0 for anything else: a request
  /// not whole yet, the inline form, `*0`, whatever parse() would refuse. Reads nothing.
  [[nodiscard]] std::size_t whole_request_size(std::string_view input) const;

  /// The last whole request: its arguments, `args()[0]` its command's name. Never empty.
  /// Valid until the next parse(). REQUIRES: the last parse() returned kRequest.
  [[nodiscard]] const std::vector<std::string_view>& args() const { return args_; }

  /// What was wrong, without the `-` (`ERR Protocol error: ...`). REQUIRES: kError.
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  // What the parser expects next.
  enum class Step {
    kArrayType,    // the '*' that starts a request, or the first byte of an inline line
    kArrayCount,   // the digits of its element count, up to '\r'
    kArrayLf,      // the '\n' after them
    kBulkType,     // the '$' that starts a bulk string
    kBulkLength,   // the digits of its length, up to '\r'
    kBulkLengthLf, // the '\n' after them
    kBulkData,     // the bulk's bytes
    kBulkCr,       // the '\r' after them
    kBulkLf,       // the '\n' after that
    kInline,       // the bytes of an inline request, up to '\n'
    kFailed,       // an error: nothing more is read
  };

  RespParse parse_bytes(std::string_view* input);  // parse(), a byte at a time
  // If a request whole_request_size() would measure is at the front of `*input`: takes its
  // bulks into data_ and ends_ at once and removes it. Else changes nothing: false.
  bool take_whole(std::string_view* input);
  // Each returns kIncomplete to go on reading, or what parse() returns.
  RespParse take_digit(char c);   // one byte of a count or a length
  RespParse start_array();        // the count is read: check it, expect its bulks
  RespParse start_bulk();         // the length is read: check it, expect its bytes
  RespParse finish_request();     // the last bulk is whole: make args_
  RespParse finish_inline();      // an inline line is whole: split it into args_
  RespParse fail(std::string text);
  void start_request();           // forget the last request

  RespLimits limits_;
  Step step_ = Step::kArrayType;
  std::string digits_;           // the count or length read so far
  std::size_t elements_ = 0;     // the request's element count
  std::size_t bulk_left_ = 0;    // bytes of the current bulk still to come
  std::string data_;             // the request's bulks, one after another
  std::vector<std::size_t> ends_;  // where each whole bulk ends in data_
  std::vector<std::string_view> args_;
  std::string error_;
};
//! [resp-parser]

}  // namespace vkv::protocol
