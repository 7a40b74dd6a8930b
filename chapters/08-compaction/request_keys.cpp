#include "08-compaction/request_keys.hpp"

#include <cstdint>
#include <cstring>

namespace vkv::protocol {

namespace {

// The decimal count at bytes[*pos..] up to "\r\n", which is consumed; false when it is missing,
// empty, not decimal, or implausibly large.
bool read_count(std::string_view bytes, std::size_t* pos, std::uint64_t* count) {
  std::uint64_t n = 0;
  std::size_t i = *pos;
  for (; i < bytes.size() && bytes[i] >= '0' && bytes[i] <= '9'; ++i) {
    n = n * 10 + static_cast<std::uint64_t>(bytes[i] - '0');
    if (n > (std::uint64_t{1} << 40)) return false;
  }
  if (i == *pos || i + 1 >= bytes.size() || bytes[i] != '\r' || bytes[i + 1] != '\n') return false;
  *pos = i + 2;
  *count = n;
  return true;
}

// One RESP array of bulk strings at bytes[*pos..]: its second element, if it has one, in *key (else
// *key is left empty). False when the array is cut short or malformed.
bool read_resp_request(std::string_view bytes, std::size_t* pos, std::string_view* key) {
  std::size_t p = *pos + 1;  // past '*'
  std::uint64_t elements = 0;
  if (!read_count(bytes, &p, &elements)) return false;
  for (std::uint64_t e = 0; e < elements; ++e) {
    std::uint64_t length = 0;
    if (p >= bytes.size() || bytes[p] != '$') return false;
    ++p;
    if (!read_count(bytes, &p, &length)) return false;
    if (length + 2 > bytes.size() - p) return false;  // cut short
    if (e == 1) *key = bytes.substr(p, length);
    p += length + 2;
  }
  *pos = p;
  return true;
}

// One text line at bytes[*pos..]: its second word, if it has one, in *key. False when the line is
// not complete.
bool read_text_request(std::string_view bytes, std::size_t* pos, std::string_view* key) {
  const std::string_view rest = bytes.substr(*pos);
  const void* nl = std::memchr(rest.data(), '\n', rest.size());
  if (nl == nullptr) return false;
  std::string_view line =
      rest.substr(0, static_cast<std::size_t>(static_cast<const char*>(nl) - rest.data()));
  *pos += line.size() + 1;
  const std::size_t first_end = line.find_first_of(" \t\r");
  if (first_end == std::string_view::npos) return true;
  const std::size_t start = line.find_first_not_of(" \t\r", first_end);
  if (start == std::string_view::npos) return true;
  const std::size_t end = line.find_first_of(" \t\r", start);
  *key = line.substr(start, end == std::string_view::npos ? end : end - start);
  return true;
}

}  // namespace

std::size_t request_keys(std::string_view bytes, std::span<std::string_view> keys) {
  std::size_t found = 0;
  std::size_t pos = 0;
  while (pos < bytes.size() && found < keys.size()) {
    std::string_view key;
    const bool complete = bytes[pos] == '*' ? read_resp_request(bytes, &pos, &key)
                                            : read_text_request(bytes, &pos, &key);
    if (!complete) break;
    if (!key.empty()) keys[found++] = key;
  }
  return found;
}

}  // namespace vkv::protocol
