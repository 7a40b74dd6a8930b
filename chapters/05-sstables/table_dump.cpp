#include "05-sstables/table_dump.hpp"

#include <vector>

#include "05-sstables/block.hpp"
#include "03-wal/entry_kind.hpp"
#include "common/env.hpp"
#include "common/escape.hpp"
#include "05-sstables/table.hpp"
#include "05-sstables/table_format.hpp"

namespace vkv::storage {

namespace {

std::string quoted(std::string_view bytes) { return "\"" + escape_bytes(bytes) + "\""; }

Status corrupt(const std::string& path, const std::string& where, std::uint64_t offset,
               const std::string& what) {
  return Status::corruption(path + ": " + where + " at offset " + std::to_string(offset) + ": " +
                            what);
}

// One line per block: where it is and whether its checksum holds.
void print_block_line(std::ostream& out, const std::string& what, const BlockHandle& handle,
                      const RawBlock& raw) {
  out << what << " at offset " << handle.offset << ", " << handle.size << " bytes + "
      << kBlockTrailerSize << "-byte trailer, crc32c stored " << format_crc(raw.stored_crc)
      << " computed " << format_crc(raw.computed_crc)
      << (raw.checksum_ok() ? " ok" : " MISMATCH") << "\n";
}

Status dump_footer(const RandomAccessFile& file, const std::string& path, std::ostream& out,
                   Footer* footer) {
  const std::uint64_t size = file.size();
  out << "SSTable " << path << ": " << size << " bytes\n";
  if (size < kFooterSize) {
    return Status::corruption(path + ": file is " + std::to_string(size) +
                              " bytes, too short to be an SSTable");
  }
  const std::uint64_t offset = size - kFooterSize;
  std::string bytes;
  VKV_RETURN_IF_ERROR(file.read(offset, kFooterSize, &bytes));
  Status s = footer->decode_from(bytes);
  if (!s.is_ok()) return corrupt(path, "footer", offset, s.message());
  out << "footer at offset " << offset << ", " << kFooterSize << " bytes: magic "
      << quoted(kTableMagic) << ", format version " << footer->version << ", "
      << footer->entry_count << " entries, index block at offset " << footer->index.offset
      << " (" << footer->index.size << " bytes), checksum ok\n";
  return Status::ok();
}

Status dump_index(const RandomAccessFile& file, const std::string& path, const Footer& footer,
                  std::ostream& out, std::vector<BlockHandle>* handles) {
  RawBlock raw;
  const std::uint64_t offset = footer.index.offset;
  Status s = read_raw_block(file, footer.index, &raw);
  if (!s.is_ok()) return corrupt(path, "index block", offset, s.message());
  print_block_line(out, "index block", footer.index, raw);
  if (!raw.checksum_ok()) return corrupt(path, "index block", offset, "checksum mismatch");
  Result<Block> block = Block::parse(std::move(raw.contents));
  if (!block.is_ok()) return corrupt(path, "index block", offset, block.status().message());
  Block::Iterator it(*block);
  for (it.seek_to_first(); it.valid(); it.next()) {
    BlockHandle handle;
    if (!handle.decode_from(it.value())) {
      return corrupt(path, "index block", offset, "malformed block handle");
    }
    out << "  data block " << handles->size() << ": separator " << quoted(it.key())
        << " -> offset " << handle.offset << ", " << handle.size << " bytes\n";
    handles->push_back(handle);
  }
  if (!it.status().is_ok()) return corrupt(path, "index block", offset, it.status().message());
  return Status::ok();
}

// Prints one data block; returns its corruption, if any, after printing what it could.
Status dump_data_block(const RandomAccessFile& file, const std::string& path, std::size_t i,
                       const BlockHandle& handle, std::ostream& out, std::uint64_t* entries) {
  const std::string where = "data block " + std::to_string(i);
  RawBlock raw;
  Status s = read_raw_block(file, handle, &raw);
  if (!s.is_ok()) {
    out << where << " at offset " << handle.offset << ": " << s.message() << "\n";
    return corrupt(path, where, handle.offset, s.message());
  }
  print_block_line(out, where, handle, raw);
  if (!raw.checksum_ok()) return corrupt(path, where, handle.offset, "checksum mismatch");
  Result<Block> block = Block::parse(std::move(raw.contents));
  if (!block.is_ok()) return corrupt(path, where, handle.offset, block.status().message());

  std::size_t n = 0;
  Block::Iterator it(*block);
  for (it.seek_to_first(); it.valid(); it.next(), ++n) {
    EntryKind kind;
    std::string_view value;
    s = decode_entry_value(it.value(), &kind, &value);
    if (!s.is_ok()) return corrupt(path, where, handle.offset, s.message());
    out << "    " << (kind == EntryKind::kValue ? "value     " : "tombstone ") << quoted(it.key());
    if (kind == EntryKind::kValue) out << " (" << value.size() << "-byte value)";
    out << "\n";
  }
  if (!it.status().is_ok()) return corrupt(path, where, handle.offset, it.status().message());
  out << "  " << n << " entries, " << block->restart_count() << " restart points\n";
  *entries += n;
  return Status::ok();
}

}  // namespace

//! [table-dump]
Status dump_table(const std::string& path, std::ostream& out) {
  Result<std::unique_ptr<RandomAccessFile>> file = Env::posix().new_random_access_file(path);
  if (!file.is_ok()) return file.status();
  Footer footer;
  VKV_RETURN_IF_ERROR(dump_footer(**file, path, out, &footer));
  std::vector<BlockHandle> handles;
  VKV_RETURN_IF_ERROR(dump_index(**file, path, footer, out, &handles));

  // Go on past a bad data block: the learner wants to see all of the damage.
  Status first_error;
  std::uint64_t entries = 0;
  std::size_t bad_blocks = 0;
  for (std::size_t i = 0; i < handles.size(); ++i) {
    Status s = dump_data_block(**file, path, i, handles[i], out, &entries);
    if (s.is_ok()) continue;
    out << "  ERROR: " << s.message() << "\n";
    ++bad_blocks;
    if (first_error.is_ok()) first_error = s;
  }
  out << handles.size() << " data blocks, " << entries << " entries read, "
      << (bad_blocks == 0 ? std::string("all checksums ok")
                          : std::to_string(bad_blocks) + " damaged blocks")
      << "\n";
  return first_error;
}
//! [table-dump]

}  // namespace vkv::storage
