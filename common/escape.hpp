/// \file
/// escape_bytes: shows any byte string as printable ASCII, the way C writes string literals.
#pragma once

#include <string>
#include <string_view>

namespace vkv {

/// Appends `bytes` to `out` with `\\`, `"`, newline, carriage return and tab written as
/// `\\\\ \\" \\n \\r \\t`, other control bytes and DEL as `\\xHH`, and bytes of 0x80 and above
/// as `\\xHH` too unless `keep_high_bytes` (so UTF-8 text stays readable where wanted).
/// The result, put between double quotes, is a token that vkv's lexer reads back as `bytes`.
void append_escaped(std::string* out, std::string_view bytes, bool keep_high_bytes = false);

/// The escaped form of `bytes` (see append_escaped), without surrounding quotes.
std::string escape_bytes(std::string_view bytes, bool keep_high_bytes = false);

}  // namespace vkv
