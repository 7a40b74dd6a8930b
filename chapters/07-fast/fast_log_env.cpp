#include "07-fast/fast_log_env.hpp"

#include <fcntl.h>

#include "03-wal/data_dir.hpp"
#include "07-fast/buffered_file.hpp"
#include "07-fast/mapped_file.hpp"
#include "07-fast/zero_filled_file.hpp"
#include "common/path.hpp"
#include "common/posix_io.hpp"

namespace vkv::storage {

Result<std::unique_ptr<WritableFile>> FastLogEnv::new_writable_file(const std::string& path) {
  if (!is_log(path)) return target().new_writable_file(path);
  return open_log(path, /*truncate=*/true);
}

Result<std::unique_ptr<WritableFile>> FastLogEnv::new_appendable_file(const std::string& path) {
  if (!is_log(path)) return target().new_appendable_file(path);
  return open_log(path, /*truncate=*/false);
}

bool FastLogEnv::uses_mapped_file(SyncPolicy sync) { return sync != SyncPolicy::kAlways; }

bool FastLogEnv::is_log(const std::string& path) {
  return DataDir::parse_log_name(file_name(path)).has_value();
}

//! [open-log]
Result<std::unique_ptr<WritableFile>> FastLogEnv::open_log(const std::string& path,
                                                           bool truncate) {
  // Read and write: a shared writable map needs both.
  auto fd = open_fd(path, O_RDWR | O_CREAT | (truncate ? O_TRUNC : 0));
  if (!fd.is_ok()) return fd.status();
  auto size = fd_size(fd->get(), path);
  if (!size.is_ok()) return size.status();
  if (uses_mapped_file(sync_)) {
    return std::unique_ptr<WritableFile>(
        std::make_unique<MappedFile>(std::move(fd).value(), path, *size));
  }
  // Under `always` every record is synced before it is acknowledged, so its appends may
  // wait in memory until that sync and go out with one write(2).
  return std::unique_ptr<WritableFile>(std::make_unique<BufferedFile>(
      std::make_unique<ZeroFilledFile>(std::move(fd).value(), path, *size)));
}
//! [open-log]

}  // namespace vkv::storage
