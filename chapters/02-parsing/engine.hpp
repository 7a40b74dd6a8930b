/// \file
/// Engine: runs a Command against a Store and says what to answer.
#pragma once

#include "02-parsing/command.hpp"
#include "02-parsing/reply.hpp"
#include "02-parsing/store.hpp"

namespace vkv::engine {

/// Maps commands to storage operations. It knows the command AST and the Store interface,
/// and nothing of lines, sockets or files: any store and any front end plug into it.
///
/// Safe to call from many threads at once when the store is.
class Engine {
 public:
  /// An engine over `store`, which must outlive it.
  explicit Engine(storage::Store& store) : store_(store) {}

  /// Runs `command` and returns the reply. A storage failure becomes an ERR reply that says
  /// what failed; nothing is acknowledged that the store did not accept.
  protocol::Reply execute(const protocol::Command& command);

  /// The store the engine runs against.
  [[nodiscard]] storage::Store& store() { return store_; }

 private:
  storage::Store& store_;
};

}  // namespace vkv::engine
