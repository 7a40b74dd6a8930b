#include "10-expiry/expiring_value.hpp"

#include "common/coding.hpp"

namespace vkv::storage {

void encode_expiring_value(std::optional<UnixMillis> deadline, std::string_view value,
                           std::string* out) {
  if (deadline) {
    out->push_back(kDeadlineTag);
    put_fixed64(out, static_cast<std::uint64_t>(*deadline));
  } else {
    out->push_back(kNoDeadlineTag);
  }
  out->append(value);
}

std::string encode_expiring_value(std::optional<UnixMillis> deadline, std::string_view value) {
  std::string out;
  out.reserve(value.size() + 9);
  encode_expiring_value(deadline, value, &out);
  return out;
}

// LEARNER: begin decode_expiring_value(): the tag first; a deadline, eight bytes, only after a deadline tag; anything else is corruption
//! [decode]
Result<ExpiringValue> decode_expiring_value(std::string_view stored) {
  if (stored.empty()) return Status::corruption("a stored value with no expiry tag");
  if (stored[0] == kNoDeadlineTag) return ExpiringValue{std::nullopt, stored.substr(1)};
  if (stored[0] != kDeadlineTag) {
    return Status::corruption("a stored value with an unknown expiry tag " +
                              std::to_string(static_cast<unsigned char>(stored[0])));
  }
  if (stored.size() < 9) return Status::corruption("a stored value whose deadline is cut short");
  const auto deadline = static_cast<UnixMillis>(decode_fixed64(stored.data() + 1));
  return ExpiringValue{deadline, stored.substr(9)};
}
//! [decode]
// LEARNER: end

std::function<bool(std::string_view, std::string_view)> expired_values(const Clock& clock) {
  return [&clock](std::string_view, std::string_view stored) {
    auto decoded = decode_expiring_value(stored);
    // The clock is read only for a value with a deadline: a compaction meets many without.
    return decoded.is_ok() && decoded->deadline && decoded->expired_at(clock.now());
  };
}

}  // namespace vkv::storage
