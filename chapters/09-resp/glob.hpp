/// \file
/// Redis's glob patterns (KEYS, SCAN MATCH, CONFIG GET): match_glob() and the literal prefix a
/// pattern's matches all start with.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vkv::engine {

//! [glob]
/// True when `text` matches the glob `pattern`, as Redis matches them (case-sensitive):
///
/// - `*` any run of bytes, empty too; `?` any one byte;
/// - `[abc]` one of a, b, c; `[^abc]` any byte but those; `[a-z]` a range (`[z-a]` is the
///   same range); inside brackets `\` takes the next byte as it is; a `[` with no `]` runs to
///   the end of the pattern;
/// - `\x` the byte x itself (so `\*` is a star); a `\` that ends the pattern is itself;
/// - any other byte itself.
///
/// Time O(pattern × text) at worst, whatever the stars: a failed match goes back only to the
/// last star, never to every earlier one.
bool match_glob(std::string_view pattern, std::string_view text);
//! [glob]

/// The bytes every match of `pattern` starts with: the pattern up to its first `*`, `?`, `[`
/// or `\`. A scan for the pattern need only look at keys from this prefix up to
/// prefix_end() of it.
std::string_view literal_prefix(std::string_view pattern);

/// The least string greater than every string that starts with `prefix`: the prefix with its
/// trailing 0xff bytes dropped and its last byte then raised by one (`user:` gives `user;`).
/// Nothing when there is none (an empty prefix, or one of 0xff bytes only).
std::optional<std::string> prefix_end(std::string_view prefix);

}  // namespace vkv::engine
