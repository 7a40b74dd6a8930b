/// \file
/// run_store_program: the main() of every prompt program from chapter 3 on.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "03-wal/durable_store.hpp"
#include "common/flags.hpp"
#include "02-parsing/store.hpp"

namespace vkv::runtime {

/// What one chapter's prompt program brings to the common frame: its name, its store, and any
/// flags of its own. The frame supplies `--dir`, `--sync`, `--repair` and `--max-line`, prints
/// start-up notes (what recovery found) to standard error, and runs chapter 2's prompt.
struct StoreProgram {
  std::string name;     ///< The program's name, for usage and messages ("ch04-memtable").
  std::string summary;  ///< One line on what it does, for `--help`.
  /// Registers the chapter's own flags (may be empty).
  std::function<void(Flags&)> add_flags;
  /// Runs instead of the store and prompt when it returns an exit code (for a mode such as
  /// `--dump FILE`); called after the flags are parsed. May be empty.
  std::function<std::optional<int>()> instead_of_prompt;
  /// Opens the chapter's store with the common options and appends to `notes` the lines to
  /// print (a torn tail cut, a repair). REQUIRED.
  std::function<Result<std::unique_ptr<storage::Store>>(const storage::DurableStoreOptions&,
                                                        std::vector<std::string>* notes)>
      open_store;
};

/// Opens a DurableStore over `inner` with `options` through the real file system, and appends
/// what its recovery found to `notes`: the usual `open_store` of a StoreProgram.
Result<std::unique_ptr<storage::Store>> open_durable_store(
    const storage::DurableStoreOptions& options, std::unique_ptr<storage::Store> inner,
    std::vector<std::string>* notes);

/// Parses the flags, opens the store, prints the notes and runs the prompt on standard input.
/// Returns the exit code: 0; 1 when the store cannot be opened (with one line saying why);
/// 2 for a bad flag.
int run_store_program(const StoreProgram& program, int argc, char** argv);

}  // namespace vkv::runtime
