/// \file
/// EntryKind: whether a write, or a stored entry, gives its key a value or deletes it.
#pragma once

#include <cstdint>

namespace vkv::storage {

/// What an entry says about its key: one spelling for the log's records, the memtable's
/// entries and the tables' entries.
///
/// A delete is kept as an entry of its own, a tombstone, not as the absence of one: older
/// data (an earlier log record, a value in an older table) may still hold a value for the
/// key, and only a newer tombstone can hide it.
///
/// The numbers are the kind byte an SSTable stores, so they must never change. The log
/// writes its own type byte for each kind (log_format.hpp says which).
enum class EntryKind : std::uint8_t {
  kTombstone = 0,  ///< The key was deleted.
  kValue = 1,      ///< The key maps to the entry's value.
};

/// "value" or "tombstone", for messages and --dump.
constexpr const char* entry_kind_name(EntryKind kind) {
  return kind == EntryKind::kValue ? "value" : "tombstone";
}

}  // namespace vkv::storage
