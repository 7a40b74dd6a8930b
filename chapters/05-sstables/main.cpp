/// \file
/// ch05-sstables: the text protocol over the LSM store (log, memtable, SSTables), on
/// standard input; or, with `--dump FILE`, a look inside one SSTable.

#include <sys/resource.h>

#include <cstddef>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "common/flags.hpp"
#include "05-sstables/lsm_store.hpp"
#include "03-wal/store_program.hpp"
#include "05-sstables/table_dump.hpp"

namespace {

const char* const kName = "ch05-sstables";

// `--dump FILE`: prints the table, and says on standard error what was wrong with it.
int dump(const std::string& path) {
  const vkv::Status s = vkv::storage::dump_table(path, std::cout);
  if (s.is_ok()) return 0;
  std::cerr << kName << ": " << s.to_string() << "\n";
  return 1;
}

// Every live table keeps its file open, and without compaction (a later chapter) a small
// --memtable-bytes makes thousands of tables; many systems start a process with a soft limit
// of 1024 open files and a far higher hard one. Raise the soft limit as far as allowed.
void allow_many_open_files() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  (void)setrlimit(RLIMIT_NOFILE, &limit);  // best effort: opening a table says if it failed
}

}  // namespace

int main(int argc, char** argv) {
  allow_many_open_files();
  //! [main]
  std::size_t memtable_bytes = vkv::storage::kDefaultMemtableBytes;
  std::size_t block_cache_bytes = vkv::storage::kDefaultBlockCacheBytes;
  std::string dump_path;
  vkv::runtime::StoreProgram program;
  program.name = kName;
  program.summary =
      "SET, GET and DEL on an LSM store: writes go to a log and a memtable in --dir, and the "
      "memtable is flushed to an SSTable when full. --dump FILE prints an SSTable instead.";
  program.add_flags = [&](vkv::Flags& flags) {
    flags.add_size("memtable-bytes", &memtable_bytes,
                   "flush the memtable to a new SSTable once it holds this many bytes "
                   "(at least 64K)");
    flags.add_size("block-cache-bytes", &block_cache_bytes,
                   "keep up to this many bytes of recently read SSTable blocks in memory "
                   "(0: no cache)");
    flags.add_string("dump", &dump_path, "print the blocks, keys and checksums of this SSTable, "
                                         "and exit");
  };
  program.instead_of_prompt = [&]() -> std::optional<int> {
    if (!dump_path.empty()) return dump(dump_path);
    if (memtable_bytes < vkv::storage::kMinMemtableBytes) {
      std::cerr << kName << ": bad value " << memtable_bytes
                << " for --memtable-bytes: expected a size of at least 64K\n";
      return 2;
    }
    return std::nullopt;
  };
  program.open_store = [&](const vkv::storage::DurableStoreOptions& durable,
                           std::vector<std::string>* notes)
      -> vkv::Result<std::unique_ptr<vkv::storage::Store>> {
    vkv::storage::LsmStoreOptions options;
    options.durable = durable;
    options.memtable_bytes = memtable_bytes;
    options.block_cache_bytes = block_cache_bytes;
    auto store = vkv::storage::LsmStore::open(vkv::Env::posix(), options);
    if (!store.is_ok()) return store.status();
    for (const auto& note : (*store)->recovery_notes()) notes->push_back(note);
    return std::unique_ptr<vkv::storage::Store>(std::move(store).value());
  };
  return vkv::runtime::run_store_program(program, argc, argv);
  //! [main]
}
