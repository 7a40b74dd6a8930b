/// \file
/// vkv (also ch06-server): the key-value server, listening on TCP.

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>

#include "06-server/background_flusher.hpp"
#include "06-server/buffered_env.hpp"
#include "06-server/durability_gate.hpp"
#include "02-parsing/engine.hpp"
#include "common/flags.hpp"
#include "05-sstables/lsm_store.hpp"
#include "06-server/server.hpp"
#include "03-wal/store_flags.hpp"

namespace {

//! [server-memtable]
// The server's memtable: 64 MiB (RocksDB's default write buffer), where chapter 5's program
// keeps LevelDB's 4 MiB. With the flush off the workers (BackgroundFlusher) a larger
// memtable costs no pause, only memory (up to twice this while one is written out) and a
// longer log to replay at start; in exchange it flushes 16 times less often, makes 16 times
// fewer tables for a GET to pass, and answers more reads from memory.
constexpr std::size_t kServerMemtableBytes = 64 << 20;
//! [server-memtable]

vkv::net::Server* g_server = nullptr;

// SIGINT and SIGTERM: stop accepting, finish what is in flight, then exit cleanly.
void on_stop_signal(int) {
  if (g_server != nullptr) g_server->stop();
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

// A server with --max-connections 10000 needs that many descriptors: raise the soft limit to
// the hard one (an ordinary process may).
void raise_descriptor_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

int main(int argc, char** argv) {
  vkv::net::ServerOptions options;
  vkv::storage::StoreFlags store_flags;
  std::size_t port = options.port;
  vkv::Flags flags("vkv", "The vkv key-value server. Talk to it with nc: SET key value, GET key, DEL key.");
  flags.add_string("bind", &options.bind, "IPv4 address to listen on");
  flags.add_size("port", &port, "TCP port (0: any free port)");
  store_flags.add_to(flags);
  std::size_t memtable_bytes = kServerMemtableBytes;
  flags.add_size("memtable-bytes", &memtable_bytes, "memtable size that starts a flush to disk");
  std::size_t block_cache_bytes = vkv::storage::kDefaultBlockCacheBytes;
  flags.add_size("block-cache-bytes", &block_cache_bytes, "cache of SSTable blocks (0: none)");
  flags.add_size("workers", &options.workers, "worker threads (0: one per core)");
  flags.add_size("max-connections", &options.max_connections, "clients served at once");
  flags.add_size("max-line", &options.max_line, "longest command line, in bytes");
  flags.add_size("output-limit", &options.output_limit,
                 "pending reply bytes per client before its commands wait");
  flags.add_size("stalled-timeout", &options.stalled_timeout_seconds,
                 "seconds a client may leave its replies unread before it is closed");
  switch (flags.parse(argc, argv, std::cout, std::cerr)) {
    case vkv::Flags::Outcome::kRun: break;
    case vkv::Flags::Outcome::kExitOk: return 0;
    case vkv::Flags::Outcome::kExitError: return 2;
  }
  if (port > 65535) {
    std::cerr << "vkv: bad value '" << port << "' for --port: expected 0 to 65535\n";
    return 2;
  }
  options.port = static_cast<std::uint16_t>(port);
  raise_descriptor_limit();

  //! [open-store]
  // Under --sync always the store's log appends gather in memory (BufferedEnv), and the
  // gate syncs them, one fdatasync for every connection waiting, before any reply that
  // depends on them is sent (on the worker itself if it is the only one, else on the gate's
  // thread: DurabilityGate::mode_for). Under never and everysec an append is in the
  // operating system's hands when it returns, which is all that those policies promise, so
  // the store runs on the plain Env and replies go out at once.
  vkv::storage::LsmStoreOptions store_options;
  store_options.durable = store_flags.options();
  store_options.memtable_bytes = memtable_bytes;
  store_options.block_cache_bytes = block_cache_bytes;
  const bool always = store_options.durable.sync == vkv::storage::SyncPolicy::kAlways;
  // The gate syncs after every batch, so the log itself need not.
  if (always) store_options.durable.sync = vkv::storage::SyncPolicy::kNever;
  // A full memtable is written out by the flusher's thread, not by the worker whose write
  // filled it (declared before the store, which waits for it when destroyed).
  vkv::net::BackgroundFlusher flusher;
  store_options.flush_runner = flusher.runner();
  vkv::net::BufferedEnv buffered(vkv::Env::posix());
  vkv::Env& env = always ? static_cast<vkv::Env&>(buffered) : vkv::Env::posix();
  auto store = vkv::storage::LsmStore::open(env, store_options);
  if (!store.is_ok()) {
    std::cerr << "vkv: " << store.status().to_string() << "\n";
    return 1;
  }
  for (const auto& note : (*store)->recovery_notes()) std::cerr << "vkv: " << note << "\n";
  std::optional<vkv::net::DurabilityGate> gate;
  std::optional<vkv::net::GatedStore> gated_store;
  if (always) {
    gate.emplace([&buffered] { return buffered.sync_all(); },
                 vkv::net::DurabilityGate::mode_for(options.workers));
    gated_store.emplace(**store, *gate);
  }
  vkv::storage::Store& served = always ? static_cast<vkv::storage::Store&>(*gated_store)
                                       : static_cast<vkv::storage::Store&>(**store);
  //! [open-store]
  vkv::engine::Engine engine(served);
  auto server = vkv::net::Server::create(engine, options, gate ? &*gate : nullptr);
  if (!server.is_ok()) {
    std::cerr << "vkv: " << server.status().to_string() << "\n";
    return 1;
  }
  g_server = server->get();
  install_signal_handlers();
  const vkv::storage::LsmStats stats = (*store)->stats();
  std::printf("vkv: listening on %s, data in %s, sync %s, %llu keys recovered (%zu tables, "
              "%llu log records), %zu workers\n",
              (*server)->address().c_str(), store_flags.dir.c_str(), store_flags.sync.c_str(),
              static_cast<unsigned long long>(stats.entries()), stats.tables,
              static_cast<unsigned long long>(stats.records_replayed), (*server)->workers());
  std::fflush(stdout);
  (*server)->run();
  g_server = nullptr;
  server->reset();
  const vkv::Status synced = (*store)->sync();
  if (!synced.is_ok()) {
    std::cerr << "vkv: final sync failed: " << synced.to_string() << "\n";
    return 1;
  }
  std::printf("vkv: stopped after %llu gate syncs; everything acknowledged is on disk\n",
              static_cast<unsigned long long>(gate ? gate->syncs() : 0));
  return 0;
}
