// ch08-sigbus-probe SCENARIO ACTION DIR: what chapter 8's SIGBUS handler does with a signal
// that is not a guarded copy's, in a process of its own (each scenario sets the action the
// handler finds when it is first installed, which a test process has set already).
//
// SCENARIO: the SIGBUS action before the first table is mapped:
//   default   SIG_DFL
//   ignored   SIG_IGN, set with SA_SIGINFO
//   handler   a handler that exits with 41
//   chain     a handler that exits with 41; then, after the first map, a second handler that
//             calls the one it replaced (ours), and a second map, which puts ours back
// ACTION: what happens after a guarded read of a lost page has failed as it should:
//   fault     a read of a lost page through a map of its own, not guarded
//   kill      kill(getpid(), SIGBUS)
// Exits 0 when it survives, 41 from the handler, or dies of the signal; 2 to 9: a step
// before the action went wrong.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

#include "08-compaction/mapped_table_file.hpp"

namespace {

constexpr std::size_t kPage = 4096;

void exit_41(int) { _exit(41); }

struct sigaction g_replaced {};  // what the chain's second handler replaced: ours

void chain_to_replaced(int sig, siginfo_t* info, void* context) {
  g_replaced.sa_sigaction(sig, info, context);
}

bool two_pages(const std::string& path) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << std::string(2 * kPage, 'x');
  return ::truncate(path.c_str(), 2 * kPage) == 0;
}

// A guarded read of the second page, cut off: must fail, and the process must go on.
bool guarded_read_fails(vkv::RandomAccessFile& file) {
  std::string out;
  return file.read(kPage + 10, 10, &out).code() == vkv::StatusCode::kIoError;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  const std::string scenario = argv[1];
  const std::string action = argv[2];
  const std::string a = std::string(argv[3]) + "/000001.sst";
  const std::string b = std::string(argv[3]) + "/000002.sst";
  if (!two_pages(a) || !two_pages(b)) return 3;

  struct sigaction first {};
  sigemptyset(&first.sa_mask);
  if (scenario == "default") {
    first.sa_handler = SIG_DFL;
  } else if (scenario == "ignored") {
    first.sa_handler = SIG_IGN;
    first.sa_flags = SA_SIGINFO;
  } else if (scenario == "handler" || scenario == "chain") {
    first.sa_handler = exit_41;
  } else {
    return 2;
  }
  if (sigaction(SIGBUS, &first, nullptr) != 0) return 4;

  auto file_a = vkv::storage::MappedTableFile::open(a);  // installs the handler
  if (!file_a.is_ok()) return 5;
  if (scenario == "chain") {
    struct sigaction second {};
    second.sa_sigaction = chain_to_replaced;
    second.sa_flags = SA_SIGINFO;
    sigemptyset(&second.sa_mask);
    if (sigaction(SIGBUS, &second, &g_replaced) != 0) return 4;
    if (!vkv::storage::MappedTableFile::open(b).is_ok()) return 5;  // ours again
  }
  if (::truncate(a.c_str(), kPage) != 0) return 6;
  if (!guarded_read_fails(*file_a.value())) return 7;

  if (action == "fault") {
    const int fd = ::open(a.c_str(), O_RDONLY);
    void* map = ::mmap(nullptr, 2 * kPage, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) return 8;
    volatile const char* p = static_cast<const char*>(map);
    const char c = p[kPage];  // not guarded: the signal is not a copy's
    return c == 'x' ? 9 : 10;  // reached only if the fault was swallowed
  }
  if (action == "kill") {
    ::kill(::getpid(), SIGBUS);
    // Still here (SIGBUS ignored): the guard must still work.
    return guarded_read_fails(*file_a.value()) ? 0 : 7;
  }
  return 2;
}
