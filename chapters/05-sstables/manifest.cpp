#include "05-sstables/manifest.hpp"

#include "common/coding.hpp"
#include "common/crc32c.hpp"
#include "05-sstables/table_format.hpp"

namespace vkv::storage {

namespace {

// Magic, version, log number, next file number, table count.
constexpr std::size_t kHeaderSize = 8 + 4 + 8 + 8 + 4;
constexpr std::size_t kChecksumSize = 4;

std::string manifest_path(const std::string& dir) { return dir + "/" + std::string(kManifestName); }

}  // namespace

Status read_small_file(Env& env, const std::string& path, std::string* out) {
  auto file = env.new_sequential_file(path);
  if (!file.is_ok()) return file.status();
  out->clear();
  std::string chunk;
  do {
    VKV_RETURN_IF_ERROR((*file)->read(64 * 1024, &chunk));
    out->append(chunk);
  } while (!chunk.empty());
  return Status::ok();
}

std::string Manifest::encode() const {
  std::string out(kManifestMagic);
  put_fixed32(&out, kManifestVersion);
  put_fixed64(&out, log_number);
  put_fixed64(&out, next_file_number);
  put_fixed32(&out, static_cast<std::uint32_t>(tables.size()));
  for (std::uint64_t t : tables) put_fixed64(&out, t);
  put_fixed32(&out, crc32c::mask(crc32c::value(out)));
  return out;
}

Result<std::uint32_t> check_manifest_frame(std::string_view bytes) {
  if (bytes.size() < kHeaderSize + kChecksumSize || bytes.substr(0, 8) != kManifestMagic) {
    return Status::corruption("bad magic number (not a MANIFEST, or cut short)");
  }
  const std::string_view covered = bytes.substr(0, bytes.size() - kChecksumSize);
  const std::uint32_t stored = crc32c::unmask(decode_fixed32(bytes.data() + covered.size()));
  const std::uint32_t computed = crc32c::value(covered);
  if (stored != computed) {
    return Status::corruption("checksum mismatch (stored " + format_crc(stored) +
                              ", computed " + format_crc(computed) + ")");
  }
  return decode_fixed32(bytes.data() + 8);
}

Result<Manifest> Manifest::decode(std::string_view bytes) {
  auto checked = check_manifest_frame(bytes);
  if (!checked.is_ok()) return checked.status();
  const char* p = bytes.data() + 8;
  const std::uint32_t version = *checked;
  if (version != kManifestVersion) {
    return Status::corruption("unsupported MANIFEST version " + std::to_string(version) +
                              " (this program reads version " + std::to_string(kManifestVersion) +
                              ")");
  }
  Manifest m;
  m.log_number = decode_fixed64(p + 4);
  m.next_file_number = decode_fixed64(p + 12);
  const std::uint32_t count = decode_fixed32(p + 20);
  if (bytes.size() - kChecksumSize != kHeaderSize + 8 * std::uint64_t{count}) {
    return Status::corruption("length " + std::to_string(bytes.size()) + " does not fit " +
                              std::to_string(count) + " tables");
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    m.tables.push_back(decode_fixed64(bytes.data() + kHeaderSize + 8 * std::size_t{i}));
  }
  return m;
}

Result<std::optional<Manifest>> read_manifest(Env& env, const std::string& dir) {
  const std::string path = manifest_path(dir);
  if (!env.file_exists(path)) return std::optional<Manifest>();
  std::string bytes;
  VKV_RETURN_IF_ERROR(read_small_file(env, path, &bytes));
  auto manifest = Manifest::decode(bytes);
  if (!manifest.is_ok()) return Status::corruption(path + ": " + manifest.status().message());
  return std::optional<Manifest>(std::move(manifest).value());
}

Status write_manifest(Env& env, const std::string& dir, const Manifest& manifest) {
  return replace_file_atomically(env, dir, kManifestName, manifest.encode());
}

//! [write-manifest]
Status replace_file_atomically(Env& env, const std::string& dir, std::string_view name,
                               std::string_view bytes) {
  const std::string path = dir + "/" + std::string(name);
  const std::string temp = path + std::string(kTempSuffix);
  auto file = env.new_writable_file(temp);
  if (!file.is_ok()) return file.status();
  VKV_RETURN_IF_ERROR((*file)->append(bytes));
  VKV_RETURN_IF_ERROR((*file)->sync());   // whole on disk before its name says it is live
  VKV_RETURN_IF_ERROR((*file)->close());
  VKV_RETURN_IF_ERROR(env.rename_file(temp, path));  // atomic: the old one or the new one
  return env.sync_dir(dir);                            // the rename itself survives a crash
}
//! [write-manifest]

}  // namespace vkv::storage
