#include "09-resp/glob.hpp"

namespace vkv::engine {

namespace {

// Whether the byte `c` matches the bracket class that starts at pattern[p] (its '['); sets
// `*after` to just past its ']' (or the pattern's end, when it has none).
bool match_class(std::string_view pattern, std::size_t p, unsigned char c, std::size_t* after) {
  ++p;  // past '['
  const bool negated = p < pattern.size() && pattern[p] == '^';
  if (negated) ++p;
  bool matched = false;
  while (p < pattern.size() && pattern[p] != ']') {
    if (pattern[p] == '\\' && p + 1 < pattern.size()) {  // an escaped byte: itself
      matched |= static_cast<unsigned char>(pattern[p + 1]) == c;
      p += 2;
    } else if (p + 2 < pattern.size() && pattern[p + 1] == '-') {  // a range (as in Redis, even `[a-]`)
      unsigned char lo = static_cast<unsigned char>(pattern[p]);
      unsigned char hi = static_cast<unsigned char>(pattern[p + 2]);
      if (lo > hi) std::swap(lo, hi);
      matched |= lo <= c && c <= hi;
      p += 3;
    } else {
      matched |= static_cast<unsigned char>(pattern[p]) == c;
      ++p;
    }
  }
  *after = p < pattern.size() ? p + 1 : p;
  return matched != negated;
}

// Whether the byte `c` matches the one-byte element at pattern[p] (anything but a '*'); sets
// `*after` to just past the element.
bool match_element(std::string_view pattern, std::size_t p, unsigned char c, std::size_t* after) {
  switch (pattern[p]) {
    case '?':
      *after = p + 1;
      return true;
    case '[':
      return match_class(pattern, p, c, after);
    case '\\':
      if (p + 1 < pattern.size()) {
        *after = p + 2;
        return static_cast<unsigned char>(pattern[p + 1]) == c;
      }
      [[fallthrough]];  // a '\' that ends the pattern is itself
    default:
      *after = p + 1;
      return static_cast<unsigned char>(pattern[p]) == c;
  }
}

}  // namespace

// LEARNER: begin match_glob(): one byte at a time; on a mismatch, go back to the last star and let it take one more byte
//! [match-glob]
bool match_glob(std::string_view pattern, std::string_view text) {
  constexpr std::size_t kNone = std::string_view::npos;
  std::size_t p = 0;            // next pattern element
  std::size_t t = 0;            // next text byte
  std::size_t star = kNone;     // the element after the last '*' seen
  std::size_t star_text = 0;    // where the text stood when that star was reached
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      while (p < pattern.size() && pattern[p] == '*') ++p;
      if (p == pattern.size()) return true;  // a trailing star takes the rest
      star = p;
      star_text = t;
      continue;
    }
    std::size_t after = 0;
    if (p < pattern.size() && match_element(pattern, p, static_cast<unsigned char>(text[t]), &after)) {
      p = after;
      ++t;
      continue;
    }
    if (star == kNone) return false;
    p = star;               // let the last star take one more byte, and try again from there
    t = ++star_text;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}
//! [match-glob]
// LEARNER: end

std::string_view literal_prefix(std::string_view pattern) {
  const std::size_t special = pattern.find_first_of("*?[\\");
  return pattern.substr(0, special);
}

std::optional<std::string> prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (end.empty()) return std::nullopt;
  end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

}  // namespace vkv::engine
