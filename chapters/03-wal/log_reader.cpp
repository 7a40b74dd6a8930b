#include "03-wal/log_reader.hpp"

#include <algorithm>

#include "common/coding.hpp"

namespace vkv::storage {

namespace {

// How much of the file one read brings in. Big enough that replay is a few large reads.
constexpr std::size_t kReadChunk = 1 << 20;

}  // namespace

Result<LogReader> LogReader::open(Env& env, const std::string& path) {
  auto file = env.new_random_access_file(path);
  if (!file.is_ok()) return file.status();
  return LogReader(std::move(file).value(), path);
}

Result<std::string_view> LogReader::bytes_at(std::uint64_t offset, std::size_t n) {
  const std::uint64_t left = file_size() - offset;
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, left));
  const bool inside = offset >= buffer_start_ && offset + n <= buffer_start_ + buffer_.size();
  if (!inside) {
    const auto want = static_cast<std::size_t>(
        std::min<std::uint64_t>(std::max(n, kReadChunk), left));
    VKV_RETURN_IF_ERROR(file_->read(offset, want, &buffer_));
    buffer_start_ = offset;
  }
  return std::string_view(buffer_).substr(offset - buffer_start_, n);
}

Result<DecodeStatus> LogReader::decode_at(std::uint64_t offset, LogRecord* record,
                                          std::size_t* size) {
  auto bytes = bytes_at(offset, LogFormat::kHeaderSize);
  if (!bytes.is_ok()) return bytes.status();
  if (bytes->size() == LogFormat::kHeaderSize) {
    // Read the whole record, if its length is believable; decode_record judges the rest.
    const std::uint32_t length = decode_fixed32(bytes->data() + 4);
    if (length <= LogFormat::kMaxPayload) {
      bytes = bytes_at(offset, LogFormat::kHeaderSize + length);
      if (!bytes.is_ok()) return bytes.status();
    }
  }
  return decode_record(*bytes, record, size);
}

Result<LogReader::Outcome> LogReader::next(LogRecord* record, DecodeStatus* problem) {
  if (offset_ == file_size()) return Outcome::kEnd;
  std::size_t size = 0;
  auto status = decode_at(offset_, record, &size);
  if (!status.is_ok()) return status.status();
  if (*status != DecodeStatus::kOk) {
    *problem = *status;
    return Outcome::kBadRecord;
  }
  offset_ += size;
  return Outcome::kRecord;
}

Result<std::optional<std::uint64_t>> LogReader::find_next_valid(std::uint64_t offset,
                                                                std::uint64_t limit) {
  LogRecord record;
  std::size_t size = 0;
  for (std::uint64_t at = offset + 1; at < limit && at + LogFormat::kHeaderSize <= file_size();
       ++at) {
    auto status = decode_at(at, &record, &size);
    if (!status.is_ok()) return status.status();
    if (*status == DecodeStatus::kOk) return std::optional<std::uint64_t>(at);
  }
  return std::optional<std::uint64_t>();
}

Result<std::optional<std::uint64_t>> LogReader::claimed_end(std::uint64_t offset) {
  auto header = bytes_at(offset, LogFormat::kHeaderSize);
  if (!header.is_ok()) return header.status();
  if (header->size() < LogFormat::kHeaderSize) return std::optional<std::uint64_t>();
  const std::uint32_t length = decode_fixed32(header->data() + 4);
  if (length == 0 || length > LogFormat::kMaxPayload) return std::optional<std::uint64_t>();
  return std::optional<std::uint64_t>(offset + LogFormat::kHeaderSize + length);
}

Result<std::uint64_t> LogReader::zero_tail_start() {
  std::uint64_t end = file_size();
  while (end > 0) {
    const std::uint64_t start = end > kReadChunk ? end - kReadChunk : 0;
    auto bytes = bytes_at(start, static_cast<std::size_t>(end - start));
    if (!bytes.is_ok()) return bytes.status();
    const std::size_t last = bytes->find_last_not_of('\0');
    if (last != std::string_view::npos) return start + last + 1;
    end = start;
  }
  return std::uint64_t{0};
}

}  // namespace vkv::storage
