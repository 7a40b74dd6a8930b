#include "03-wal/log_format.hpp"

#include "common/coding.hpp"
#include "common/crc32c.hpp"

namespace vkv::storage {

namespace {

std::size_t payload_size(const LogRecord& r) {
  std::size_t n = static_cast<std::size_t>(varint_length(r.key.size())) + r.key.size();
  if (r.kind == EntryKind::kValue) {
    n += static_cast<std::size_t>(varint_length(r.value.size())) + r.value.size();
  }
  return n;
}

bool known_type(std::uint8_t t) { return t == LogFormat::kTypeSet || t == LogFormat::kTypeDel; }

// The log's type byte for a record's kind, and back: the log spells the kinds its own way.
std::uint8_t type_byte(EntryKind kind) {
  return kind == EntryKind::kValue ? LogFormat::kTypeSet : LogFormat::kTypeDel;
}
EntryKind kind_of_type(std::uint8_t type) {
  return type == LogFormat::kTypeSet ? EntryKind::kValue : EntryKind::kTombstone;
}

// Parses a checksummed payload; false if it does not hold exactly what its kind says.
bool parse_payload(EntryKind kind, std::string_view payload, LogRecord* out) {
  LogRecord r;
  r.kind = kind;
  if (!get_length_prefixed(&payload, &r.key)) return false;
  if (kind == EntryKind::kValue && !get_length_prefixed(&payload, &r.value)) return false;
  if (!payload.empty()) return false;
  *out = r;
  return true;
}

}  // namespace

std::string_view describe(DecodeStatus status) {
  switch (status) {
    case DecodeStatus::kOk: return "ok";
    case DecodeStatus::kTruncated: return "the record runs past the end of the file";
    case DecodeStatus::kBadType: return "unknown record type";
    case DecodeStatus::kBadLength: return "impossible record length";
    case DecodeStatus::kBadChecksum: return "checksum mismatch";
    case DecodeStatus::kBadPayload: return "malformed payload";
  }
  return "unknown";
}

std::size_t encoded_size(const LogRecord& record) {
  return LogFormat::kHeaderSize + payload_size(record);
}

// LEARNER: begin encode_record(): the header (crc, length, type) and the payload, the crc over all but itself
//! [encode-record]
void encode_record(const LogRecord& record, std::string* dst) {
  const std::size_t start = dst->size();
  const auto length = static_cast<std::uint32_t>(payload_size(record));
  put_fixed32(dst, 0);  // the crc, filled in below once the bytes it covers are there
  put_fixed32(dst, length);
  dst->push_back(static_cast<char>(type_byte(record.kind)));
  put_length_prefixed(dst, record.key);
  if (record.kind == EntryKind::kValue) put_length_prefixed(dst, record.value);

  const std::string_view covered = std::string_view(*dst).substr(start + 4);
  const std::uint32_t crc = crc32c::mask(crc32c::value(covered));
  for (std::size_t i = 0; i < 4; ++i) (*dst)[start + i] = static_cast<char>(crc >> (8 * i));
}
//! [encode-record]
// LEARNER: end

// LEARNER: begin decode_record(): the cheap checks first, then the checksum, then the payload
//! [decode-record]
DecodeStatus decode_record(std::string_view input, LogRecord* record, std::size_t* size) {
  if (input.size() < LogFormat::kHeaderSize) return DecodeStatus::kTruncated;
  // The cheap checks come first: a reader hunting for the next good record after damage
  // tries every offset, and most are rejected here without computing a checksum.
  const auto type = static_cast<std::uint8_t>(input[8]);
  if (!known_type(type)) return DecodeStatus::kBadType;
  const std::uint32_t length = decode_fixed32(input.data() + 4);
  // 0 is never written (see the format): rejecting it here keeps a header of zeros from
  // ever reaching the checksum, whatever the CRC of zeros masks to.
  if (length == 0 || length > LogFormat::kMaxPayload) return DecodeStatus::kBadLength;
  const std::size_t total = LogFormat::kHeaderSize + length;
  if (input.size() < total) return DecodeStatus::kTruncated;

  const std::uint32_t stored = crc32c::unmask(decode_fixed32(input.data()));
  if (crc32c::value(input.substr(4, total - 4)) != stored) return DecodeStatus::kBadChecksum;
  const std::string_view payload = input.substr(LogFormat::kHeaderSize, length);
  if (!parse_payload(kind_of_type(type), payload, record)) {
    return DecodeStatus::kBadPayload;
  }
  *size = total;
  return DecodeStatus::kOk;
}
//! [decode-record]
// LEARNER: end

}  // namespace vkv::storage
