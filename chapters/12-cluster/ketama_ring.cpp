#include "12-cluster/ketama_ring.hpp"

#include <algorithm>
#include <cmath>
#include <array>

#include "12-cluster/md5.hpp"

namespace vkv::cluster {

std::string_view key_hash_name(KeyHash hash) {
  return hash == KeyHash::kMd5 ? "md5" : "fnv1a_64";
}

// Bytes 4 * word to 4 * word + 3 of an MD5 digest, little-endian: twemproxy's word `word`.
static std::uint32_t digest_word(const std::array<std::uint8_t, 16>& digest, std::size_t word) {
  const std::uint8_t* b = digest.data() + 4 * word;
  return static_cast<std::uint32_t>(b[3]) << 24 | static_cast<std::uint32_t>(b[2]) << 16 |
         static_cast<std::uint32_t>(b[1]) << 8 | b[0];
}

std::uint32_t twemproxy_md5(std::string_view key) { return digest_word(md5(key), 0); }

std::uint32_t twemproxy_fnv1a_64(std::string_view key) {
  auto hash = static_cast<std::uint32_t>(0xcbf29ce484222325ULL);  // the 64-bit basis, cut
  const auto prime = static_cast<std::uint32_t>(0x100000001b3ULL);  // the 64-bit prime, cut
  for (const char c : key) {
    hash ^= static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<signed char>(c)));
    hash *= prime;
  }
  return hash;
}

// LEARNER: begin hashed_part(): between the first opening mark and the first closing one after it, if not empty; else the key
//! [hashed-part]
std::string_view hashed_part(std::string_view key, std::string_view tag) {
  if (tag.size() != 2) return key;
  const auto open = key.find(tag[0]);
  if (open == std::string_view::npos) return key;
  const auto close = key.find(tag[1], open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}
//! [hashed-part]
// LEARNER: end

std::size_t KetamaRing::points_per_server(std::size_t servers) {
  // twemproxy's expression, in its types: a server's share of the weight as a float, times
  // 160 / 4 * servers, plus a tiny double, back to float, floored, times 4. Equal weights
  // give 160, except where the float rounds just below a whole number (25 servers give 156).
  const float share = 1.0f / static_cast<float>(servers);
  const float quarter = share * static_cast<float>(kPointsPerServer) / 4 * static_cast<float>(servers);
  const auto floored = std::floor(static_cast<float>(static_cast<double>(quarter) + 0.0000000001));
  return static_cast<std::size_t>(floored * 4);
}

// LEARNER: begin KetamaRing::KetamaRing(): 40 digests per server, four points from each, then the points in order
//! [build]
KetamaRing::KetamaRing(std::vector<std::string> servers) : servers_(std::move(servers)) {
  const std::size_t points = points_per_server(servers_.size());
  for (std::size_t s = 0; s < servers_.size(); ++s) {
    for (std::size_t i = 0; i < points / 4; ++i) {
      const auto digest = md5(servers_[s] + "-" + std::to_string(i));
      for (std::size_t word = 0; word < 4; ++word) points_.push_back({digest_word(digest, word), s});
    }
  }
  std::sort(points_.begin(), points_.end(),
            [](const Point& a, const Point& b) { return a.value < b.value; });
}
//! [build]
// LEARNER: end

// LEARNER: begin KetamaRing::server_for_hash(): the first point at or after the hash, round to the first past the top
//! [lookup]
std::size_t KetamaRing::server_for_hash(std::uint32_t hash) const {
  if (servers_.size() == 1) return 0;  // twemproxy does not hash for a pool of one
  const auto at = std::lower_bound(points_.begin(), points_.end(), hash,
                                   [](const Point& p, std::uint32_t h) { return p.value < h; });
  return at == points_.end() ? points_.front().server : at->server;
}
//! [lookup]
// LEARNER: end

std::size_t KetamaRing::server_for_key(std::string_view key, std::string_view tag,
                                       KeyHash hash) const {
  const std::string_view part = hashed_part(key, tag);
  if (part.empty()) return server_for_hash(0);
  return server_for_hash(hash == KeyHash::kMd5 ? twemproxy_md5(part) : twemproxy_fnv1a_64(part));
}

}  // namespace vkv::cluster
