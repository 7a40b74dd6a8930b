/// \file
/// vkv (also ch10-expiry): chapter 9's server, whose keys can expire.

#include <malloc.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "09-resp/redis_program.hpp"
#include "10-expiry/expiry_backend.hpp"
#include "10-expiry/expiry_cycle.hpp"
#include "10-expiry/format_upgrade.hpp"

//! [main]
int main(int argc, char** argv) {
  vkv::runtime::RedisProgram redis;  // chapter 9's server, which this one extends
  vkv::runtime::ServerProgram program = redis.program();
  program.summary += " Keys can expire: SET key value EX seconds, EXPIRE key seconds, TTL key,"
                     " PERSIST key, in both protocols.";
  const vkv::storage::SystemClock clock;  // what every deadline is compared with
  // Memory that expiry frees goes back to the system: glibc would raise these thresholds as
  // the server runs (up to 32 and 64 MiB), and the threads' heaps would then keep what a
  // wave of expired keys leaves free. Fixed at 128 KiB, a heap gives back its free top at once.
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
  mallopt(M_TRIM_THRESHOLD, 128 << 10);

  // A chapter 9 data directory is upgraded (copied, each value given no deadline) before the
  // store opens; a new one is marked as chapter 10's.
  program.prepare_dir = [&program](vkv::Env& env, const vkv::storage::LsmStoreOptions& o) {
    std::vector<std::string> notes;
    const vkv::Status s = vkv::storage::prepare_expiry_dir(env, o, &notes);
    for (const auto& note : notes) std::cerr << program.name << ": " << note << "\n";
    return s;
  };
  // Compaction drops the values whose deadlines have passed.
  redis.compaction().tune_levels = [&clock](vkv::storage::LevelOptions& levels) {
    levels.dead_value = vkv::storage::expired_values(clock);
  };

  // The store with deadlines, and both protocols' commands over it, in place of chapter 9's
  // backend: made once the store is open (text_store is the first seam called with it), kept
  // until the server has stopped.
  std::unique_ptr<vkv::engine::ExpiryBackend> backend;
  std::unique_ptr<vkv::engine::ExpiryCycle> cycle;  // active expiry, started with the store
  const std::string say = program.name + ": expiry: ";
  program.text_store = [&](vkv::storage::LsmStore& store) -> vkv::storage::Store& {
    vkv::engine::RedisServerInfo info = redis.take_info();
    info.expired_keys = [&cycle] { return cycle ? cycle->expired_keys() : 0; };
    backend = std::make_unique<vkv::engine::ExpiryBackend>(store, std::move(info), &clock);
    redis.serve(backend->commands());

    vkv::engine::ExpiryCycleHooks hooks;
    hooks.rebuilt = [say](std::size_t n) {  // after the walk at start-up, on the cycle's thread
      if (n > 0) std::cerr << say << n << " keys with deadlines found in the store\n";
    };
    hooks.failed = [say](const vkv::Status& s) { std::cerr << say << s.to_string() << "\n"; };
    // After a wave of expiry: the memtable to a table, then every level compacted, so that
    // the deleted values and their tombstones go; then the freed memory back to the system.
    hooks.reclaim = [&store, &redis]() -> vkv::Status {
      VKV_RETURN_IF_ERROR(store.flush());
      VKV_RETURN_IF_ERROR(redis.compaction().levels()->compact_all());
      malloc_trim(0);
      return vkv::Status::ok();
    };
    cycle = std::make_unique<vkv::engine::ExpiryCycle>(backend->store(), backend->locks(),
                                                       vkv::engine::ExpiryCycleOptions{}, hooks);
    cycle->start();
    return backend->text_store();
  };
  // Once the server has stopped, the cycle stops before the store closes.
  program.before_close = [&cycle] { cycle.reset(); };
  // The text protocol's added commands: the expiry commands, then SCAN over the store with
  // deadlines (chapter 8's SCAN, over the LsmStore, would show the stored bytes).
  program.text_commands = [&backend](vkv::storage::LsmStore&) {
    return backend->text_commands();
  };
  return vkv::runtime::run_server_program(program, argc, argv);
}
//! [main]
