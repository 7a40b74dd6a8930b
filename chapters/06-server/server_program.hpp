/// \file
/// run_server_program: the server's main(), in named steps, with the seams a later chapter
/// plugs its faster parts into.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "02-parsing/text_commands.hpp"
#include "06-server/connection.hpp"
#include "06-server/server.hpp"
#include "05-sstables/lsm_store.hpp"
#include "common/env.hpp"
#include "common/flags.hpp"

namespace vkv::runtime {

//! [server-program]
/// What one chapter's server brings to the common frame. Chapter 6 brings only its name;
/// every seam left empty keeps chapter 6's behaviour.
struct ServerProgram {
  std::string name = "vkv";  ///< The program's name, for usage and messages.
  /// One line on what it does, for `--help`.
  std::string summary =
      "The vkv key-value server. Talk to it with nc: SET key value, GET key, DEL key.";
  /// The Env the store's files go through, given the store's options (its sync policy).
  /// Empty: Env::posix(). What it returns must outlive the program's run.
  std::function<Env&(const storage::LsmStoreOptions&)> store_env;
  /// Changes the store's options once the flags are read (for example its memtable's
  /// shards). May be empty.
  std::function<void(storage::LsmStoreOptions&)> tune_store;
  /// Runs once the flags are read, before the store opens, with the Env and the options it
  /// will open with: a later chapter upgrades an older data directory here. A failure stops
  /// the server with its message. May be empty.
  std::function<Status(Env&, const storage::LsmStoreOptions&)> prepare_dir;
  /// Runs once the server has stopped serving (its workers have returned), while the server
  /// that `serving` was given still exists, and before the store's last sync: a later chapter
  /// stops here the background work it runs on the store and what watches the server. May be
  /// empty.
  std::function<void()> before_close;
  /// Changes the server's options once the flags are read (for example how a worker waits
  /// for its next round). May be empty.
  std::function<void(net::ServerOptions&)> tune_server;
  /// Adds the chapter's own flags to the server's. May be empty.
  std::function<void(Flags&)> add_flags;
  /// A few lines on what the store holds, printed on standard error once the store is open
  /// and again when the server stops. May be empty.
  std::function<std::string()> store_report;
  /// Makes the commands the program adds to the text protocol, once the store is open (they
  /// may run against it; they live until the server has stopped). Empty: SET, GET and DEL.
  std::function<std::unique_ptr<TextCommands>(storage::LsmStore&)> text_commands;
  /// The store the text protocol's SET, GET and DEL run against, given the open store: a
  /// decorator of it (chapter 9's takes a per-key lock around each write, which its own
  /// commands share). What it returns lives until the server has stopped. Empty: the store.
  std::function<storage::Store&(storage::LsmStore&)> text_store;
  /// Makes what each connection's session is made by, once the store is open, given the
  /// text protocol's sessions (chapter 6's, with text_commands) to offer beside its own.
  /// What it captures lives until the server has stopped. Empty: the text protocol only.
  std::function<net::SessionFactory(storage::LsmStore&, net::SessionFactory text)> sessions;
  /// Makes what each read's bytes are shown to before they run (net::LookAhead), once the
  /// store is open: a later chapter prefetches the keys they name. Empty: nothing is.
  std::function<net::LookAhead(storage::LsmStore&)> look_ahead;
  /// Runs once the server listens, just before it serves, with the server and the store: a
  /// later chapter starts here what watches them. May be empty.
  std::function<void(const net::Server&, storage::LsmStore&)> serving;
  /// Where the program's lines about the store and the server go, one line each, without the
  /// program's name: recovery notes, and (with `failure` true) why it stops: a failure to
  /// open, to start or to sync. Empty: standard error, after the name.
  std::function<void(const std::string& line, bool failure)> say;
};
//! [server-program]

/// Parses the flags, opens the store, serves until SIGINT or SIGTERM, then syncs the store.
/// Returns the exit code: 0 after a clean stop; 1 when the store cannot be opened, the
/// server cannot start, or writes could not be made durable (each with one line saying why);
/// 2 for a bad flag.
int run_server_program(const ServerProgram& program, int argc, char** argv);

}  // namespace vkv::runtime
