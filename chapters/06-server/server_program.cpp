#include "06-server/server_program.hpp"

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>

#include "02-parsing/engine.hpp"
#include "03-wal/store_flags.hpp"
#include "06-server/background_flusher.hpp"
#include "06-server/error_log.hpp"
#include "06-server/lsm_durability.hpp"
#include "06-server/server.hpp"
#include "common/flags.hpp"

namespace vkv::runtime {

namespace {

//! [server-memtable]
// The server's memtable: 64 MiB (RocksDB's default write buffer), where chapter 5's program
// keeps LevelDB's 4 MiB. With the flush off the workers (BackgroundFlusher) a larger
// memtable costs no pause, only memory (up to twice this while one is written out) and a
// longer log to replay at start; in exchange it flushes 16 times less often, makes 16 times
// fewer tables for a GET to pass, and answers more reads from memory.
constexpr std::size_t kServerMemtableBytes = 64 << 20;
//! [server-memtable]

// Everything the flags set.
struct ServerFlags {
  net::ServerOptions server;
  storage::StoreFlags store;
  std::size_t port = server.port;
  std::size_t memtable_bytes = kServerMemtableBytes;
  std::size_t block_cache_bytes = storage::kDefaultBlockCacheBytes;
};

// Parses argv into `f`; nothing when the server should run, else the exit code.
std::optional<int> parse_flags(const ServerProgram& program, int argc, char** argv,
                               ServerFlags& f) {
  Flags flags(program.name, program.summary);
  flags.add_string("bind", &f.server.bind, "IPv4 address to listen on");
  flags.add_size("port", &f.port, "TCP port (0: any free port)");
  f.store.add_to(flags);
  flags.add_size("memtable-bytes", &f.memtable_bytes, "memtable size that starts a flush to disk");
  flags.add_size("block-cache-bytes", &f.block_cache_bytes, "cache of SSTable blocks (0: none)");
  flags.add_size("workers", &f.server.workers, "worker threads (0: one per core)");
  flags.add_size("max-connections", &f.server.max_connections, "clients served at once");
  flags.add_size("max-line", &f.server.max_line, "longest command line, in bytes");
  flags.add_size("output-limit", &f.server.output_limit,
                 "pending reply bytes per client before its commands wait");
  flags.add_size("stalled-timeout", &f.server.stalled_timeout_seconds,
                 "seconds a client may leave its replies unread before it is closed");
  if (program.add_flags) program.add_flags(flags);
  if (auto code = flags.parse_main(argc, argv)) return code;
  if (f.port > 65535) {
    std::cerr << program.name << ": bad value '" << f.port
              << "' for --port: expected 0 to 65535\n";
    return 2;
  }
  f.server.port = static_cast<std::uint16_t>(f.port);
  return std::nullopt;
}

//! [store-options]
// The store as the server runs it. Under `--sync always` its writes do not wait for the disk
// (defer_sync): the workers wait instead, once per round, before the round's replies go out
// (Server::make_round_durable). A full memtable is written out by the flusher's thread, not
// by the worker whose write filled it.
storage::LsmStoreOptions store_options(const ServerFlags& f, storage::BackgroundFlusher& flusher) {
  storage::LsmStoreOptions o;
  o.durable = f.store.options();
  o.durable.defer_sync = o.durable.sync == storage::SyncPolicy::kAlways;
  o.memtable_bytes = f.memtable_bytes;
  o.block_cache_bytes = f.block_cache_bytes;
  o.flush_runner = flusher.runner();
  return o;
}
//! [store-options]


net::Server* g_server = nullptr;

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

void print_ready_line(const ServerProgram& program, const ServerFlags& f,
                      const net::Server& server, const storage::LsmStore& store) {
  const storage::LsmStats stats = store.stats();
  std::printf("%s: listening on %s, data in %s, sync %s, %llu entries recovered (%zu tables, "
              "%llu log records), %zu workers\n",
              program.name.c_str(), server.address().c_str(), f.store.dir.c_str(),
              f.store.sync.c_str(), static_cast<unsigned long long>(stats.entries()),
              stats.tables, static_cast<unsigned long long>(stats.records_replayed),
              server.workers());
  std::fflush(stdout);
}

}  // namespace

//! [run-server-program]
int run_server_program(const ServerProgram& program, int argc, char** argv) {
  ServerFlags f;
  if (auto code = parse_flags(program, argc, argv, f)) return *code;
  raise_descriptor_limit();
  const std::string prefix = program.name + ": ";
  auto say = [&](const std::string& line, bool failure = true) {
    if (program.say) return program.say(line, failure);
    std::cerr << prefix << line << "\n";
  };

  // Declared before the store, whose destructor waits for a flush still running.
  storage::BackgroundFlusher flusher;
  ErrorLog write_errors(prefix, "write", "writes get an error, reads go on");
  ErrorLog read_errors(prefix, "table read", "that read gets an error, other keys are served");
  storage::LsmStoreOptions options = store_options(f, flusher);
  options.durable.on_write_error = [&write_errors](const Status& e) { write_errors.report(e); };
  options.on_read_error = [&read_errors](const Status& e) { read_errors.report(e); };
  if (program.tune_store) program.tune_store(options);
  Env& env = program.store_env ? program.store_env(options) : Env::posix();
  if (program.prepare_dir) {
    if (const Status prepared = program.prepare_dir(env, options); !prepared.is_ok()) {
      say(prepared.to_string());
      return 1;
    }
  }
  auto store = storage::LsmStore::open(env, options);
  if (!store.is_ok()) {
    say(store.status().to_string());
    return 1;
  }
  for (const auto& note : (*store)->recovery_notes()) say(note, /*failure=*/false);
  if (program.store_report) std::cerr << program.store_report();

  engine::Engine engine(program.text_store ? program.text_store(**store) : **store);
  engine::LsmDurability durability(**store);
  const std::unique_ptr<TextCommands> more =
      program.text_commands ? program.text_commands(**store) : nullptr;
  net::SessionFactory sessions = net::text_sessions(engine, f.server.max_line, more.get());
  if (program.sessions) sessions = program.sessions(**store, std::move(sessions));
  if (program.look_ahead) f.server.look_ahead = program.look_ahead(**store);
  if (program.tune_server) program.tune_server(f.server);
  auto server = net::Server::create(std::move(sessions), durability, f.server);
  if (!server.is_ok()) {
    say(server.status().to_string());
    return 1;
  }
  g_server = server->get();
  install_signal_handlers();
  print_ready_line(program, f, **server, **store);
  if (program.serving) program.serving(**server, **store);
  (*server)->run();
  g_server = nullptr;
  const Status failure = (*server)->failure();
  // Before the server goes: what a later chapter started in `serving` may read it until then.
  if (program.before_close) program.before_close();
  server->reset();
  if (!failure.is_ok()) return 1;  // said when it happened

  const Status synced = (*store)->sync();
  if (!synced.is_ok()) {
    say("final sync failed: " + synced.to_string());
    return 1;
  }
  if (program.store_report) std::cerr << program.store_report();
  std::printf("%sstopped; everything acknowledged is on disk\n", prefix.c_str());
  return 0;
}
//! [run-server-program]

}  // namespace vkv::runtime
