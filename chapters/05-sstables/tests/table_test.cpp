// Tables: round trips through real files, lookups of present and absent keys, every kind of
// damage detected (flipped bits, truncation), the size the format costs, and --dump.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <sstream>
#include <string>

#include "common/crc32c.hpp"
#include "common/env.hpp"
#include "05-sstables/table.hpp"
#include "05-sstables/table_builder.hpp"
#include "05-sstables/table_dump.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::Status;
using vkv::storage::EntryKind;
using vkv::storage::Table;
using vkv::storage::TableBuilder;
using vkv::testing::TempDir;

namespace {

struct Entry {
  EntryKind kind;
  std::string value;
  bool operator==(const Entry&) const = default;
};
using Model = std::map<std::string, Entry>;

// n entries with random binary keys of 1..24 bytes, random values of 0..200 bytes, and one
// in ten a tombstone.
Model random_model(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Model m;
  while (m.size() < n) {
    std::string key(1 + rng() % 24, '\0');
    for (auto& c : key) c = static_cast<char>(rng());
    if (rng() % 10 == 0) {
      m[key] = {EntryKind::kTombstone, ""};
    } else {
      std::string value(rng() % 201, '\0');
      for (auto& c : value) c = static_cast<char>(rng());
      m[key] = {EntryKind::kValue, value};
    }
  }
  return m;
}

void write_table(const std::string& path, const Model& model) {
  auto file = Env::posix().new_writable_file(path);
  REQUIRE(file.is_ok());
  TableBuilder builder(**file);
  for (const auto& [k, e] : model) REQUIRE(builder.add(k, e.value, e.kind).is_ok());
  REQUIRE(builder.finish().is_ok());
  REQUIRE(builder.entry_count() == model.size());
  REQUIRE((*file)->sync().is_ok());
  REQUIRE((*file)->close().is_ok());
}

std::unique_ptr<Table> open_table(const std::string& path) {
  auto file = Env::posix().new_random_access_file(path);
  REQUIRE(file.is_ok());
  auto table = Table::open(std::move(*file), "t.sst");
  INFO(table.status().to_string());
  REQUIRE(table.is_ok());
  return std::move(*table);
}

// A table held in memory, so the damage tests can try thousands of variants quickly.
class StringFile : public vkv::RandomAccessFile {
 public:
  explicit StringFile(std::string bytes) : bytes_(std::move(bytes)) {}
  Status read(std::uint64_t offset, std::size_t n, std::string* out) const override {
    if (offset > bytes_.size() || n > bytes_.size() - offset) {
      return Status::corruption("short read");
    }
    out->assign(bytes_, offset, n);
    return Status::ok();
  }
  std::uint64_t size() const override { return bytes_.size(); }

 private:
  std::string bytes_;
};

vkv::Result<std::unique_ptr<Table>> open_bytes(std::string bytes) {
  return Table::open(std::make_unique<StringFile>(std::move(bytes)), "t.sst");
}

// A key that sorts just after `key` and before any other key that is not a prefix-extension.
std::string just_after(const std::string& key) { return key + std::string(1, '\0'); }

}  // namespace

TEST_CASE("a table of 20000 entries round-trips through a real file", "[ch05][table]") {
  TempDir dir;
  const Model model = random_model(20000, 1);
  write_table(dir.file("t.sst"), model);
  auto table = open_table(dir.file("t.sst"));
  CHECK(table->entry_count() == model.size());
  CHECK(table->data_block_count() > 100);
  CHECK(table->largest_key() == model.rbegin()->first);
  CHECK(table->verify().is_ok());

  SECTION("get finds every key with its value and kind") {
    std::string value;
    EntryKind kind;
    for (const auto& [k, e] : model) {
      Status s = table->get(k, &value, &kind);
      REQUIRE(s.is_ok());
      CHECK(kind == e.kind);
      CHECK(value == e.value);
    }
  }
  SECTION("get reports not found for keys before, between and after") {
    std::string value;
    EntryKind kind;
    CHECK(table->get("", &value, &kind).is_not_found());  // before the first (keys are >= 1 byte)
    CHECK(table->get(model.begin()->first.substr(0, 0), &value, &kind).is_not_found());
    CHECK(table->get(just_after(model.rbegin()->first), &value, &kind).is_not_found());
    CHECK(table->get(std::string(30, '\xff'), &value, &kind).is_not_found());
    std::size_t between = 0;
    for (const auto& [k, e] : model) {
      const std::string absent = just_after(k);
      if (model.count(absent) != 0) continue;
      ++between;
      REQUIRE(table->get(absent, &value, &kind).is_not_found());
    }
    CHECK(between > model.size() * 9 / 10);
    // Separators themselves need not be keys: look for a prefix of each key too.
    for (const auto& [k, e] : model) {
      const std::string prefix = k.substr(0, k.size() / 2);
      if (model.count(prefix) == 0) REQUIRE(table->get(prefix, &value, &kind).is_not_found());
    }
  }
  SECTION("the iterator walks every entry in order") {
    Table::Iterator it(*table);
    auto want = model.begin();
    for (it.seek_to_first(); it.valid(); it.next(), ++want) {
      REQUIRE(want != model.end());
      REQUIRE(it.key() == want->first);
      REQUIRE(Entry{it.kind(), std::string(it.value())} == want->second);
    }
    CHECK(it.status().is_ok());
    CHECK(want == model.end());
  }
  SECTION("the iterator seeks to the first key at or after a target") {
    Table::Iterator it(*table);
    std::mt19937_64 rng(5);
    for (int i = 0; i < 2000; ++i) {
      std::string target(1 + rng() % 4, '\0');
      for (auto& c : target) c = static_cast<char>(rng());
      auto want = model.lower_bound(target);
      it.seek(target);
      REQUIRE(it.valid() == (want != model.end()));
      if (want != model.end()) REQUIRE(it.key() == want->first);
    }
    it.seek(model.rbegin()->first);
    REQUIRE(it.valid());
    it.next();
    CHECK_FALSE(it.valid());
    CHECK(it.status().is_ok());
  }
}

TEST_CASE("a table with no entries opens and finds nothing", "[ch05][table]") {
  TempDir dir;
  write_table(dir.file("t.sst"), {});
  auto table = open_table(dir.file("t.sst"));
  std::string value;
  EntryKind kind;
  CHECK(table->get("a", &value, &kind).is_not_found());
  Table::Iterator it(*table);
  it.seek_to_first();
  CHECK_FALSE(it.valid());
  CHECK(it.status().is_ok());
  CHECK(table->verify().is_ok());
}

TEST_CASE("the builder refuses keys out of order", "[ch05][table]") {
  TempDir dir;
  auto file = Env::posix().new_writable_file(dir.file("t.sst"));
  REQUIRE(file.is_ok());
  TableBuilder builder(**file);
  REQUIRE(builder.add("b", "1", EntryKind::kValue).is_ok());
  Status s = builder.add("a", "2", EntryKind::kValue);
  CHECK(s.code() == vkv::StatusCode::kInvalidArgument);
  CHECK(builder.add("b", "2", EntryKind::kValue).code() == vkv::StatusCode::kInvalidArgument);
  REQUIRE(builder.add("c", "3", EntryKind::kTombstone).is_ok());
  REQUIRE(builder.finish().is_ok());
  CHECK(builder.entry_count() == 2);
}

namespace {

// Builds `model` into a string via a real file and reads the bytes back.
std::string table_bytes(const Model& model) {
  TempDir dir;
  write_table(dir.file("t.sst"), model);
  return vkv::testing::read_whole_file(dir.file("t.sst"));
}

// Opens a damaged copy of a table and uses all of it. Returns true when the damage was
// detected. Whatever the damage, nothing crashes and no wrong answer is given as ok.
bool damage_detected(const std::string& bytes, const Model& model) {
  auto table = open_bytes(bytes);
  if (!table.is_ok()) {
    CHECK(table.status().is_corruption());
    CHECK(table.status().message().rfind("t.sst: ", 0) == 0);
    return true;
  }
  // (Plain ifs in the loops: thousands of variants times thousands of keys is too many
  // assertions to count one by one.)
  bool detected = false;
  std::string value;
  EntryKind kind;
  for (const auto& [k, e] : model) {
    Status s = (*table)->get(k, &value, &kind);
    if (s.is_ok() && !(Entry{kind, value} == e)) FAIL("wrong value returned as ok");
    if (!s.is_ok() && !s.is_corruption()) FAIL("present key not found: " << s.to_string());
    if (!s.is_ok() && s.message().rfind("t.sst: data block ", 0) != 0) FAIL(s.to_string());
    detected = detected || !s.is_ok();
    Status absent = (*table)->get(just_after(k), &value, &kind);
    if (!absent.is_not_found() && !absent.is_corruption()) FAIL(absent.to_string());
  }
  Table::Iterator it(**table);
  for (it.seek_to_first(); it.valid(); it.next()) {
    auto want = model.find(std::string(it.key()));
    if (want == model.end() || !(Entry{it.kind(), std::string(it.value())} == want->second)) {
      FAIL("iterator returned an entry the table never had");
    }
  }
  Status v = (*table)->verify();
  if (!v.is_ok()) {
    CHECK(v.is_corruption());
    CHECK(v.message().rfind("t.sst: ", 0) == 0);
  }
  return detected || !v.is_ok() || !it.status().is_ok();
}

}  // namespace

TEST_CASE("a flipped bit anywhere in a small table is detected", "[ch05][table][corruption]") {
  // Three data blocks, the index and the footer: every byte of each gets one flip.
  Model model;
  for (int i = 0; i < 100; ++i) {
    model["key" + std::to_string(1000 + i)] = {i % 7 == 0 ? EntryKind::kTombstone
                                                           : EntryKind::kValue,
                                               i % 7 == 0 ? "" : std::string(100, 'a' + i % 26)};
  }
  const std::string good = table_bytes(model);
  auto table = open_bytes(good);
  REQUIRE(table.is_ok());
  REQUIRE((*table)->data_block_count() >= 3);
  for (std::size_t pos = 0; pos < good.size(); ++pos) {
    std::string bad = good;
    bad[pos] = static_cast<char>(bad[pos] ^ (1 << (pos % 8)));
    INFO("byte " << pos << " of " << good.size());
    REQUIRE(damage_detected(bad, model));
  }
}

TEST_CASE("a flipped bit in any block of a larger table is detected", "[ch05][table][corruption]") {
  const Model model = random_model(2000, 2);
  const std::string good = table_bytes(model);
  auto table = open_bytes(good);
  REQUIRE(table.is_ok());
  // Sample positions in every block: its first byte, a random one, its trailer's last byte.
  std::vector<std::size_t> positions;
  std::mt19937_64 rng(9);
  auto sample = [&](std::uint64_t offset, std::uint64_t size) {
    positions.push_back(offset);
    positions.push_back(offset + rng() % size);
    positions.push_back(offset + size - 1);
  };
  for (std::size_t i = 0; i < (*table)->data_block_count(); ++i) {
    const auto& h = (*table)->data_block_handle(i);
    sample(h.offset, h.size + vkv::storage::kBlockTrailerSize);
  }
  const auto& index = (*table)->footer().index;
  sample(index.offset, index.size + vkv::storage::kBlockTrailerSize);
  sample(good.size() - vkv::storage::kFooterSize, vkv::storage::kFooterSize);
  for (std::size_t pos : positions) {
    std::string bad = good;
    bad[pos] = static_cast<char>(bad[pos] ^ (1 << (rng() % 8)));
    INFO("byte " << pos << " of " << good.size());
    REQUIRE(damage_detected(bad, model));
  }
}

TEST_CASE("a damaged data block on disk is named in the error", "[ch05][table][corruption]") {
  TempDir dir;
  const Model model = random_model(2000, 3);
  write_table(dir.file("t.sst"), model);
  std::string bytes = vkv::testing::read_whole_file(dir.file("t.sst"));
  vkv::storage::BlockHandle block3;
  {
    auto table = open_table(dir.file("t.sst"));
    block3 = table->data_block_handle(3);
  }
  bytes[block3.offset + 10] ^= 0x20;
  vkv::testing::write_whole_file(dir.file("t.sst"), bytes);

  auto table = open_table(dir.file("t.sst"));  // the index is intact, so open succeeds
  const std::string want =
      "t.sst: data block 3 at offset " + std::to_string(block3.offset) + ": checksum mismatch";
  Status v = table->verify();
  CHECK(v.is_corruption());
  CHECK(v.message().rfind(want, 0) == 0);
  CHECK(v.to_string().rfind("corruption: " + want, 0) == 0);

  // A key in block 3 fails the same way; keys in other blocks are still found.
  std::size_t in_block3 = 0;
  std::string value;
  EntryKind kind;
  for (const auto& [k, e] : model) {
    Status s = table->get(k, &value, &kind);
    if (!s.is_ok()) {
      CHECK(s.message().rfind(want, 0) == 0);
      ++in_block3;
    }
  }
  CHECK(in_block3 > 0);
  CHECK(in_block3 < 100);
}

TEST_CASE("truncated files are rejected with a clear error", "[ch05][table][corruption]") {
  const Model model = random_model(500, 4);
  const std::string good = table_bytes(model);
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{39}}) {
    auto table = open_bytes(good.substr(0, len));
    REQUIRE_FALSE(table.is_ok());
    CHECK(table.status().message() == "t.sst: file is " + std::to_string(len) +
                                          " bytes, too short to be an SSTable (the footer "
                                          "alone is 40)");
  }
  for (std::size_t len = 40; len < good.size(); len += (len < 200 ? 1 : 97)) {
    auto table = open_bytes(good.substr(0, len));
    REQUIRE_FALSE(table.is_ok());
    CHECK(table.status().is_corruption());
    CHECK(table.status().message().find("t.sst: footer at offset " +
                                        std::to_string(len - 40) +
                                        ": bad magic number") == 0);
  }
  // Cut from the front instead (the footer survives but points past the end).
  auto table = open_bytes(good.substr(100));
  REQUIRE_FALSE(table.is_ok());
  CHECK(table.status().message().find("does not end where the footer begins") !=
        std::string::npos);
}

TEST_CASE("a future format version is refused by name", "[ch05][table][corruption]") {
  vkv::storage::Footer footer;
  footer.version = 2;
  std::string bytes;
  footer.encode_to(&bytes);
  auto table = open_bytes(bytes);
  REQUIRE_FALSE(table.is_ok());
  CHECK(table.status().message() ==
        "t.sst: footer at offset 0: unsupported format version 2 (this program reads version 1)");
}

// A format property, not a timing: the overhead of blocks, restarts, index and footer on
// the workload the chapter sets (16-byte keys, 100-byte values). Random binary keys share
// no prefix, so this is the worst case for prefix compression.
TEST_CASE("100k entries of 16-byte keys and 100-byte values cost at most 1.15x their bytes",
          "[ch05][table][size]") {
  TempDir dir;
  std::mt19937_64 rng(6);
  Model model;
  while (model.size() < 100000) {
    std::string key(16, '\0');
    std::string value(100, '\0');
    for (auto& c : key) c = static_cast<char>(rng());
    for (auto& c : value) c = static_cast<char>(rng());
    model[key] = {EntryKind::kValue, value};
  }
  write_table(dir.file("t.sst"), model);
  auto size = Env::posix().file_size(dir.file("t.sst"));
  REQUIRE(size.is_ok());
  const double raw = 100000.0 * (16 + 100);
  const double ratio = static_cast<double>(*size) / raw;
  INFO("file " << *size << " bytes, raw " << raw << ", ratio " << ratio);
  CHECK(ratio <= 1.15);
  CHECK(ratio > 1.0);
}

TEST_CASE("dump shows blocks, keys, kinds and checksums", "[ch05][table][dump]") {
  TempDir dir;
  Model model;
  model[std::string("bin\x01\xff", 5)] = {EntryKind::kValue, "v1"};
  model["deleted"] = {EntryKind::kTombstone, ""};
  model["plain"] = {EntryKind::kValue, std::string(100, 'x')};
  write_table(dir.file("t.sst"), model);

  std::ostringstream out;
  Status s = vkv::storage::dump_table(dir.file("t.sst"), out);
  INFO(out.str());
  REQUIRE(s.is_ok());
  const std::string text = out.str();
  auto table = open_table(dir.file("t.sst"));
  const auto& h = table->data_block_handle(0);
  const std::string bytes = vkv::testing::read_whole_file(dir.file("t.sst"));
  const std::string_view block = std::string_view(bytes).substr(h.offset, h.size);
  const std::string crc = vkv::storage::format_crc(vkv::crc32c::value(block));
  CHECK(text.find("footer at offset") != std::string::npos);
  CHECK(text.find("format version 1, 3 entries") != std::string::npos);
  CHECK(text.find("index block at offset") != std::string::npos);
  CHECK(text.find("data block 0 at offset 0, " + std::to_string(h.size) + " bytes") !=
        std::string::npos);
  CHECK(text.find("crc32c stored " + crc + " computed " + crc + " ok") != std::string::npos);
  CHECK(text.find("value     \"bin\\x01\\xff\" (2-byte value)") != std::string::npos);
  CHECK(text.find("tombstone \"deleted\"") != std::string::npos);
  CHECK(text.find("value     \"plain\" (100-byte value)") != std::string::npos);
  CHECK(text.find("all checksums ok") != std::string::npos);
}

TEST_CASE("dump goes on past a damaged block and reports it", "[ch05][table][dump]") {
  TempDir dir;
  const Model model = random_model(1000, 8);
  write_table(dir.file("t.sst"), model);
  std::string bytes = vkv::testing::read_whole_file(dir.file("t.sst"));
  bytes[5] ^= 1;  // inside data block 0
  vkv::testing::write_whole_file(dir.file("t.sst"), bytes);

  std::ostringstream out;
  Status s = vkv::storage::dump_table(dir.file("t.sst"), out);
  CHECK(s.is_corruption());
  CHECK(s.message().find("data block 0 at offset 0: checksum mismatch") != std::string::npos);
  CHECK(out.str().find("MISMATCH") != std::string::npos);
  CHECK(out.str().find("data block 1 at offset") != std::string::npos);  // it went on
  CHECK(out.str().find("1 damaged blocks") != std::string::npos);
}
