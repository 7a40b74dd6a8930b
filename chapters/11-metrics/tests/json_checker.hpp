/// \file
/// is_valid_json: a strict check that a text is one JSON value (RFC 8259), for the tests.
#pragma once

#include <cstddef>
#include <string_view>

namespace vkv::testing {

/// Reads one JSON value from a text and says whether the whole text is exactly that:
/// strings of well-formed UTF-8 with no raw control bytes, numbers in JSON's grammar only
/// (no NaN, no leading zeros, no bare dot), nothing after the value but whitespace.
class JsonChecker {
 public:
  /// Over `text`, which must outlive the checker.
  explicit JsonChecker(std::string_view text) : s_(text) {}

  /// True when the text is one valid JSON value.
  bool valid() {
    pos_ = 0;
    skip_space();
    if (!value(0)) return false;
    skip_space();
    return pos_ == s_.size();
  }

 private:
  static constexpr int kMaxDepth = 64;

  bool at(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool take(char c) {
    if (!at(c)) return false;
    ++pos_;
    return true;
  }
  bool take_word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  bool digit() const { return pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; }
  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool value(int depth) {
    if (depth > kMaxDepth || pos_ >= s_.size()) return false;
    switch (s_[pos_]) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return string();
      case 't': return take_word("true");
      case 'f': return take_word("false");
      case 'n': return take_word("null");
      default: return number();
    }
  }

  bool object(int depth) {
    take('{');
    skip_space();
    if (take('}')) return true;
    for (;;) {
      skip_space();
      if (!at('"') || !string()) return false;
      skip_space();
      if (!take(':')) return false;
      skip_space();
      if (!value(depth + 1)) return false;
      skip_space();
      if (take('}')) return true;
      if (!take(',')) return false;
    }
  }

  bool array(int depth) {
    take('[');
    skip_space();
    if (take(']')) return true;
    for (;;) {
      skip_space();
      if (!value(depth + 1)) return false;
      skip_space();
      if (take(']')) return true;
      if (!take(',')) return false;
    }
  }

  bool number() {
    take('-');
    if (take('0')) {
      // no more digits: JSON has no leading zeros
    } else if (digit()) {
      while (digit()) ++pos_;
    } else {
      return false;
    }
    if (take('.')) {
      if (!digit()) return false;
      while (digit()) ++pos_;
    }
    if (take('e') || take('E')) {
      if (!take('+')) take('-');
      if (!digit()) return false;
      while (digit()) ++pos_;
    }
    return true;
  }

  bool string() {
    take('"');
    while (pos_ < s_.size()) {
      const auto b = static_cast<unsigned char>(s_[pos_]);
      if (b == '"') {
        ++pos_;
        return true;
      }
      if (b < 0x20) return false;
      if (b == '\\') {
        ++pos_;
        if (pos_ >= s_.size()) return false;
        const char e = s_[pos_++];
        if (e == 'u') {
          for (int i = 0; i < 4; ++i) {
            if (pos_ >= s_.size() || !is_hex(s_[pos_++])) return false;
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return false;
        }
        continue;
      }
      if (b < 0x80) {
        ++pos_;
        continue;
      }
      if (!utf8_sequence()) return false;
    }
    return false;  // no closing quote
  }

  static bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  // One well-formed multi-byte UTF-8 sequence at pos_, consumed. Decodes the code point
  // and checks it, rather than the lead byte's table the log uses, so that the two are
  // independent: not overlong, not a UTF-16 surrogate, not past U+10FFFF.
  bool utf8_sequence() {
    const auto b0 = static_cast<unsigned char>(s_[pos_]);
    std::size_t n = 0;
    char32_t cp = 0;
    char32_t least = 0;  // the smallest code point that needs n bytes
    if ((b0 & 0xe0) == 0xc0) {
      n = 2;
      cp = b0 & 0x1f;
      least = 0x80;
    } else if ((b0 & 0xf0) == 0xe0) {
      n = 3;
      cp = b0 & 0x0f;
      least = 0x800;
    } else if ((b0 & 0xf8) == 0xf0) {
      n = 4;
      cp = b0 & 0x07;
      least = 0x10000;
    } else {
      return false;
    }
    if (pos_ + n > s_.size()) return false;
    for (std::size_t i = 1; i < n; ++i) {
      const auto b = static_cast<unsigned char>(s_[pos_ + i]);
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < least || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return false;
    pos_ += n;
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

/// True when `text` is exactly one valid JSON value (see JsonChecker).
inline bool is_valid_json(std::string_view text) { return JsonChecker(text).valid(); }

}  // namespace vkv::testing
