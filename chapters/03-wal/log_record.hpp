/// \file
/// LogRecord: one write, as the log stores it and replays it.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.hpp"
#include "02-parsing/store.hpp"

namespace vkv::storage {

/// What a log record does. The values are the type byte on disk: never renumber them.
enum class RecordType : std::uint8_t {
  kSet = 1,  ///< Maps a key to a value.
  kDel = 2,  ///< Removes a key.
};

/// One SET or DEL. The key and value are borrowed: the record is only a view.
struct LogRecord {
  RecordType type = RecordType::kSet;  ///< SET or DEL.
  std::string_view key;                ///< The key; never empty in records the store writes.
  std::string_view value;              ///< The value for SET; empty for DEL.

  /// A SET of `key` to `value`.
  static LogRecord set(std::string_view key, std::string_view value) {
    return {RecordType::kSet, key, value};
  }
  /// A DEL of `key`.
  static LogRecord del(std::string_view key) { return {RecordType::kDel, key, {}}; }

  /// Performs the record on `store`: set() for SET, del() for DEL.
  [[nodiscard]] Status apply_to(Store& store) const {
    return type == RecordType::kSet ? store.set(key, value) : store.del(key);
  }
};

}  // namespace vkv::storage
