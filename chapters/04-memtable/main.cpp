/// \file
/// ch04-memtable: the text protocol over the write-ahead log and the sharded memtable.

#include <memory>

#include "04-memtable/memtable_store.hpp"
#include "03-wal/store_program.hpp"

int main(int argc, char** argv) {
  //! [main]
  vkv::runtime::StoreProgram program;
  program.name = "ch04-memtable";
  program.summary =
      "SET, GET and DEL on a durable store whose in-memory state is a sharded memtable: "
      "writes go to a log in --dir first, and the log is replayed at start.";
  program.open_store = [](const vkv::storage::DurableStoreOptions& options,
                          std::vector<std::string>* notes) {
    return vkv::runtime::open_durable_store(
        options, std::make_unique<vkv::storage::MemtableStore>(), notes);
  };
  return vkv::runtime::run_store_program(program, argc, argv);
  //! [main]
}
