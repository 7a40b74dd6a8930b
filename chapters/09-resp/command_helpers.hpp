/// \file
/// Small helpers the Redis commands' files share: a word compared in any case, and the reply
/// for a storage failure.
#pragma once

#include <string>
#include <string_view>

#include "02-parsing/parser.hpp"
#include "09-resp/resp_writer.hpp"
#include "common/status.hpp"

namespace vkv::engine {

/// Whether `word` is the option `upper` (given in capitals: `NX`) in any case: chapter 2's
/// test of a command's name.
using protocol::is_command;

/// `text` in lower case (ASCII: other bytes as they are): how command names and INFO
/// sections are looked up.
inline std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

/// How the error for a failed storage operation begins (what a log tells apart by it).
inline constexpr std::string_view kStorageError = "ERR storage: ";

/// Writes the error for a failed storage operation, as chapter 2's engine words it:
/// kStorageError and what failed, then `(context)` when given (how far a command over
/// several keys got). Nothing the store refused is acknowledged.
inline void storage_error(protocol::RespWriter& out, const Status& status,
                          std::string_view context = {}) {
  std::string text = std::string(kStorageError) + status.to_string();
  if (!context.empty()) text += " (" + std::string(context) + ")";
  out.error(text);
}

/// Redis's error for an argument that must be an integer and is not.
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";

/// The version of Redis whose replies vkv's follow, as HELLO and INFO give it: a client that
/// looks at the version to decide what to send sees one whose commands vkv answers.
inline constexpr std::string_view kRedisVersion = "7.0.0";

}  // namespace vkv::engine
