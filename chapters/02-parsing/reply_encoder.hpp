/// \file
/// The text protocol's encoder: one reply, one line.
#pragma once

#include <string>
#include <string_view>

#include "02-parsing/reply.hpp"

namespace vkv::protocol {

/// True when `bytes` must be quoted to come back through the lexer unchanged: when it is
/// empty, or holds a space, a control byte, DEL, `"` or `\`.
bool needs_quotes(std::string_view bytes);

/// Appends `bytes` as one token: as it is when it can be, else quoted and escaped. Bytes of
/// 0x80 and above stay as they are, so UTF-8 text reads naturally.
void append_token(std::string* out, std::string_view bytes);

/// Appends the reply as one line ending in `\n`: `OK`, `VALUE <token>`, `NOT_FOUND` or
/// `ERR <message>` (a message's control bytes are escaped so it stays one line).
void append_reply(std::string* out, const Reply& reply);

}  // namespace vkv::protocol
