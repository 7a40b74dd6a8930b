#include "02-parsing/lexer.hpp"

#include <cstring>

#include "common/escape.hpp"

namespace vkv::protocol {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

// The end of the unquoted token starting at `pos`: the first space or tab, or the line's end.
// memchr looks at many bytes at a time, so this is several times faster than a byte loop.
std::size_t token_end(std::string_view line, std::size_t pos) {
  const char* begin = line.data() + pos;
  std::size_t n = line.size() - pos;
  if (const void* space = std::memchr(begin, ' ', n)) n = static_cast<const char*>(space) - begin;
  if (const void* tab = std::memchr(begin, '\t', n)) n = static_cast<const char*>(tab) - begin;
  return pos + n;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status bad_escape(std::string_view escape) {
  // Shown as typed: the backslash, then what followed it (escaped if unprintable).
  return Status::invalid_argument("bad escape '\\" + escape_bytes(escape.substr(1)) + "'" +
                                  (escape.size() > 1 && escape[1] == 'x'
                                       ? " (\\x needs two hex digits)"
                                       : " (use \\\" \\\\ \\n \\r \\t or \\xHH)"));
}

}  // namespace

// LEARNER: begin Lexer::lex(): split a line into tokens at spaces and tabs
//! [lex]
Status Lexer::lex(std::string_view line, std::vector<std::string_view>* tokens) {
  tokens->clear();
  // Unescaping never makes a token longer, so reserving the line's length means the scratch
  // buffer never moves while we take views into it.
  scratch_.clear();
  scratch_.reserve(line.size());
  std::size_t pos = 0;
  while (true) {
    while (pos < line.size() && is_space(line[pos])) ++pos;
    if (pos == line.size()) return Status::ok();
    if (line[pos] == '"') {
      std::string_view token;
      VKV_RETURN_IF_ERROR(lex_quoted(line, &pos, &token));
      tokens->push_back(token);
    } else {
      const std::size_t start = pos;
      pos = token_end(line, pos);
      tokens->push_back(line.substr(start, pos - start));
    }
  }
}
//! [lex]
// LEARNER: end

// LEARNER: begin Lexer::lex_quoted(): a quoted token, its escapes decoded
//! [lex-quoted]
Status Lexer::lex_quoted(std::string_view line, std::size_t* pos, std::string_view* token) {
  const std::size_t start = ++*pos;  // past the opening quote
  std::size_t i = start;
  // The common case has no escapes: the token is a view into the line itself.
  while (i < line.size() && line[i] != '"' && line[i] != '\\') ++i;
  if (i < line.size() && line[i] == '"') {
    *token = line.substr(start, i - start);
  } else {
    const std::size_t out_start = scratch_.size();
    scratch_.append(line.substr(start, i - start));
    while (i < line.size() && line[i] != '"') {
      if (line[i] != '\\') {
        scratch_.push_back(line[i++]);
        continue;
      }
      if (i + 1 == line.size()) return Status::invalid_argument("unbalanced quotes");
      switch (line[i + 1]) {
        case '"': scratch_.push_back('"'); break;
        case '\\': scratch_.push_back('\\'); break;
        case 'n': scratch_.push_back('\n'); break;
        case 'r': scratch_.push_back('\r'); break;
        case 't': scratch_.push_back('\t'); break;
        case 'x': {
          const int hi = i + 2 < line.size() ? hex_value(line[i + 2]) : -1;
          const int lo = i + 3 < line.size() ? hex_value(line[i + 3]) : -1;
          if (hi < 0 || lo < 0) return bad_escape(line.substr(i, std::min<std::size_t>(4, line.size() - i)));
          scratch_.push_back(static_cast<char>(hi * 16 + lo));
          i += 2;
          break;
        }
        default: return bad_escape(line.substr(i, 2));
      }
      i += 2;
    }
    *token = std::string_view(scratch_).substr(out_start);
  }
  if (i == line.size()) return Status::invalid_argument("unbalanced quotes");
  *pos = i + 1;  // past the closing quote
  if (*pos < line.size() && !is_space(line[*pos])) {
    return Status::invalid_argument("a closing quote must be followed by a space");
  }
  return Status::ok();
}
//! [lex-quoted]
// LEARNER: end

}  // namespace vkv::protocol
