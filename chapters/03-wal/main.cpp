/// \file
/// ch03-wal: the text protocol over a durable store, on standard input.

#include <iostream>
#include <memory>

#include "durable_store.hpp"
#include "engine.hpp"
#include "flags.hpp"
#include "memory_store.hpp"
#include "prompt.hpp"
#include "store_flags.hpp"

int main(int argc, char** argv) {
  vkv::runtime::PromptOptions options;
  vkv::storage::StoreFlags store_flags;
  vkv::Flags flags("ch03-wal",
                   "SET, GET and DEL on a durable store: every write goes to a log in --dir "
                   "before it is acknowledged, and the log is replayed at start.");
  store_flags.add_to(flags);
  flags.add_size("max-line", &options.max_line, "longest command line accepted, in bytes");
  switch (flags.parse(argc, argv, std::cout, std::cerr)) {
    case vkv::Flags::Outcome::kRun: break;
    case vkv::Flags::Outcome::kExitOk: return 0;
    case vkv::Flags::Outcome::kExitError: return 2;
  }
  //! [main]
  auto store = vkv::storage::DurableStore::open(vkv::Env::posix(), store_flags.options(),
                                                std::make_unique<vkv::storage::MemoryStore>());
  if (!store.is_ok()) {
    std::cerr << "ch03-wal: " << store.status().to_string() << "\n";
    return 1;
  }
  for (const auto& report : (*store)->recovery()) {
    for (const auto& line : report.lines()) std::cerr << "ch03-wal: " << line << "\n";
  }
  vkv::engine::Engine engine(**store);
  return vkv::runtime::run_prompt(engine, options);
  //! [main]
}
