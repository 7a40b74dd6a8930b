/// \file
/// Transcripts: sessions kept as files, replayed against a chapter's real program.
///
/// A transcript is what a learner would see at the prompt. Lines starting with `> ` are typed
/// (sent with a newline), lines starting with `#` are comments, and every other line is what
/// must come back. The chapter pages quote the same files, so the text shows what the program
/// really does.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "common/testing/test_util.hpp"

namespace vkv::testing {

/// A transcript split into what is sent and what must come back.
struct Transcript {
  std::string input;     ///< The typed lines, each ending in a newline.
  std::string expected;  ///< The reply lines, each ending in a newline.
};

/// Splits a transcript file's text into input and expected output.
inline Transcript parse_transcript(std::string_view text) {
  Transcript t;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.substr(0, 2) == "> ") {
      t.input.append(line.substr(2)).push_back('\n');
    } else if (!line.empty() && line[0] == '#') {
      continue;
    } else {
      t.expected.append(line).push_back('\n');
    }
  }
  return t;
}

/// Reads and parses the transcript `name` in directory `dir` (a chapter's tests/transcripts).
/// Throws std::runtime_error when it types nothing: a missing or misnamed file would
/// otherwise replay as an empty session that passes.
inline Transcript load_transcript(const std::string& dir, const std::string& name) {
  const std::string path = dir + "/" + name;
  Transcript t = parse_transcript(read_whole_file(path));
  if (t.input.empty()) throw std::runtime_error("transcript " + path + " types nothing");
  return t;
}

}  // namespace vkv::testing
