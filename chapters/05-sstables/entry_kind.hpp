/// \file
/// EntryKind: whether a stored entry is a value or a tombstone.
#pragma once

#include <cstdint>

namespace vkv::storage {

/// What an entry in a table says about its key.
///
/// A tombstone is how a delete reaches disk: an older table may still hold a value for the
/// key, and the tombstone in a newer table hides it. Only compaction, when it has seen every
/// older table, may drop a tombstone. The numbers are the byte stored in an SSTable, so they
/// must never change.
enum class EntryKind : std::uint8_t {
  kTombstone = 0,  ///< The key was deleted.
  kValue = 1,      ///< The key maps to the entry's value.
};

/// "value" or "tombstone", for messages and --dump.
constexpr const char* entry_kind_name(EntryKind kind) {
  return kind == EntryKind::kValue ? "value" : "tombstone";
}

}  // namespace vkv::storage
