// Env::posix(): the Env that calls the operating system.
//
// Every error names the operation, the path and the system's reason, in that order
// ("open /data/000001.log: Permission denied"), so a failure read in a log says what was
// tried where. A missing file or directory (ENOENT) is reported as not-found, everything
// else as an I/O error.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "common/env.hpp"
#include "common/posix_io.hpp"
#include "common/unique_fd.hpp"

namespace vkv {
namespace {

// Appends with pwrite(2) at size_, the end as this file counts it, and syncs with fdatasync.
class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(UniqueFd fd, std::string path, std::uint64_t size)
      : fd_(std::move(fd)), path_(std::move(path)), size_(size) {}

  Status append(std::string_view data) override {
    if (!fd_) return closed_error("append");
    std::uint64_t written = 0;
    Status s = write_all_at(fd_.get(), data, size_, path_, &written);
    // A write that stopped part way (ENOSPC) is cut off again, so the file ends where it did.
    if (!s.is_ok() && written > 0 && ::ftruncate(fd_.get(), static_cast<off_t>(size_)) == 0) {
      written = 0;
    }
    size_ += written;
    return s;
  }

  Status sync() override {
    if (!fd_) return closed_error("sync");
    // fdatasync, not fsync: the data and the size are what a reader needs after a crash;
    // the modification time is not worth a second disk write.
    if (::fdatasync(fd_.get()) != 0) return posix_error("fdatasync", path_, errno);
    return Status::ok();
  }

  Status close() override {
    if (!fd_) return closed_error("close");
    if (fd_.close() != 0) return posix_error("close", path_, errno);
    return Status::ok();
  }

  [[nodiscard]] std::uint64_t size() const override { return size_; }

 private:
  Status closed_error(std::string_view op) const {
    return Status::io_error(std::string(op) + " " + path_ + ": file is closed");
  }

  UniqueFd fd_;
  std::string path_;
  std::uint64_t size_;  // bytes in the file: where the next append goes
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

  Status read(std::size_t n, std::string* out) override {
    out->resize(n);
    std::size_t got = 0;
    // Fill the buffer unless the file ends first, so only the end gives an empty result.
    while (got < n) {
      const ssize_t r = ::read(fd_.get(), out->data() + got, n - got);
      if (r < 0) {
        if (errno == EINTR) continue;
        out->clear();
        return posix_error("read", path_, errno);
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    out->resize(got);
    return Status::ok();
  }

 private:
  UniqueFd fd_;
  std::string path_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(UniqueFd fd, std::string path, std::uint64_t size)
      : fd_(std::move(fd)), path_(std::move(path)), size_(size) {}

  // pread takes the offset as an argument and leaves the file position alone, so many
  // threads can read through one descriptor at once.
  Status read(std::uint64_t offset, std::size_t n, std::string* out) const override {
    out->resize(n);
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_.get(), out->data() + got, n - got,
                                static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        out->clear();
        return posix_error("pread", path_, errno);
      }
      if (r == 0) {
        out->clear();
        return Status::corruption("pread " + path_ + ": short read at offset " +
                                  std::to_string(offset) + ": wanted " + std::to_string(n) +
                                  " bytes, the file ends after " + std::to_string(got));
      }
      got += static_cast<std::size_t>(r);
    }
    return Status::ok();
  }

  [[nodiscard]] std::uint64_t size() const override { return size_; }

 private:
  UniqueFd fd_;
  std::string path_;
  std::uint64_t size_;
};

// The lock lives as long as the descriptor it was taken on: closing it releases the lock.
class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(UniqueFd fd) : fd_(std::move(fd)) {}

 private:
  UniqueFd fd_;
};

// Closes a directory stream opened by opendir.
struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override {
    auto fd = open_fd(path, O_WRONLY | O_CREAT | O_TRUNC);
    if (!fd.is_ok()) return fd.status();
    return std::unique_ptr<WritableFile>(
        std::make_unique<PosixWritableFile>(std::move(fd).value(), path, 0));
  }

  Result<std::unique_ptr<WritableFile>> new_appendable_file(const std::string& path) override {
    return open_sized<WritableFile, PosixWritableFile>(path, O_WRONLY | O_CREAT);
  }

  Result<std::unique_ptr<SequentialFile>> new_sequential_file(const std::string& path) override {
    auto fd = open_fd(path, O_RDONLY);
    if (!fd.is_ok()) return fd.status();
    return std::unique_ptr<SequentialFile>(
        std::make_unique<PosixSequentialFile>(std::move(fd).value(), path));
  }

  Result<std::unique_ptr<RandomAccessFile>> new_random_access_file(
      const std::string& path) override {
    return open_sized<RandomAccessFile, PosixRandomAccessFile>(path, O_RDONLY);
  }

  Status rename_file(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return posix_error("rename", from + " to " + to, errno);
    }
    return Status::ok();
  }

  Status remove_file(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return posix_error("remove", path, errno);
    return Status::ok();
  }

  Status truncate_file(const std::string& path, std::uint64_t size) override {
    auto fd = open_fd(path, O_WRONLY);
    if (!fd.is_ok()) return fd.status();
    int rc;
    do {
      rc = ::ftruncate(fd->get(), static_cast<off_t>(size));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return posix_error("truncate", path, errno);
    // fsync, not fdatasync: the new size is metadata, and it is the point of the call.
    if (::fsync(fd->get()) != 0) return posix_error("fsync", path, errno);
    return Status::ok();
  }

  Status create_dir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) == 0) return Status::ok();
    const int err = errno;
    struct stat st {};
    if (err == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      return Status::ok();
    }
    return posix_error("mkdir", dir, err);
  }

  Status remove_dir(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return posix_error("rmdir", dir, errno);
    return Status::ok();
  }

  Status sync_dir(const std::string& dir) override {
    auto fd = open_fd(dir, O_RDONLY | O_DIRECTORY);
    if (!fd.is_ok()) return fd.status();
    if (::fsync(fd->get()) != 0) return posix_error("fsync", dir, errno);
    return Status::ok();
  }

  Result<std::vector<std::string>> list_dir(const std::string& dir) override {
    std::unique_ptr<DIR, DirCloser> d(::opendir(dir.c_str()));
    if (!d) return posix_error("opendir", dir, errno);
    std::vector<std::string> names;
    for (;;) {
      errno = 0;  // readdir returns null both at the end and on error; errno tells which
      const dirent* e = ::readdir(d.get());
      if (e == nullptr) break;
      const std::string_view name(e->d_name);
      if (name != "." && name != "..") names.emplace_back(name);
    }
    if (errno != 0) return posix_error("readdir", dir, errno);
    return names;
  }

  bool file_exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Result<std::uint64_t> file_size(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return posix_error("stat", path, errno);
    return static_cast<std::uint64_t>(st.st_size);
  }

  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) override {
    auto fd = open_fd(path, O_RDWR | O_CREAT);
    if (!fd.is_ok()) return fd.status();
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = 0;
    lock.l_len = 0;  // the whole file
#ifdef F_OFD_SETLK
    // An open-file-description lock belongs to this descriptor, not to the process, so a
    // second lock_file in the same process conflicts too (a classic F_SETLK would not).
    const int cmd = F_OFD_SETLK;
#else
    const int cmd = F_SETLK;  // without OFD locks, only other processes are kept out
#endif
    int rc;
    do {
      rc = ::fcntl(fd->get(), cmd, &lock);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      if (errno == EAGAIN || errno == EACCES) {
        return Status::busy("lock " + path + ": already held by another process");
      }
      return posix_error("lock", path, errno);
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(std::move(fd).value()));
  }

 private:
  // Opens `path` with `flags` as a `File` (an `Interface`) that is told the file's size: where
  // a writer goes on, or how far a reader may read.
  template <typename Interface, typename File>
  static Result<std::unique_ptr<Interface>> open_sized(const std::string& path, int flags) {
    auto fd = open_fd(path, flags);
    if (!fd.is_ok()) return fd.status();
    auto size = fd_size(fd->get(), path);
    if (!size.is_ok()) return size.status();
    return std::unique_ptr<Interface>(std::make_unique<File>(std::move(fd).value(), path, *size));
  }
};

}  // namespace

Env& Env::posix() {
  static PosixEnv env;
  return env;
}

}  // namespace vkv
