/// \file
/// LogRecord: one write, as the log stores it and replays it.
#pragma once

#include <string_view>

#include "common/status.hpp"
#include "02-parsing/store.hpp"
#include "03-wal/entry_kind.hpp"

namespace vkv::storage {

/// One SET or DEL. The key and value are borrowed: the record is only a view.
struct LogRecord {
  EntryKind kind = EntryKind::kValue;  ///< kValue for a SET, kTombstone for a DEL.
  std::string_view key;                ///< The key; never empty in records the store writes.
  std::string_view value;              ///< The value for SET; empty for DEL.

  /// A SET of `key` to `value`.
  static LogRecord set(std::string_view key, std::string_view value) {
    return {EntryKind::kValue, key, value};
  }
  /// A DEL of `key`.
  static LogRecord del(std::string_view key) { return {EntryKind::kTombstone, key, {}}; }

  /// Performs the record on `store`: set() for SET, del() for DEL.
  [[nodiscard]] Status apply_to(Store& store) const {
    return kind == EntryKind::kValue ? store.set(key, value) : store.del(key);
  }
};

}  // namespace vkv::storage
