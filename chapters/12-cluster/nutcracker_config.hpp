/// \file
/// NutcrackerConfig: the configuration twemproxy (Debian's `nutcracker`) reads to put one key
/// space over several vkv servers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "12-cluster/ketama_ring.hpp"

namespace vkv::cluster {

/// One pool: where the proxy listens, the servers behind it, and how it treats them.
struct NutcrackerConfig {
  std::string pool = "vkv";             ///< The pool's name (the YAML's top key).
  std::string listen = "127.0.0.1:22121";  ///< host:port the proxy listens on.
  std::vector<std::string> servers;     ///< host:port of each vkv server, in ring order.
  std::string hash_tag = "{}";          ///< Hash tags: keys with `{x}` hash as `x`. "": none.
  /// The key hash: md5, which spreads keys that differ only at their end (`key:1`,
  /// `key:2`...) as well as any others; fnv1a_64 does not (see the chapter's page).
  KeyHash hash = KeyHash::kMd5;
  /// Whether a failing server is taken off the ring (`auto_eject_hosts`): its keys then go
  /// to the other servers (missing there, not lost: they are on its disk). Without, its keys
  /// get errors until it is back.
  bool auto_eject = true;
  /// A server that fails this many requests in a row is ejected from the ring...
  std::uint32_t server_failure_limit = 2;
  /// ...for this long, after which the proxy tries it again.
  std::uint32_t server_retry_timeout_ms = 2000;
  /// How long the proxy waits for a server's reply before it counts a failure.
  std::uint32_t timeout_ms = 1000;
};

//! [yaml]
/// The YAML of `config`: `distribution: ketama` (consistent hashing), its key hash,
/// `redis: true` (the servers speak RESP), `auto_eject_hosts: true` with the failure limit
/// and retry timeout, `preconnect: true`, and each server as `host:port:1 nodeN` (weight 1,
/// named, so that a server's place on the ring follows its name, not its port: a node
/// moved to another port keeps its keys).
std::string nutcracker_yaml(const NutcrackerConfig& config);
//! [yaml]

/// The name nutcracker_yaml() gives the server at `index`: `node1`, `node2`...
std::string node_name(std::size_t index);

}  // namespace vkv::cluster
