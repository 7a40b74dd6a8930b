/// \file
/// KetamaRing: consistent hashing as twemproxy does it (`distribution: ketama`), to say
/// which server a key lands on, and why most keys stay put when a server comes or goes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vkv::cluster {

/// The key hashes of twemproxy's that vkv's configuration may choose (its `hash:`).
enum class KeyHash {
  kMd5,      ///< `md5`: the first four bytes of the key's MD5 digest, little-endian.
  kFnv1a64,  ///< `fnv1a_64`: twemproxy_fnv1a_64(), common in twemproxy's examples.
};

/// The name of `hash` in twemproxy's configuration.
std::string_view key_hash_name(KeyHash hash);

/// twemproxy's `hash: fnv1a_64`: FNV-1a with the 64-bit offset basis and prime, both cut to
/// 32 bits, over the key's bytes taken as signed chars (a byte of 0x80 or more is widened
/// with its sign, as twemproxy's C does). Cut to 32 bits, the prime is small (435), and the
/// last byte of a key moves its hash by little: keys that differ only at their end hash
/// close together.
std::uint32_t twemproxy_fnv1a_64(std::string_view key);

/// twemproxy's `hash: md5`.
std::uint32_t twemproxy_md5(std::string_view key);

/// The part of `key` that is hashed, with the hash tag `tag` (two characters, as `{}`): what
/// lies between the first `tag[0]` and the first `tag[1]` after it, when that is not empty;
/// else the whole key. `{user:7}:name` and `{user:7}:mail` hash as `user:7`, so they land on
/// one server.
std::string_view hashed_part(std::string_view key, std::string_view tag);

//! [ketama-ring]
/// The ring of a pool of servers of equal weight, built as twemproxy's ketama builds it: each
/// server gets 160 points on a circle of 2^32, from the MD5 digests of `name-0` to
/// `name-39` (four points from each digest's four 4-byte words), where `name` is its name in
/// the configuration (else `host:port`). A key's hash picks the first point at or after it,
/// going round past the top to the first point; that point's server holds the key.
///
/// Adding or removing a server moves only the keys on the arcs its points cover: about 1/N
/// of them, rather than almost all of them as `hash % N` would.
class KetamaRing {
 public:
  /// The ring of `servers` (their names, in the configuration's order). REQUIRES: not empty.
  explicit KetamaRing(std::vector<std::string> servers);

  /// The index in `servers` of the server that holds a key whose hash is `hash`.
  [[nodiscard]] std::size_t server_for_hash(std::uint32_t hash) const;
  /// The index of the server that holds `key`, hashed as twemproxy's pool hashes it: `hash`
  /// of hashed_part() with `tag` ("" for no hash tag).
  [[nodiscard]] std::size_t server_for_key(std::string_view key, std::string_view tag = "",
                                           KeyHash hash = KeyHash::kMd5) const;
  /// The servers' names.
  [[nodiscard]] const std::vector<std::string>& servers() const { return servers_; }

  /// Points on the ring per server, as twemproxy counts them.
  static constexpr std::size_t kPointsPerServer = 160;
  /// The points each of `servers` servers of equal weight gets: kPointsPerServer, except
  /// where twemproxy's float arithmetic rounds it down to 156 (25, 47, 50, 55, 61 servers...).
  static std::size_t points_per_server(std::size_t servers);

 private:
  struct Point {
    std::uint32_t value;
    std::size_t server;
  };
  std::vector<std::string> servers_;
  std::vector<Point> points_;  // sorted by value
};
//! [ketama-ring]

}  // namespace vkv::cluster
