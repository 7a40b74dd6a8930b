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
  if (auto code = flags.parse_main(argc, argv)) return *code;
  //! [main]
  vkv::storage::MemoryStore store;
  vkv::engine::Engine engine(store);
  return vkv::runtime::run_prompt(engine, options);
  //! [main]
}
