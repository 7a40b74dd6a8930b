#include "05-sstables/table_file.hpp"

#include <vector>

#include "05-sstables/manifest.hpp"
#include "05-sstables/table_builder.hpp"

namespace vkv::storage {

namespace {

// Gathers a table's appends (two per block: the block, then its trailer) into large writes,
// so a flush makes a few dozen system calls instead of thousands.
class BufferedFile final : public WritableFile {
 public:
  static constexpr std::size_t kBufferSize = 256 * 1024;

  explicit BufferedFile(std::unique_ptr<WritableFile> base) : base_(std::move(base)) {
    buffer_.reserve(kBufferSize);
  }
  Status append(std::string_view data) override {
    if (buffer_.size() + data.size() > kBufferSize) VKV_RETURN_IF_ERROR(drain());
    if (data.size() >= kBufferSize) return base_->append(data);
    buffer_.append(data);
    return Status::ok();
  }
  Status sync() override {
    VKV_RETURN_IF_ERROR(drain());
    return base_->sync();
  }
  Status close() override {
    VKV_RETURN_IF_ERROR(drain());
    return base_->close();
  }
  [[nodiscard]] std::uint64_t size() const override { return base_->size() + buffer_.size(); }

 private:
  Status drain() {
    if (buffer_.empty()) return Status::ok();
    Status s = base_->append(buffer_);
    buffer_.clear();
    return s;
  }

  std::unique_ptr<WritableFile> base_;
  std::string buffer_;
};

// Appends the entries of a sorted source from where it stands, in key order, to `builder`
// until the source ends or the table reaches `max_bytes`, and each key's hash to `hashes`.
Status add_entries(Iterator& entries, std::uint64_t max_bytes, TableBuilder& builder,
                   std::vector<std::uint64_t>* hashes) {
  for (; entries.valid() && builder.file_size() < max_bytes; entries.next()) {
    VKV_RETURN_IF_ERROR(builder.add(entries.key(), entries.value(), entries.kind()));
    hashes->push_back(BloomFilter::hash(entries.key()));
  }
  VKV_RETURN_IF_ERROR(entries.status());
  return builder.finish();
}

// Steps 1 and 2: the whole table in `temp`, on disk.
Status write_temp_table(Env& env, const std::string& temp, Iterator& entries,
                        std::uint64_t max_bytes, std::vector<std::uint64_t>* hashes) {
  auto created = env.new_writable_file(temp);
  if (!created.is_ok()) return created.status();
  BufferedFile file(std::move(created).value());
  TableBuilder builder(file);
  VKV_RETURN_IF_ERROR(add_entries(entries, max_bytes, builder, hashes));
  VKV_RETURN_IF_ERROR(file.sync());
  return file.close();
}

// An empty filter for `keys` keys, or none when the options say so.
std::unique_ptr<BloomFilter> new_filter(std::uint64_t keys, const TableFileOptions& options) {
  if (options.filter_bits_per_key == 0) return nullptr;
  return std::make_unique<BloomFilter>(keys, options.filter_bits_per_key);
}

// A filter of the keys whose hashes are `hashes`, or none when the options say so.
std::unique_ptr<BloomFilter> filter_of(const std::vector<std::uint64_t>& hashes,
                                       const TableFileOptions& options) {
  std::unique_ptr<BloomFilter> filter = new_filter(hashes.size(), options);
  if (filter != nullptr) {
    for (std::uint64_t h : hashes) filter->add_hash(h);
  }
  return filter;
}

// Opens the table at `path`. With `verify`, reads and checks every block first, and fills
// a new filter on the way; without, takes `filter` as the one for its keys.
Result<TableFile> open_table(Env& env, const std::string& path, std::uint64_t number,
                             const TableFileOptions& options, bool verify,
                             std::unique_ptr<BloomFilter> filter) {
  auto file = env.new_random_access_file(path);
  if (!file.is_ok()) return file.status();
  auto table = Table::open(std::move(file).value(), path, options.block_cache, number);
  if (!table.is_ok()) return table.status();
  if (verify) {
    filter = new_filter((*table)->entry_count(), options);  // the count is checked by open()
    VKV_RETURN_IF_ERROR((*table)->verify(filter.get()));
  }
  TableFile result{number, std::move(table).value(), {}, std::move(filter)};
  if (result.table->entry_count() > 0) {
    Table::Iterator it(*result.table);
    it.seek_to_first();
    if (!it.valid()) return it.status().is_ok() ? Status::corruption(path + ": no first key") : it.status();
    result.smallest_key = it.key();
  }
  return result;
}

}  // namespace

std::string table_file_name(std::uint64_t number) {
  return DataDir::numbered_name(number, kTableSuffix);
}

std::optional<std::uint64_t> parse_table_file_name(std::string_view name) {
  return DataDir::parse_numbered_name(name, kTableSuffix);
}

Result<TableFile> write_table_file(const DataDir& dir, std::uint64_t number,
                                   const Memtable& memtable, const TableFileOptions& options) {
  const std::unique_ptr<Iterator> entries = memtable.new_iterator();
  entries->seek_to_first();
  return write_table_file(dir, number, *entries, kNoTableLimit, options);
}

// LEARNER: begin write_table_file(): a .tmp file, synced, renamed, the directory synced; then open it
//! [write-table-file]
Result<TableFile> write_table_file(const DataDir& dir, std::uint64_t number, Iterator& entries,
                                   std::uint64_t max_bytes, const TableFileOptions& options) {
  if (!entries.valid()) return Status::invalid_argument("no entries to write a table of");
  Env& env = dir.env();
  const std::string path = dir.file_path(table_file_name(number));
  const std::string temp = path + std::string(kTempSuffix);
  // 1-2. Under a name no reader trusts, then made durable: a crash leaves at worst a
  //      partial .tmp file, which start-up removes.
  std::vector<std::uint64_t> hashes;  // each key's, for the filter
  Status s = write_temp_table(env, temp, entries, max_bytes, &hashes);
  // 3. The rename is atomic: the name NNNNNN.sst only ever points at a whole table.
  if (s.is_ok()) s = env.rename_file(temp, path);
  // 4. Without this, a power loss can undo the rename, and the table vanishes.
  if (s.is_ok()) s = env.sync_dir(dir.path());
  if (!s.is_ok()) {
    (void)env.remove_file(temp);  // best effort; start-up removes it otherwise
    return s;
  }
  return open_table(env, path, number, options, /*verify=*/false, filter_of(hashes, options));
}
//! [write-table-file]
// LEARNER: end

Result<TableFile> open_table_file(const DataDir& dir, std::uint64_t number,
                                  const TableFileOptions& options) {
  return open_table(dir.env(), dir.file_path(table_file_name(number)), number, options,
                    /*verify=*/true, nullptr);
}

}  // namespace vkv::storage
