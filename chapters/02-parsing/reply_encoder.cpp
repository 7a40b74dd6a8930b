#include "02-parsing/reply_encoder.hpp"

#include "common/escape.hpp"

namespace vkv::protocol {

//! [needs-quotes]
bool needs_quotes(std::string_view bytes) {
  if (bytes.empty()) return true;
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7f || c == '"' || c == '\\') return true;
  }
  return false;
}
//! [needs-quotes]

void append_token(std::string* out, std::string_view bytes) {
  if (!needs_quotes(bytes)) {
    out->append(bytes);
    return;
  }
  out->push_back('"');
  append_escaped(out, bytes, /*keep_high_bytes=*/true);
  out->push_back('"');
}

void append_reply(std::string* out, const Reply& reply) {
  switch (reply.kind) {
    case ReplyKind::kOk:
      out->append("OK\n");
      return;
    case ReplyKind::kValue:
      out->append("VALUE ");
      append_token(out, reply.text);
      out->push_back('\n');
      return;
    case ReplyKind::kNotFound:
      out->append("NOT_FOUND\n");
      return;
    case ReplyKind::kError:
      out->append("ERR ");
      for (char c : reply.text) out->push_back(c == '\n' || c == '\r' ? ' ' : c);
      out->push_back('\n');
      return;
  }
}

}  // namespace vkv::protocol
