/// \file
/// FlatTableSet: this chapter's TableSet, one list of tables, newest last.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "05-sstables/manifest.hpp"
#include "05-sstables/table_set.hpp"

namespace vkv::storage {

/// The tables as one list, oldest first, recorded in the MANIFEST (manifest.hpp) by
/// rewriting it whole at each flush. A read searches the list from the newest table back;
/// the first entry found decides. Tables are only ever added: nothing merges them, so a
/// store that runs long gathers many (a later chapter's set merges them).
class FlatTableSet final : public TableSet {
 public:
  /// A set over `context.dir`, empty until recover().
  explicit FlatTableSet(const TableSetContext& context);

  /// Reads the MANIFEST (none: no tables) and opens and verifies every table it lists.
  Result<Recovered> recover(std::vector<std::string>& notes) override;
  [[nodiscard]] bool is_live(std::uint64_t number) const override;
  /// Writes a new MANIFEST listing every table and `table`, then adds it to the list.
  Status add_flushed(TableFile table, std::uint64_t log_number) override;
  [[nodiscard]] std::shared_ptr<const TableVersion> current() const override;

 private:
  class List;  // the TableVersion: a list of tables, oldest first; in the .cpp

  const TableSetContext context_;
  mutable std::mutex mu_;
  std::shared_ptr<const List> current_;  // guarded by mu_; replaced whole, never changed
};

}  // namespace vkv::storage
