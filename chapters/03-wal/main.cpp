/// \file
/// ch03-wal: the text protocol over a durable store, on standard input.

#include <memory>

#include "02-parsing/memory_store.hpp"
#include "03-wal/store_program.hpp"

int main(int argc, char** argv) {
  //! [main]
  vkv::runtime::StoreProgram program;
  program.name = "ch03-wal";
  program.summary =
      "SET, GET and DEL on a durable store: every write goes to a log in --dir before it is "
      "acknowledged, and the log is replayed at start.";
  program.open_store = [](const vkv::storage::DurableStoreOptions& options,
                          std::vector<std::string>* notes) {
    return vkv::runtime::open_durable_store(options, std::make_unique<vkv::storage::MemoryStore>(),
                                            notes);
  };
  return vkv::runtime::run_store_program(program, argc, argv);
  //! [main]
}
