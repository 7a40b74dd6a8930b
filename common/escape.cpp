#include "common/escape.hpp"

namespace vkv {

void append_escaped(std::string* out, std::string_view bytes, bool keep_high_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    switch (c) {
      case '\\': out->append("\\\\"); continue;
      case '"': out->append("\\\""); continue;
      case '\n': out->append("\\n"); continue;
      case '\r': out->append("\\r"); continue;
      case '\t': out->append("\\t"); continue;
      default: break;
    }
    if (b < 0x20 || b == 0x7f || (b >= 0x80 && !keep_high_bytes)) {
      const char hex[4] = {'\\', 'x', kHex[b >> 4], kHex[b & 0xf]};
      out->append(hex, 4);
    } else {
      out->push_back(c);
    }
  }
}

std::string escape_bytes(std::string_view bytes, bool keep_high_bytes) {
  std::string out;
  out.reserve(bytes.size());
  append_escaped(&out, bytes, keep_high_bytes);
  return out;
}

}  // namespace vkv
