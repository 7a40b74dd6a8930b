#include "08-compaction/mapped_table_file.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>

#include "05-sstables/table_file.hpp"
#include "common/path.hpp"
#include "common/posix_io.hpp"

namespace vkv::storage {

namespace {

// The copy in progress on this thread: where to jump back to if it raises SIGBUS, and the
// bytes it reads, so that only a fault inside them is taken for its own. `jump` is null when
// this thread is not copying. (A thread_local of the program itself, which links this code
// statically: its address is fixed per thread, so reading it in a signal handler takes no
// lock and calls nothing. In a library loaded with dlopen that would not hold.)
struct CopyGuard {
  sigjmp_buf* jump = nullptr;
  const char* from = nullptr;
  std::size_t n = 0;
};
thread_local CopyGuard t_copy;

// The SIGBUS action found when the handler was first installed: a fault outside a copy goes
// there. Written once, before the handler is installed, and never again: a handler that
// replaced ours later and chains back to it must not become our "previous" (each would call
// the other for ever).
struct sigaction g_previous_action {};
bool g_installed_once = false;  // guarded by g_install_mutex
std::mutex g_install_mutex;

// True when `info` says the kernel raised SIGBUS for an access inside the copy in progress.
bool is_this_copys_fault(const siginfo_t* info) {
  if (t_copy.jump == nullptr || info == nullptr || info->si_code <= 0) return false;  // sent
  const char* at = static_cast<const char*>(info->si_addr);
  return at >= t_copy.from && at < t_copy.from + t_copy.n;
}

void on_sigbus(int sig, siginfo_t* info, void* context) {
  if (is_this_copys_fault(info)) siglongjmp(*t_copy.jump, 1);
  // Not ours: as if this handler had never been installed. (sa_handler and sa_sigaction
  // share their storage, so SIG_DFL and SIG_IGN are read through sa_handler either way.)
  const struct sigaction& previous = g_previous_action;
  if (previous.sa_handler == SIG_IGN) {
    if (info == nullptr || info->si_code <= 0) return;  // a sent SIGBUS, ignored as before
  } else if (previous.sa_handler != SIG_DFL) {
    if ((previous.sa_flags & SA_SIGINFO) != 0) {
      previous.sa_sigaction(sig, info, context);
    } else {
      previous.sa_handler(sig);
    }
    return;
  }
  // The default action (or an ignored fault, which cannot be ignored): put it back and raise
  // the signal again; it is delivered as this handler returns, and ends the process.
  signal(SIGBUS, SIG_DFL);
  raise(SIGBUS);
}

// Installs on_sigbus unless it is the handler now: on the first map, and again on a later
// map if something (a test framework) has put another handler in its place since. Cheap
// enough for every map: one sigaction() to look. Maps made before such a replacement are not
// guarded again until the next map is made.
void ensure_sigbus_handler() {
  std::lock_guard<std::mutex> lock(g_install_mutex);
  struct sigaction now {};
  sigaction(SIGBUS, nullptr, &now);
  if ((now.sa_flags & SA_SIGINFO) != 0 && now.sa_sigaction == on_sigbus) return;
  if (!g_installed_once) {
    g_previous_action = now;
    g_installed_once = true;
  }
  struct sigaction ours {};
  ours.sa_sigaction = on_sigbus;
  ours.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&ours.sa_mask);
  sigaction(SIGBUS, &ours, nullptr);
}

}  // namespace

//! [copy-from-map]
bool copy_from_map(void* to, const void* from, std::size_t n) noexcept {
  sigjmp_buf jump;
  // 0: the signal mask is not saved (that would be a system call per copy); the jump from
  // the handler leaves SIGBUS blocked, so the failure path unblocks it.
  if (sigsetjmp(jump, 0) != 0) {
    t_copy.jump = nullptr;
    sigset_t bus;
    sigemptyset(&bus);
    sigaddset(&bus, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &bus, nullptr);
    return false;
  }
  t_copy.from = static_cast<const char*>(from);
  t_copy.n = n;
  t_copy.jump = &jump;
  std::atomic_signal_fence(std::memory_order_seq_cst);  // the guard is set before the copy
  std::memcpy(to, from, n);
  std::atomic_signal_fence(std::memory_order_seq_cst);  // and cleared after it
  t_copy.jump = nullptr;
  return true;
}
//! [copy-from-map]

Result<std::unique_ptr<RandomAccessFile>> MappedTableFile::open(const std::string& path) {
  auto fd = open_fd(path, O_RDONLY);
  if (!fd.is_ok()) return fd.status();
  auto size = fd_size(fd->get(), path);
  if (!size.is_ok()) return size.status();
  const char* base = nullptr;
  if (*size > std::numeric_limits<std::size_t>::max()) {
    return Status::invalid_argument("mmap " + path + ": " + std::to_string(*size) +
                                    " bytes do not fit this machine's address space");
  }
  if (*size > 0) {
    ensure_sigbus_handler();
    void* map = ::mmap(nullptr, *size, PROT_READ, MAP_SHARED, fd->get(), 0);
    if (map == MAP_FAILED) return posix_error("mmap", path, errno);
    base = static_cast<const char*>(map);
  }
  // The map holds the file open: the descriptor closes here.
  return std::unique_ptr<RandomAccessFile>(new MappedTableFile(path, base, *size));
}

MappedTableFile::~MappedTableFile() {
  if (base_ != nullptr) ::munmap(const_cast<char*>(base_), size_);
}

Status MappedTableFile::read(std::uint64_t offset, std::size_t n, std::string* out) const {
  if (offset > size_ || n > size_ - offset) {
    out->clear();
    return Status::corruption("read " + path_ + ": short read at offset " +
                              std::to_string(offset) + ": wanted " + std::to_string(n) +
                              " bytes, the file ends after " +
                              std::to_string(offset > size_ ? 0 : size_ - offset));
  }
  if (out->size() != n) out->resize(n);
  if (n > 0 && !copy_from_map(out->data(), base_ + offset, n)) {
    out->clear();
    return Status::io_error("read " + path_ + " at offset " + std::to_string(offset) + ", " +
                            std::to_string(n) + " bytes: the mapped file could not be read " +
                            "(SIGBUS: a disk error, or the file was cut short)");
  }
  return Status::ok();
}

Result<std::unique_ptr<RandomAccessFile>> MappedTableEnv::new_random_access_file(
    const std::string& path) {
  if (!is_table(path)) return target().new_random_access_file(path);
  return MappedTableFile::open(path);
}

bool MappedTableEnv::is_table(const std::string& path) {
  return parse_table_file_name(file_name(path)).has_value();
}

}  // namespace vkv::storage
