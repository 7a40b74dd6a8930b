#include "09-resp/resp_parser.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace vkv::protocol {

namespace {

// A count or a length has at most 19 digits and a sign; a longer one is refused at once, so
// a header can never make the parser buffer more than this.
constexpr std::size_t kMaxDigits = 20;

// Buffers larger than this are given back after their request, so idle connections stay small.
constexpr std::size_t kKeepCapacity = 64 * 1024;

// `c` as an error message shows it: itself when printable, else `\xNN`.
std::string show_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string(1, c);
  char hex[8];
  std::snprintf(hex, sizeof hex, "\\x%02x", u);
  return hex;
}

// The count or length in `in` from `pos`, in its plain form (1 to 18 digits, no sign, no
// leading zero but "0" itself) followed by CRLF: sets *value and returns where the CRLF
// ends, or 0 if `in` holds anything else there, or ends first.
std::size_t read_plain_number(std::string_view in, std::size_t pos, std::uint64_t* value) {
  const std::size_t first = pos;
  std::uint64_t n = 0;
  while (pos < in.size() && in[pos] >= '0' && in[pos] <= '9' && pos - first < 18) {
    n = n * 10 + static_cast<std::uint64_t>(in[pos] - '0');
    ++pos;
  }
  const std::size_t digits = pos - first;
  if (digits == 0 || (digits > 1 && in[first] == '0')) return 0;
  if (in.size() - pos < 2 || in[pos] != '\r' || in[pos + 1] != '\n') return 0;
  *value = n;
  return pos + 2;
}

//! [whole-walk]
// The size of the request at the front of `input` in its plain form (RespParser::
// whole_request_size() says which), or 0; `each_bulk` is given each bulk as it is found
// whole, in order, before the rest of the request is known to be.
template <typename EachBulk>
std::size_t walk_whole_request(std::string_view input, const RespLimits& limits,
                               EachBulk&& each_bulk) {
  if (input.empty() || input[0] != '*') return 0;
  std::uint64_t count = 0;
  std::size_t at = read_plain_number(input, 1, &count);
  if (at == 0 || count == 0 || count > limits.max_args) return 0;
  std::uint64_t bytes = 0;  // the bulks' bytes so far, against max_request_bytes
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t length = 0;
    if (at == input.size() || input[at] != '$') return 0;
    at = read_plain_number(input, at + 1, &length);
    if (at == 0 || length > limits.max_bulk_bytes) return 0;
    bytes += length;
    if (bytes > limits.max_request_bytes) return 0;
    if (input.size() - at < length + 2) return 0;  // not all here yet
    if (input[at + length] != '\r' || input[at + length + 1] != '\n') return 0;
    each_bulk(input.substr(at, length));
    at += length + 2;
  }
  return at;
}
//! [whole-walk]

}  // namespace

std::optional<std::int64_t> parse_redis_integer(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  if (text == "0") return 0;
  const bool negative = text[0] == '-';
  std::string_view digits = negative ? text.substr(1) : text;
  if (digits.empty() || digits[0] < '1' || digits[0] > '9') return std::nullopt;
  // Accumulate as a negative number: int64's range reaches one further below zero. Only a
  // number of 19 or 20 digits can pass the limit; a shorter one skips the check per digit.
  const bool may_overflow = digits.size() > 18;
  std::int64_t n = 0;
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    const int d = c - '0';
    if (may_overflow && n < (kMin + d) / 10) return std::nullopt;
    n = n * 10 - d;
  }
  if (!negative) {
    if (n == kMin) return std::nullopt;
    n = -n;
  }
  return n;
}

RespParse RespParser::fail(std::string text) {
  step_ = Step::kFailed;
  error_ = "ERR Protocol error: " + std::move(text);
  return RespParse::kError;
}

void RespParser::start_request() {
  data_.clear();
  ends_.clear();
  args_.clear();
  if (data_.capacity() > kKeepCapacity) std::string().swap(data_);
  if (ends_.capacity() > kKeepCapacity) std::vector<std::size_t>().swap(ends_);
  if (args_.capacity() > kKeepCapacity) std::vector<std::string_view>().swap(args_);
}

//! [parse-whole]
RespParse RespParser::parse(std::string_view* input) {
  if (take_whole(input)) return finish_request();
  return parse_bytes(input);
}

std::size_t RespParser::whole_request_size(std::string_view input) const {
  if (step_ != Step::kArrayType) return 0;
  return walk_whole_request(input, limits_, [](std::string_view /*bulk*/) {});
}

bool RespParser::take_whole(std::string_view* input) {
  if (step_ != Step::kArrayType) return false;
  if (!args_.empty()) start_request();  // the last request has been used
  const std::size_t data_before = data_.size();
  const std::size_t ends_before = ends_.size();
  const std::size_t size = walk_whole_request(*input, limits_, [this](std::string_view bulk) {
    data_.append(bulk);
    ends_.push_back(data_.size());
  });
  if (size == 0) {  // not whole, or not plain: as it was, for parse_bytes()
    data_.resize(data_before);
    ends_.resize(ends_before);
    return false;
  }
  input->remove_prefix(size);
  return true;
}
//! [parse-whole]

// LEARNER: begin RespParser::parse_bytes(): one step per byte of a header, whole pieces of a bulk's bytes; a request is whole after its last bulk's CRLF
//! [parse]
RespParse RespParser::parse_bytes(std::string_view* input) {
  if (!args_.empty()) start_request();  // the last request has been used
  while (!input->empty()) {
    if (step_ == Step::kFailed) return RespParse::kError;
    if (step_ == Step::kBulkData) {  // as much of the bulk as has arrived, in one copy
      const std::size_t take = std::min(bulk_left_, input->size());
      data_.append(input->substr(0, take));
      input->remove_prefix(take);
      bulk_left_ -= take;
      if (bulk_left_ == 0) step_ = Step::kBulkCr;
      continue;
    }
    const char c = input->front();
    input->remove_prefix(1);
    switch (step_) {
      case Step::kArrayType:
        if (c != '*') {  // Redis's inline form: this byte starts a line of words
          step_ = Step::kInline;
          if (c != '\n') {
            data_.push_back(c);
          } else if (const RespParse r = finish_inline(); r != RespParse::kIncomplete) {
            return r;
          }
          break;
        }
        step_ = Step::kArrayCount;
        break;
      case Step::kInline:
        if (c == '\n') {
          if (const RespParse r = finish_inline(); r != RespParse::kIncomplete) return r;
          break;
        }
        if (data_.size() == kMaxInlineBytes) return fail("too big inline request");
        data_.push_back(c);
        break;
      case Step::kBulkType:
        if (c != '$') return fail("expected '$', got '" + show_byte(c) + "'");
        step_ = Step::kBulkLength;
        break;
      case Step::kArrayCount:
      case Step::kBulkLength:
        if (const RespParse r = take_digit(c); r != RespParse::kIncomplete) return r;
        break;
      case Step::kArrayLf:
        if (c != '\n') return fail("invalid multibulk length");
        if (const RespParse r = start_array(); r != RespParse::kIncomplete) return r;
        break;
      case Step::kBulkLengthLf:
        if (c != '\n') return fail("invalid bulk length");
        if (const RespParse r = start_bulk(); r != RespParse::kIncomplete) return r;
        break;
      case Step::kBulkCr:
        if (c != '\r') return fail("expected CRLF after a bulk string, got '" + show_byte(c) + "'");
        step_ = Step::kBulkLf;
        break;
      case Step::kBulkLf:
        if (c != '\n') return fail("expected CRLF after a bulk string, got '" + show_byte(c) + "'");
        ends_.push_back(data_.size());
        if (ends_.size() == elements_) return finish_request();
        step_ = Step::kBulkType;
        break;
      case Step::kBulkData:
      case Step::kFailed:
        break;  // handled above
    }
  }
  return step_ == Step::kFailed ? RespParse::kError : RespParse::kIncomplete;
}
//! [parse]
// LEARNER: end

// LEARNER: begin RespParser's headers: digits up to CR, then the count or length checked against the limits before a byte of it is taken
//! [headers]
RespParse RespParser::take_digit(char c) {
  const bool array = step_ == Step::kArrayCount;
  if (c == '\r') {
    step_ = array ? Step::kArrayLf : Step::kBulkLengthLf;
    return RespParse::kIncomplete;
  }
  if (((c < '0' || c > '9') && c != '-') || digits_.size() == kMaxDigits) {
    return fail(array ? "invalid multibulk length" : "invalid bulk length");
  }
  digits_.push_back(c);
  return RespParse::kIncomplete;
}

RespParse RespParser::start_array() {
  const std::optional<std::int64_t> parsed = parse_redis_integer(digits_);
  const bool ok = parsed.has_value();
  const std::int64_t count = parsed.value_or(0);
  digits_.clear();
  if (ok && (count == 0 || count == -1)) {  // `*0`, `*-1`: no command, no reply (as Redis)
    step_ = Step::kArrayType;
    return RespParse::kIncomplete;
  }
  if (!ok || count < 0 || static_cast<unsigned long long>(count) > limits_.max_args) {
    return fail("invalid multibulk length");
  }
  elements_ = static_cast<std::size_t>(count);
  step_ = Step::kBulkType;
  return RespParse::kIncomplete;
}

RespParse RespParser::start_bulk() {
  const std::optional<std::int64_t> parsed = parse_redis_integer(digits_);
  const bool ok = parsed.has_value();
  const std::int64_t length = parsed.value_or(0);
  digits_.clear();
  if (!ok || length < 0 || static_cast<unsigned long long>(length) > limits_.max_bulk_bytes) {
    return fail("invalid bulk length");
  }
  bulk_left_ = static_cast<std::size_t>(length);
  if (bulk_left_ > limits_.max_request_bytes - std::min(data_.size(), limits_.max_request_bytes)) {
    return fail("request larger than " + std::to_string(limits_.max_request_bytes) + " bytes");
  }
  step_ = bulk_left_ == 0 ? Step::kBulkCr : Step::kBulkData;
  return RespParse::kIncomplete;
}
//! [headers]
// LEARNER: end

//! [inline]
RespParse RespParser::finish_inline() {
  if (!data_.empty() && data_.back() == '\r') data_.pop_back();
  // The words, as the bulks are kept: each one's end in data_, the spaces between left out.
  std::string words;
  for (std::size_t i = 0; i < data_.size();) {
    while (i < data_.size() && (data_[i] == ' ' || data_[i] == '\t')) ++i;
    std::size_t end = i;
    while (end < data_.size() && data_[end] != ' ' && data_[end] != '\t') ++end;
    if (end > i) {
      // The limits hold for a line's words as for bulks.
      if (end - i > limits_.max_bulk_bytes) return fail("invalid bulk length");
      if (ends_.size() == limits_.max_args) return fail("invalid multibulk length");
      words.append(data_, i, end - i);
      ends_.push_back(words.size());
    }
    i = end;
  }
  if (words.size() > limits_.max_request_bytes) {
    return fail("request larger than " + std::to_string(limits_.max_request_bytes) + " bytes");
  }
  data_ = std::move(words);
  if (ends_.empty()) {  // an empty line: no request
    step_ = Step::kArrayType;
    return RespParse::kIncomplete;
  }
  return finish_request();
}
//! [inline]

RespParse RespParser::finish_request() {
  std::size_t begin = 0;
  for (std::size_t end : ends_) {
    args_.emplace_back(data_.data() + begin, end - begin);
    begin = end;
  }
  step_ = Step::kArrayType;
  return RespParse::kRequest;
}

}  // namespace vkv::protocol
