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

// One RESP array of bulk strings at bytes[*pos..]: its first two elements, if it has them, in
// *request (else they are left empty). False when the array is cut short or malformed.
bool read_resp_request(std::string_view bytes, std::size_t* pos, RequestKey* request) {
  std::size_t p = *pos + 1;  // past '*'
  std::uint64_t elements = 0;
  if (!read_count(bytes, &p, &elements)) return false;
  for (std::uint64_t e = 0; e < elements; ++e) {
    std::uint64_t length = 0;
    if (p >= bytes.size() || bytes[p] != '$') return false;
    ++p;
    if (!read_count(bytes, &p, &length)) return false;
    if (length + 2 > bytes.size() - p) return false;  // cut short
    if (e == 0) request->command = bytes.substr(p, length);
    if (e == 1) request->key = bytes.substr(p, length);
    p += length + 2;
  }
  *pos = p;
  return true;
}

// One text line at bytes[*pos..]: its first two words, if it has them, in *request. False when
// the line is not complete.
bool read_text_request(std::string_view bytes, std::size_t* pos, RequestKey* request) {
  const std::string_view rest = bytes.substr(*pos);
  const void* nl = std::memchr(rest.data(), '\n', rest.size());
  if (nl == nullptr) return false;
  std::string_view line =
      rest.substr(0, static_cast<std::size_t>(static_cast<const char*>(nl) - rest.data()));
  *pos += line.size() + 1;
  const std::size_t first_end = line.find_first_of(" \t\r");
  request->command = line.substr(0, first_end);
  if (first_end == std::string_view::npos) return true;
  const std::size_t start = line.find_first_not_of(" \t\r", first_end);
  if (start == std::string_view::npos) return true;
  const std::size_t end = line.find_first_of(" \t\r", start);
  request->key = line.substr(start, end == std::string_view::npos ? end : end - start);
  return true;
}

}  // namespace

std::size_t request_keys(std::string_view bytes, std::span<RequestKey> out) {
  std::size_t found = 0;
  std::size_t pos = 0;
  while (pos < bytes.size() && found < out.size()) {
    RequestKey request;
    const bool complete = bytes[pos] == '*' ? read_resp_request(bytes, &pos, &request)
                                            : read_text_request(bytes, &pos, &request);
    if (!complete) break;
    if (!request.key.empty()) out[found++] = request;
  }
  return found;
}

bool may_hold_two_requests(std::string_view bytes) {
  if (bytes.empty()) return false;
  const char* rest = bytes.data() + 1;
  const std::size_t size = bytes.size() - 1;
  if (bytes.front() == '*') return std::memchr(rest, '*', size) != nullptr;
  const void* nl = std::memchr(rest, '\n', size);
  return nl != nullptr && static_cast<const char*>(nl) + 1 < bytes.data() + bytes.size();
}

}  // namespace vkv::protocol
