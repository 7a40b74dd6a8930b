// Env::posix(): the Env that calls the operating system.
//
// Every error names the operation, the path and the system's reason, in that order
// ("open /data/000001.log: Permission denied"), so a failure read in a log says what was
// tried where. A missing file or directory (ENOENT) is reported as not-found, everything
// else as an I/O error.
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/env.hpp"
#include "common/unique_fd.hpp"

namespace vkv {
namespace {

// The Status for a failed system call: `op` and `path` say what was tried, `err` (an errno
// value) why it failed.
Status posix_error(std::string_view op, const std::string& path, int err) {
  std::string msg(op);
  msg += ' ';
  msg += path;
  msg += ": ";
  msg += std::strerror(err);
  return err == ENOENT ? Status::not_found(std::move(msg)) : Status::io_error(std::move(msg));
}

// open(2), retried on EINTR, always with O_CLOEXEC so a spawned child inherits nothing.
Result<UniqueFd> open_fd(const std::string& path, int flags, mode_t mode = 0644) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return posix_error("open", path, errno);
  return UniqueFd(fd);
}

Result<std::uint64_t> fd_size(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return posix_error("stat", path, errno);
  return static_cast<std::uint64_t>(st.st_size);
}

// What the two posix WritableFiles share: the descriptor, the logical size, the space
// made past it (preallocate), syncing, and giving that space back at close.
class PosixFileBase : public WritableFile {
 public:
  PosixFileBase(UniqueFd fd, std::string path, std::uint64_t size)
      : fd_(std::move(fd)), path_(std::move(path)), size_(size), allocated_(size) {}

  //! [preallocate]
  Status preallocate(std::uint64_t bytes, Preallocation how) override {
    if (!fd_) return closed_error("preallocate");
    const std::uint64_t from = std::max(size_, allocated_);
    if (bytes <= from) return Status::ok();
    return how == Preallocation::kZeroFill ? fill_zeros(from, bytes) : reserve(from, bytes);
  }
  //! [preallocate]

  Status sync() override {
    if (!fd_) return closed_error("sync");
    // fdatasync, not fsync: the data and the size are what a reader needs after a crash;
    // the modification time is not worth a second disk write. (It writes back pages dirtied
    // through a shared memory map too: on Linux they are the same page cache.)
    if (::fdatasync(fd_.get()) != 0) return posix_error("fdatasync", path_, errno);
    return Status::ok();
  }

  Status close() override {
    if (!fd_) return closed_error("close");
    before_close();
    Status trimmed = give_back_preallocated();
    if (fd_.close() != 0) return posix_error("close", path_, errno);
    return trimmed;
  }

  [[nodiscard]] std::uint64_t size() const override { return size_; }

 protected:
  // Called by close() before the space is given back (the mapped file unmaps).
  virtual void before_close() {}

  Status closed_error(std::string_view op) const {
    return Status::io_error(std::string(op) + " " + path_ + ": file is closed");
  }

  //! [reserve-and-fill]
  // fallocate(2) from `from` to `to`: the blocks are reserved and marked unwritten.
  Status reserve(std::uint64_t from, std::uint64_t to) {
#ifdef __linux__
    // Mode 0, not FALLOC_FL_KEEP_SIZE: the point is that the size changes now, once, and
    // not on each append (keeping the size allocates the blocks but saves no sync work).
    int rc;
    do {
      rc = ::fallocate(fd_.get(), 0, static_cast<off_t>(from), static_cast<off_t>(to - from));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      // A file system without fallocate (some network ones) still takes appends.
      if (errno == EOPNOTSUPP || errno == ENOSYS) return Status::ok();
      return posix_error("fallocate", path_, errno);
    }
    allocated_ = to;
#else
    (void)from;
    (void)to;
#endif
    return Status::ok();
  }

  // Writes zeros from `from` to `to` and syncs them, so that the blocks are written ones.
  Status fill_zeros(std::uint64_t from, std::uint64_t to) {
    static const std::string kZeros(std::size_t{1} << 20, '\0');
    for (std::uint64_t at = from; at < to;) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kZeros.size(), to - at));
      const ssize_t written = ::pwrite(fd_.get(), kZeros.data(), n, static_cast<off_t>(at));
      if (written < 0) {
        if (errno == EINTR) continue;
        return posix_error("write", path_, errno);
      }
      at += static_cast<std::uint64_t>(written);
      allocated_ = std::max(allocated_, at);  // so that close() gives back what a failure left
    }
    if (::fdatasync(fd_.get()) != 0) return posix_error("fdatasync", path_, errno);
    return Status::ok();
  }
  //! [reserve-and-fill]

  // Writes `data` at size_ with pwrite(2), which may take fewer bytes than asked (a
  // signal): it loops until all of them are handed over.
  Status write_at_end(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n =
          ::pwrite(fd_.get(), data.data(), data.size(), static_cast<off_t>(size_));
      if (n < 0) {
        if (errno == EINTR) continue;
        return posix_error("write", path_, errno);
      }
      data.remove_prefix(static_cast<std::size_t>(n));
      size_ += static_cast<std::uint64_t>(n);
    }
    return Status::ok();
  }

  UniqueFd fd_;
  std::string path_;
  std::uint64_t size_;       // bytes appended: where the next append goes
  std::uint64_t allocated_;  // the file's end as preallocate() left it (at least size_)

 private:
  // Cuts the file back to size_ if preallocate() left it longer. No fsync: if a crash
  // undoes the cut, the zeros are back, and readers of the file expect them anyway.
  Status give_back_preallocated() {
    if (allocated_ <= size_) return Status::ok();
    int rc;
    do {
      rc = ::ftruncate(fd_.get(), static_cast<off_t>(size_));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return posix_error("truncate", path_, errno);
    allocated_ = size_;
    return Status::ok();
  }
};

// Appends with pwrite at size_, the logical end, and never with O_APPEND: after
// preallocate() the file's end (st_size) lies past the data, and O_APPEND would write there.
class PosixWritableFile final : public PosixFileBase {
 public:
  using PosixFileBase::PosixFileBase;

  Status append(std::string_view data) override {
    if (!fd_) return closed_error("append");
    return write_at_end(data);
  }
};

//! [window-maker]
// Maps windows of one file ahead of its writer, on a thread of its own. Mapping a window and
// faulting its pages in costs about 3 µs a page (the page cache page is allocated, zeroed and
// tied to its disk block): close to a millisecond for a window of 1 MiB, every 8,000 or so
// log records. Made here while the writer fills the window before it, that time is off the
// writer's path; the writer waits only if it catches up. Old windows are unmapped here too.
//
// One window is asked for at a time. Thread safety: make(), take() and unmap_later() are
// called by the file's one writer; the thread only touches what the mutex guards.
class WindowMaker {
 public:
  // What make() made: the map, or the errno of the mmap that failed.
  struct Window {
    char* map = nullptr;
    int error = 0;
  };

  WindowMaker(int fd, std::uint64_t size) : fd_(fd), size_(size), thread_([this] { run(); }) {}
  WindowMaker(const WindowMaker&) = delete;
  WindowMaker& operator=(const WindowMaker&) = delete;

  // Waits for the thread, then unmaps the window made and not taken, if any.
  ~WindowMaker() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
    if (made_ && made_->map != nullptr) ::munmap(made_->map, size_);
  }

  // Starts making the window at file offset `start`, whose space must be reserved already.
  // REQUIRES: every window asked for before has been taken.
  void make(std::uint64_t start) {
    {
      std::lock_guard lock(mu_);
      asked_ = start;
      made_.reset();
    }
    changed_.notify_all();
  }

  // The window at `start`, waiting for it if it is still being made; nullopt if it was not
  // asked for. A window asked for at another offset is unmapped.
  std::optional<Window> take(std::uint64_t start) {
    std::unique_lock lock(mu_);
    if (!asked_) return std::nullopt;
    changed_.wait(lock, [this] { return made_.has_value(); });
    const Window made = *made_;
    const bool wanted = *asked_ == start;
    asked_.reset();
    made_.reset();
    if (wanted) return made;
    if (made.map != nullptr) to_unmap_.push_back(made.map);
    lock.unlock();
    changed_.notify_all();
    return std::nullopt;
  }

  // Hands over a window the writer is done with, for the thread to unmap.
  void unmap_later(char* map) {
    {
      std::lock_guard lock(mu_);
      to_unmap_.push_back(map);
    }
    changed_.notify_all();
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (true) {
      changed_.wait(lock, [this] {
        return stopping_ || !to_unmap_.empty() || (asked_ && !made_);
      });
      std::vector<char*> old = std::move(to_unmap_);
      to_unmap_.clear();
      const bool to_make = asked_.has_value() && !made_.has_value();
      const std::uint64_t start = to_make ? *asked_ : 0;
      if (old.empty() && !to_make) return;  // stopping, and nothing left to do
      lock.unlock();
      for (char* map : old) ::munmap(map, size_);
      Window made;
      if (to_make) made = map_window(start);
      lock.lock();
      if (to_make) {
        made_ = made;
        changed_.notify_all();
      }
    }
  }

  Window map_window(std::uint64_t start) const {
    void* at = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                      static_cast<off_t>(start));
    if (at == MAP_FAILED) return {nullptr, errno};
#ifdef MADV_POPULATE_WRITE
    // Fault the whole window in now, writable, with one system call, instead of a page
    // fault on the writer's first copy into each page (Linux 5.14 and later; on an older
    // kernel this fails and the writer takes the faults, one by one). The price: the
    // window's pages are dirty from here on, so a sync may write some of its zeros early.
    (void)::madvise(at, size_, MADV_POPULATE_WRITE);
#endif
    return {static_cast<char*>(at), 0};
  }

  const int fd_;
  const std::size_t size_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::optional<std::uint64_t> asked_;  // GUARDED_BY(mu_): the window asked for, if any
  std::optional<Window> made_;          // GUARDED_BY(mu_): and, once made, the result
  std::vector<char*> to_unmap_;         // GUARDED_BY(mu_)
  bool stopping_ = false;               // GUARDED_BY(mu_)
  std::thread thread_;  // last: it starts in the constructor, once all the above exist
};
//! [window-maker]

//! [mapped-file]
// Appends by copying into a shared memory map of the file: no system call per append, yet
// the bytes are in the operating system's page cache the moment the copy ends, so a process
// crash cannot lose them (the same promise as a write(2)). The map is a window of
// kMappedWindow bytes. Each window's file space is reserved with fallocate before it is
// mapped, so that no page of it can lack a disk block (which would kill the process with
// SIGBUS on a full disk). Once the writer is half way through a window, a WindowMaker maps
// the next one on its own thread. A file system that cannot reserve space gets pwrite
// instead, from then on.
class PosixMappedFile final : public PosixFileBase {
 public:
  static constexpr std::uint64_t kMappedWindow = 1 << 20;

  using PosixFileBase::PosixFileBase;
  ~PosixMappedFile() override { unmap(); }
  PosixMappedFile(const PosixMappedFile&) = delete;
  PosixMappedFile& operator=(const PosixMappedFile&) = delete;

  Status append(std::string_view data) override {
    if (!fd_) return closed_error("append");
    while (!data.empty()) {
      if (window_ == nullptr ? can_map_ : size_ == window_end_) {
        VKV_RETURN_IF_ERROR(next_window());
      }
      if (window_ == nullptr) return write_at_end(data);  // no fallocate here
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(data.size(),
                                                                      window_end_ - size_));
      std::memcpy(window_ + (size_ - window_start_), data.data(), n);
      data.remove_prefix(n);
      size_ += n;
    }
    if (size_ >= make_next_at_) make_next_window();
    return Status::ok();
  }

 protected:
  void before_close() override { unmap(); }

 private:
  static constexpr std::uint64_t kNever = ~std::uint64_t{0};

  // Maps the window that starts at size_ (rounded down to a page), after making sure the
  // file's space under it is reserved: the one the maker has ready, or a new one.
  Status next_window() {
    char* old = window_;
    window_ = nullptr;
    if (!can_map_) return Status::ok();
    const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    const std::uint64_t start = size_ / page * page;
    const std::uint64_t end = start + kMappedWindow;
    std::optional<WindowMaker::Window> made;
    if (maker_) {
      if (old != nullptr) maker_->unmap_later(old);
      made = maker_->take(start);
    } else if (old != nullptr) {
      ::munmap(old, kMappedWindow);
    }
    if (!made) {
      if (allocated_ < end) {
        VKV_RETURN_IF_ERROR(reserve(std::max(size_, allocated_), end));
        if (allocated_ < end) {  // fallocate is not supported here
          can_map_ = false;
          return Status::ok();
        }
      }
      if (!maker_) maker_ = std::make_unique<WindowMaker>(fd_.get(), kMappedWindow);
      maker_->make(start);
      made = maker_->take(start);
    }
    if (made->map == nullptr) return posix_error("mmap", path_, made->error);
    window_ = made->map;
    window_start_ = start;
    window_end_ = end;
    make_next_at_ = start + kMappedWindow / 2;
    return Status::ok();
  }

  // Reserves the space of the window after this one and has the maker map it. If the space
  // cannot be reserved now, the next window is made when it is needed, and the append that
  // needs it reports the error.
  void make_next_window() {
    make_next_at_ = kNever;
    const std::uint64_t start = window_end_;
    const std::uint64_t end = start + kMappedWindow;
    if (allocated_ < end && (!reserve(std::max(size_, allocated_), end).is_ok() ||
                             allocated_ < end)) {
      return;
    }
    maker_->make(start);
  }

  void unmap() {
    maker_.reset();  // waits for its thread, and unmaps what it made and the writer did not take
    if (window_ == nullptr) return;
    ::munmap(window_, kMappedWindow);
    window_ = nullptr;
    window_end_ = window_start_ = 0;
    make_next_at_ = kNever;
  }

  char* window_ = nullptr;          // the mapped window, or null
  std::uint64_t window_start_ = 0;  // the file offset where the window starts
  std::uint64_t window_end_ = 0;    // and where it ends (0 with no window)
  std::uint64_t make_next_at_ = kNever;  // once size_ reaches this, the next window is made
  bool can_map_ = true;
  std::unique_ptr<WindowMaker> maker_;  // made with the first window
};
//! [mapped-file]

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
    // No O_APPEND: PosixWritableFile writes at its logical end itself (see there).
    return open_sized<WritableFile, PosixWritableFile>(path, O_WRONLY | O_CREAT);
  }

  Result<std::unique_ptr<WritableFile>> new_mapped_file(const std::string& path) override {
    // Read and write: a shared writable map needs both.
    return open_sized<WritableFile, PosixMappedFile>(path, O_RDWR | O_CREAT);
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
