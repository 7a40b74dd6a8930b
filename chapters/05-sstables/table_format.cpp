#include "05-sstables/table_format.hpp"

#include <cstdio>

#include "common/coding.hpp"
#include "common/crc32c.hpp"

namespace vkv::storage {

namespace {

// The footer's fields, before its checksum: three fixed64s and a fixed32.
constexpr std::size_t kFooterFieldsSize = 8 + 8 + 8 + 4;
static_assert(kFooterFieldsSize + 4 + kTableMagic.size() == kFooterSize);

}  // namespace

void BlockHandle::encode_to(std::string* out) const {
  put_varint64(out, offset);
  put_varint64(out, size);
}

bool BlockHandle::decode_from(std::string_view in) {
  return get_varint64(&in, &offset) && get_varint64(&in, &size) && in.empty();
}

//! [footer]
void Footer::encode_to(std::string* out) const {
  std::string fields;
  put_fixed64(&fields, index.offset);
  put_fixed64(&fields, index.size);
  put_fixed64(&fields, entry_count);
  put_fixed32(&fields, version);
  out->append(fields);
  put_fixed32(out, crc32c::mask(crc32c::value(fields)));
  out->append(kTableMagic);
}

Status Footer::decode_from(std::string_view in) {
  if (in.size() != kFooterSize) return Status::corruption("footer has the wrong size");
  // Magic first: if it is wrong, this is not an SSTable (or its end was cut off), and the
  // other fields mean nothing.
  if (in.substr(kFooterFieldsSize + 4) != kTableMagic) {
    return Status::corruption("bad magic number (not an SSTable, or truncated)");
  }
  const std::string_view fields = in.substr(0, kFooterFieldsSize);
  const std::uint32_t stored = crc32c::unmask(decode_fixed32(in.data() + kFooterFieldsSize));
  const std::uint32_t computed = crc32c::value(fields);
  if (stored != computed) {
    return Status::corruption("checksum mismatch (stored " + format_crc(stored) + ", computed " +
                              format_crc(computed) + ")");
  }
  index.offset = decode_fixed64(fields.data());
  index.size = decode_fixed64(fields.data() + 8);
  entry_count = decode_fixed64(fields.data() + 16);
  version = decode_fixed32(fields.data() + 24);
  if (version != kFormatVersion) {
    return Status::corruption("unsupported format version " + std::to_string(version) +
                              " (this program reads version " +
                              std::to_string(kFormatVersion) + ")");
  }
  return Status::ok();
}
//! [footer]

//! [read-block]
Status read_raw_block(const RandomAccessFile& file, const BlockHandle& handle, RawBlock* out) {
  const std::uint64_t file_size = file.size();
  // Written so that no sum can overflow, whatever a corrupt handle holds.
  if (handle.offset > file_size || handle.size > file_size - handle.offset ||
      kBlockTrailerSize > file_size - handle.offset - handle.size) {
    return Status::corruption("block runs past the end of the file (" +
                              std::to_string(file_size) + " bytes)");
  }
  std::string bytes;
  VKV_RETURN_IF_ERROR(file.read(handle.offset, handle.size + kBlockTrailerSize, &bytes));
  out->stored_crc = crc32c::unmask(decode_fixed32(bytes.data() + handle.size));
  bytes.resize(handle.size);
  out->computed_crc = crc32c::value(bytes);
  out->contents = std::move(bytes);
  return Status::ok();
}
//! [read-block]

std::string block_trailer(std::string_view block) {
  std::string trailer;
  put_fixed32(&trailer, crc32c::mask(crc32c::value(block)));
  return trailer;
}

std::string format_crc(std::uint32_t crc) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", crc);
  return buf;
}

}  // namespace vkv::storage
