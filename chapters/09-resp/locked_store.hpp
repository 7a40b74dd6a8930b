/// \file
/// LockedStore: a Store whose writes hold their key's lock (KeyLocks), for the text protocol.
#pragma once

#include "02-parsing/store.hpp"
#include "09-resp/key_locks.hpp"

namespace vkv::storage {

//! [locked-store]
/// A decorator: set() and del() take the key's lock from `locks` around the wrapped store's
/// write; get() goes straight through. The text protocol's Engine runs over one of these, so
/// that its SET and DEL wait while a Redis command holds the same key's lock between a read
/// and a write (INCR), and cannot be lost under it.
///
/// Thread-safe, as the wrapped store is.
class LockedStore final : public Store {
 public:
  /// Writes to `store` under `locks`; both must outlive this.
  LockedStore(Store& store, engine::KeyLocks& locks) : store_(store), locks_(locks) {}

  Status set(std::string_view key, std::string_view value) override {
    auto held = locks_.lock(key);
    return store_.set(key, value);
  }
  Status get(std::string_view key, std::string* value) override { return store_.get(key, value); }
  Status del(std::string_view key) override {
    auto held = locks_.lock(key);
    return store_.del(key);
  }

 private:
  Store& store_;
  engine::KeyLocks& locks_;
};
//! [locked-store]

}  // namespace vkv::storage
