/// \file
/// Store: the interface the engine runs commands against.
#pragma once

#include <string>
#include <string_view>

#include "common/status.hpp"

namespace vkv::storage {

//! [store]
/// A map from byte-string keys to byte-string values.
///
/// This is the seam the whole course builds on: the engine knows only this interface, and each
/// storage chapter gives it a new implementation (chapter 2 an in-memory map, chapter 3 a
/// durable one with a log, chapter 5 an LSM tree). Every implementation passes the same
/// contract tests (chapters/02-parsing/tests/store_contract.hpp).
///
/// Keys are non-empty; values may be empty. All methods are safe to call from many threads at
/// once. A method that returns ok has done its work in full: a durable store has made it as
/// durable as its sync policy promises. A method that fails has changed nothing the caller can
/// observe through this interface.
class Store {
 public:
  virtual ~Store() = default;

  /// Maps `key` to `value`, replacing any earlier value. REQUIRES: !key.empty().
  virtual Status set(std::string_view key, std::string_view value) = 0;

  /// Puts the value of `key` in `*value`. Returns a not-found status when the key has none.
  virtual Status get(std::string_view key, std::string* value) = 0;

  /// Removes `key`; ok whether or not it was there. REQUIRES: !key.empty().
  virtual Status del(std::string_view key) = 0;
};
//! [store]

}  // namespace vkv::storage
