#include "09-resp/resp_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace vkv::protocol {

namespace {

// Appends `type`, the decimal `n` and CRLF: a header such as `*3` or `$5`, or an integer.
void append_header(std::string* out, char type, std::int64_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out->push_back(type);
  out->append(digits, end);
  out->append("\r\n");
}

}  // namespace

// LEARNER: begin format_double(): Redis's digits for a double: inf, -inf, nan, an integer when exact, else the shortest round trip
//! [format-double]
std::string format_double(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  if (value == 0) return std::signbit(value) ? "-0" : "0";
  // Integral and well inside a 64-bit integer's range: the integer's digits.
  constexpr double kIntegerRange = static_cast<double>(INT64_MAX / 2);
  if (value >= -kIntegerRange && value <= kIntegerRange &&
      static_cast<double>(static_cast<std::int64_t>(value)) == value) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  // The fewest digits that read back as `value`: d.ddde±x, split into digits and exponent.
  char sci[32];
  const auto sci_end =
      std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific).ptr;
  const std::string_view s(sci, static_cast<std::size_t>(sci_end - sci));
  const bool negative = s.front() == '-';
  const std::size_t e = s.find('e');
  std::string digits;
  for (char c : s.substr(negative ? 1 : 0, e - (negative ? 1 : 0))) {
    if (c != '.') digits.push_back(c);
  }
  const int exp10 = std::atoi(std::string(s.substr(e + 1)).c_str());  // of the first digit
  const int n = static_cast<int>(digits.size());
  const int k = exp10 - (n - 1);  // value = digits × 10^k
  std::string out = negative ? "-" : "";
  if (k >= 0 && exp10 < n + 7) {  // a whole number, zeros after the digits
    out += digits + std::string(static_cast<std::size_t>(k), '0');
  } else if (k < 0 && (k > -7 || std::abs(exp10) < 4)) {  // a plain decimal
    if (exp10 < 0) {
      out += "0." + std::string(static_cast<std::size_t>(-exp10 - 1), '0') + digits;
    } else {
      out += digits.substr(0, static_cast<std::size_t>(exp10 + 1)) + "." +
             digits.substr(static_cast<std::size_t>(exp10 + 1));
    }
  } else {  // scientific: d.ddde+x, the exponent without leading zeros
    out += digits.substr(0, 1);
    if (n > 1) out += "." + digits.substr(1);
    out += exp10 < 0 ? "e-" : "e+";
    out += std::to_string(std::abs(exp10));
  }
  return out;
}
//! [format-double]
// LEARNER: end

// LEARNER: begin RespWriter's encoders: a type byte, the text or the length, CRLF; RESP2's stand-ins for RESP3's types
//! [writer-simple]
void RespWriter::simple(std::string_view text) {
  out_->push_back('+');
  out_->append(text);
  out_->append("\r\n");
}

void RespWriter::error(std::string_view text) {
  out_->push_back('-');
  for (char c : text) out_->push_back(c == '\r' || c == '\n' ? ' ' : c);
  out_->append("\r\n");
}

void RespWriter::integer(std::int64_t n) {
  append_header(out_, ':', n);
}

void RespWriter::bulk(std::string_view bytes) {
  append_header(out_, '$', static_cast<std::int64_t>(bytes.size()));
  out_->append(bytes);
  out_->append("\r\n");
}
//! [writer-simple]

//! [writer-versions]
void RespWriter::null() {
  out_->append(version_ == RespVersion::kResp3 ? "_\r\n" : "$-1\r\n");
}

void RespWriter::null_array() {
  out_->append(version_ == RespVersion::kResp3 ? "_\r\n" : "*-1\r\n");
}

void RespWriter::array(std::size_t n) {
  append_header(out_, '*', static_cast<std::int64_t>(n));
}

void RespWriter::map(std::size_t n) {
  if (version_ == RespVersion::kResp3) {
    append_header(out_, '%', static_cast<std::int64_t>(n));
  } else {
    append_header(out_, '*', static_cast<std::int64_t>(2 * n));
  }
}

void RespWriter::set(std::size_t n) {
  append_header(out_, version_ == RespVersion::kResp3 ? '~' : '*', static_cast<std::int64_t>(n));
}

void RespWriter::boolean(bool value) {
  if (version_ == RespVersion::kResp3) {
    out_->append(value ? "#t\r\n" : "#f\r\n");
  } else {
    integer(value ? 1 : 0);
  }
}

void RespWriter::real(double value) {
  const std::string digits = format_double(value);
  if (version_ == RespVersion::kResp3) {
    out_->push_back(',');
    out_->append(digits);
    out_->append("\r\n");
  } else {
    bulk(digits);
  }
}

void RespWriter::verbatim(std::string_view format, std::string_view text) {
  if (version_ != RespVersion::kResp3) {
    bulk(text);
    return;
  }
  std::string prefix(format.substr(0, 3));
  prefix.resize(3, ' ');  // always three letters, as Redis pads them
  append_header(out_, '=', static_cast<std::int64_t>(text.size() + 4));
  out_->append(prefix);
  out_->push_back(':');
  out_->append(text);
  out_->append("\r\n");
}
//! [writer-versions]
// LEARNER: end

}  // namespace vkv::protocol
