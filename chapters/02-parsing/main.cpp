/// \file
/// ch02-parsing: the text protocol over an in-memory store, on standard input.

#include <iostream>

#include "02-parsing/engine.hpp"
#include "common/flags.hpp"
#include "02-parsing/memory_store.hpp"
#include "02-parsing/prompt.hpp"

int main(int argc, char** argv) {
  vkv::runtime::PromptOptions options;
  vkv::Flags flags("ch02-parsing",
                   "SET, GET and DEL on an in-memory store: type commands, or pipe a file in.");
  flags.add_size("max-line", &options.max_line, "longest command line accepted, in bytes");
  switch (flags.parse(argc, argv, std::cout, std::cerr)) {
    case vkv::Flags::Outcome::kRun: break;
    case vkv::Flags::Outcome::kExitOk: return 0;
    case vkv::Flags::Outcome::kExitError: return 2;
  }
  //! [main]
  vkv::storage::MemoryStore store;
  vkv::engine::Engine engine(store);
  return vkv::runtime::run_prompt(engine, options);
  //! [main]
}
