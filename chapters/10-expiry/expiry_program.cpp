#include "10-expiry/expiry_program.hpp"

#include <malloc.h>

#include <iostream>
#include <string>
#include <vector>

#include "10-expiry/format_upgrade.hpp"

namespace vkv::runtime {

void ExpiryProgram::note(const std::string& name, const std::string& line, bool failure) const {
  if (say) return say(line, failure);
  std::cerr << name << ": " << line << "\n";
}

//! [program]
ServerProgram ExpiryProgram::program() {
  ServerProgram program = redis_.program();  // chapter 9's server, which this one extends
  program.summary += " Keys can expire: SET key value EX seconds, EXPIRE key seconds, TTL key,"
                     " PERSIST key, in both protocols.";
  // Memory that expiry frees goes back to the system: glibc would raise these thresholds as
  // the server runs (up to 32 and 64 MiB), and the threads' heaps would then keep what a
  // wave of expired keys leaves free. Fixed at 128 KiB, a heap gives back its free top at once.
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
  mallopt(M_TRIM_THRESHOLD, 128 << 10);

  // A chapter 9 data directory is upgraded (copied, each value given no deadline) before the
  // store opens; a new one is marked as chapter 10's.
  program.prepare_dir = [this, name = program.name](Env& env,
                                                     const storage::LsmStoreOptions& o) {
    std::vector<std::string> notes;
    const Status s = storage::prepare_expiry_dir(env, o, &notes);
    for (const auto& line : notes) note(name, line);
    return s;
  };
  // The requests of one read share one reading of the clock (BatchClock).
  program.tune_server = [chapter9 = program.tune_server, this](net::ServerOptions& server) {
    if (chapter9) chapter9(server);
    server.batch_hook = [this](bool starting) { clock_.batch(starting); };
  };
  // Compaction drops the values whose deadlines have passed.
  redis_.compaction().tune_levels = [this](storage::LevelOptions& levels) {
    levels.dead_value = storage::expired_values(clock_);
  };

  // The store with deadlines, and both protocols' commands over it, in place of chapter 9's
  // backend: made once the store is open (text_store is the first seam called with it), kept
  // until the server has stopped.
  program.text_store = [this, name = program.name](storage::LsmStore& store) -> storage::Store& {
    engine::RedisServerInfo info = redis_.take_info();
    info.expired_keys = [this] { return cycle_ ? cycle_->expired_keys() : 0; };
    if (tune_info) tune_info(info);
    backend_ = std::make_unique<engine::ExpiryBackend>(store, std::move(info), &clock_);
    redis_.serve(backend_->commands());

    engine::ExpiryCycleHooks hooks;
    hooks.rebuilt = [this, name](std::size_t n) {  // after the start-up walk, on the cycle's thread
      if (n > 0) note(name, "expiry: " + std::to_string(n) + " keys with deadlines found in the store");
    };
    hooks.failed = [this, name](const Status& s) {
      note(name, "expiry: " + s.to_string(), /*failure=*/true);
    };
    // After a wave of expiry: the memtable to a table, then every level compacted, so that
    // the deleted values and their tombstones go; then the freed memory back to the system.
    hooks.reclaim = [&store, this]() -> Status {
      VKV_RETURN_IF_ERROR(store.flush());
      VKV_RETURN_IF_ERROR(redis_.compaction().levels()->compact_all());
      malloc_trim(0);
      return Status::ok();
    };
    cycle_ = std::make_unique<engine::ExpiryCycle>(backend_->store(), backend_->locks(),
                                                   engine::ExpiryCycleOptions{}, hooks);
    cycle_->start();
    return backend_->text_store();
  };
  // Once the server has stopped, the cycle stops before the store closes.
  program.before_close = [this] { cycle_.reset(); };
  // The text protocol's added commands: the expiry commands, then SCAN over the store with
  // deadlines (chapter 8's SCAN, over the LsmStore, would show the stored bytes).
  program.text_commands = [this](storage::LsmStore&) { return backend_->text_commands(); };
  return program;
}
//! [program]

}  // namespace vkv::runtime
