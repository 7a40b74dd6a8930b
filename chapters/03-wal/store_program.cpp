#include "03-wal/store_program.hpp"

#include <iostream>

#include "02-parsing/engine.hpp"
#include "02-parsing/prompt.hpp"
#include "03-wal/store_flags.hpp"

namespace vkv::runtime {

Result<std::unique_ptr<storage::Store>> open_durable_store(
    const storage::DurableStoreOptions& options, std::unique_ptr<storage::Store> inner,
    std::vector<std::string>* notes) {
  auto store = storage::DurableStore::open(Env::posix(), options, std::move(inner));
  if (!store.is_ok()) return store.status();
  for (const auto& report : (*store)->recovery()) {
    for (const auto& line : report.lines()) notes->push_back(line);
  }
  return std::unique_ptr<storage::Store>(std::move(store).value());
}

//! [run-store-program]
int run_store_program(const StoreProgram& program, int argc, char** argv) {
  PromptOptions prompt;
  storage::StoreFlags store_flags;
  Flags flags(program.name, program.summary);
  store_flags.add_to(flags);
  flags.add_size("max-line", &prompt.max_line, "longest command line accepted, in bytes");
  if (program.add_flags) program.add_flags(flags);
  if (auto code = flags.parse_main(argc, argv)) return *code;
  if (program.instead_of_prompt) {
    if (auto code = program.instead_of_prompt()) return *code;
  }
  std::vector<std::string> notes;
  auto store = program.open_store(store_flags.options(), &notes);
  for (const auto& note : notes) std::cerr << program.name << ": " << note << "\n";
  if (!store.is_ok()) {
    std::cerr << program.name << ": " << store.status().to_string() << "\n";
    return 1;
  }
  engine::Engine engine(**store);
  return run_prompt(engine, prompt);
}
//! [run-store-program]

}  // namespace vkv::runtime
