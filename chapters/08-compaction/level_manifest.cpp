#include "08-compaction/level_manifest.hpp"

#include "05-sstables/manifest.hpp"
#include "08-compaction/levels.hpp"
#include "common/coding.hpp"
#include "common/crc32c.hpp"

namespace vkv::storage {

namespace {

// Magic, version, log number, next file number, table count.
constexpr std::size_t kHeaderSize = 8 + 4 + 8 + 8 + 4;
constexpr std::size_t kTableSize = 8 + 4;
constexpr std::size_t kChecksumSize = 4;

}  // namespace

std::string LevelManifest::encode() const {
  std::string out(kManifestMagic);
  put_fixed32(&out, kLevelManifestVersion);
  put_fixed64(&out, log_number);
  put_fixed64(&out, next_file_number);
  put_fixed32(&out, static_cast<std::uint32_t>(tables.size()));
  for (const Table& t : tables) {
    put_fixed64(&out, t.number);
    put_fixed32(&out, static_cast<std::uint32_t>(t.level));
  }
  put_fixed32(&out, crc32c::mask(crc32c::value(out)));
  return out;
}

Result<LevelManifest> LevelManifest::decode(std::string_view bytes) {
  auto checked = check_manifest_frame(bytes);  // magic and checksum, as chapter 5's
  if (!checked.is_ok()) return checked.status();
  const std::uint32_t version = *checked;
  if (version == kManifestVersion) {
    // Chapter 5's file: every table in level 0, oldest first.
    auto flat = Manifest::decode(bytes);
    if (!flat.is_ok()) return flat.status();
    LevelManifest m{flat->log_number, flat->next_file_number, {}};
    for (std::uint64_t n : flat->tables) m.tables.push_back({n, 0});
    return m;
  }
  const char* p = bytes.data() + 8;
  const std::string_view covered = bytes.substr(0, bytes.size() - kChecksumSize);
  if (version != kLevelManifestVersion) {
    return Status::corruption("unsupported MANIFEST version " + std::to_string(version) +
                              " (this program reads versions " +
                              std::to_string(kManifestVersion) + " and " +
                              std::to_string(kLevelManifestVersion) + ")");
  }
  LevelManifest m;
  m.log_number = decode_fixed64(p + 4);
  m.next_file_number = decode_fixed64(p + 12);
  const std::uint32_t count = decode_fixed32(p + 20);
  if (covered.size() != kHeaderSize + kTableSize * std::uint64_t{count}) {
    return Status::corruption("length " + std::to_string(bytes.size()) + " does not fit " +
                              std::to_string(count) + " tables");
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    const char* t = bytes.data() + kHeaderSize + kTableSize * std::size_t{i};
    const std::uint32_t level = decode_fixed32(t + 8);
    if (level >= kLevels) {
      return Status::corruption("table " + std::to_string(decode_fixed64(t)) + " is at level " +
                                std::to_string(level) + " (the deepest is " +
                                std::to_string(kLevels - 1) + ")");
    }
    m.tables.push_back({decode_fixed64(t), static_cast<int>(level)});
  }
  return m;
}

Result<std::optional<LevelManifest>> read_level_manifest(Env& env, const std::string& dir) {
  const std::string path = dir + "/" + std::string(kManifestName);
  if (!env.file_exists(path)) return std::optional<LevelManifest>();
  std::string bytes;
  VKV_RETURN_IF_ERROR(read_small_file(env, path, &bytes));
  auto manifest = LevelManifest::decode(bytes);
  if (!manifest.is_ok()) return Status::corruption(path + ": " + manifest.status().message());
  return std::optional<LevelManifest>(std::move(manifest).value());
}

Status write_level_manifest(Env& env, const std::string& dir, const LevelManifest& manifest) {
  return replace_file_atomically(env, dir, kManifestName, manifest.encode());
}

}  // namespace vkv::storage
