/// \file
/// StoreFlags: the command-line flags of every program that opens a DurableStore.
#pragma once

#include <string>

#include "03-wal/durable_store.hpp"
#include "common/flags.hpp"

namespace vkv::storage {

/// `--dir`, `--sync` and `--repair`, registered once here so every program from chapter 3
/// on spells and explains them the same way.
struct StoreFlags {
  std::string dir = "./data";  ///< `--dir`: the data directory.
  std::string sync = "always";  ///< `--sync`: always, everysec or never.
  bool repair = false;          ///< `--repair`: cut a corrupt log instead of refusing to start.

  /// Registers the three flags with `flags`, writing into this object.
  void add_to(Flags& flags);
  /// The store options the parsed flags ask for. REQUIRES: the flags were parsed (so `sync`
  /// is one of the policies' names).
  [[nodiscard]] DurableStoreOptions options() const;
};

}  // namespace vkv::storage
