/// \file
/// ExpiryProgram: chapter 10's server as a ServerProgram (chapter 9's, whose keys can
/// expire), for chapter 10's main and for any later server that builds on it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "06-server/server_program.hpp"
#include "09-resp/redis_program.hpp"
#include "10-expiry/clock.hpp"
#include "10-expiry/expiry_backend.hpp"
#include "10-expiry/expiry_cycle.hpp"

namespace vkv::runtime {

/// Holds what chapter 10's server needs while it runs (chapter 9's program, the clock, the
/// backend with deadlines, the expiry cycle) and gives the ServerProgram that uses them.
///
/// The program's seams refer to this object: it must outlive run_server_program(). A later
/// chapter takes program() and adds to it; it may put its own commands in front of
/// backend()'s by calling `redis().serve()` after this program's `text_store` has run.
class ExpiryProgram {
 public:
  ExpiryProgram() = default;
  ExpiryProgram(const ExpiryProgram&) = delete;
  ExpiryProgram& operator=(const ExpiryProgram&) = delete;

  /// Chapter 10's server: chapter 9's, its data directory upgraded or marked before the store
  /// opens, compaction dropping expired values, the ExpiryBackend in place of chapter 9's
  /// backend, and the expiry cycle running from the store's opening until the server stops.
  ServerProgram program();

  /// Changes what INFO and CONFIG GET tell, just before the backend is made (once the store
  /// is open). Empty: chapter 10's as it is.
  std::function<void(engine::RedisServerInfo&)> tune_info;
  /// Where this program's own lines go (the upgrade's notes, the expiry cycle's start-up
  /// count; with `failure` true, the cycle's failures), one line each, without the program's
  /// name, as ServerProgram::say. Empty: standard error, after the name.
  std::function<void(const std::string& line, bool failure)> say;

  /// Chapter 9's program, which this builds on.
  RedisProgram& redis() { return redis_; }
  /// The backend, once the store is open (null before).
  [[nodiscard]] engine::ExpiryBackend* backend() const { return backend_.get(); }
  /// The expiry cycle while it runs (null before the store opens and once it has stopped).
  [[nodiscard]] engine::ExpiryCycle* cycle() const { return cycle_.get(); }

 private:
  void note(const std::string& name, const std::string& line, bool failure = false) const;

  RedisProgram redis_;                    // chapter 9's server, which this one extends
  const storage::SystemClock system_clock_;
  // What every deadline is set from and compared with: the system's clock, read once per
  // batch of requests (chapter 6's BatchHook, set in program()).
  const storage::BatchClock clock_{system_clock_};
  std::unique_ptr<engine::ExpiryBackend> backend_;  // made by program()'s text_store
  std::unique_ptr<engine::ExpiryCycle> cycle_;      // active expiry, started with the store
};

}  // namespace vkv::runtime
