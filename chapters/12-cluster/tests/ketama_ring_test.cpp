// KetamaRing: twemproxy's key hash and hash tags, and the two properties consistent hashing
// is for: keys spread evenly, and a server that comes or goes moves only its share of them.
// That the ring is twemproxy's own, point for point, cluster_test.cpp checks against a real
// nutcracker.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "12-cluster/ketama_ring.hpp"
#include "12-cluster/nutcracker_config.hpp"

using vkv::cluster::hashed_part;
using vkv::cluster::KetamaRing;
using vkv::cluster::twemproxy_fnv1a_64;

namespace {

std::vector<std::string> names(std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(vkv::cluster::node_name(i));
  return out;
}

std::string key(int i) { return "key:" + std::to_string(i); }

}  // namespace

TEST_CASE("ketama: twemproxy's fnv1a_64 is 32-bit FNV-1a over signed chars", "[ch12]") {
  CHECK(twemproxy_fnv1a_64("") == 0x84222325u);  // the 64-bit basis, cut to 32 bits
  CHECK(twemproxy_fnv1a_64("a") == 0x8601ec8cu);
  CHECK(twemproxy_fnv1a_64("key:1") == 0x962f5ac9u);
  // A byte of 0x80 or more is widened with its sign, as twemproxy's C reads a char.
  CHECK(twemproxy_fnv1a_64("\xff") == 0x79fe466eu);
}

TEST_CASE("ketama: a hash tag hashes what is between its braces, if anything", "[ch12]") {
  CHECK(hashed_part("{user:7}:name", "{}") == "user:7");
  CHECK(hashed_part("cart:{user:7}", "{}") == "user:7");
  CHECK(hashed_part("{}:name", "{}") == "{}:name");     // empty: the whole key
  CHECK(hashed_part("{user:7:name", "{}") == "{user:7:name");  // never closed
  CHECK(hashed_part("a{b}{c}", "{}") == "b");           // the first one
  CHECK(hashed_part("{user:7}:name", "") == "{user:7}:name");  // no tag configured
  const KetamaRing ring(names(3));
  CHECK(ring.server_for_key("{user:7}:name", "{}") == ring.server_for_key("{user:7}:mail", "{}"));
}

//! [fnv-skew]
TEST_CASE("ketama: with fnv1a_64, keys that differ only at their end can miss a server "
          "entirely, with md5 they spread", "[ch12]") {
  const KetamaRing ring(names(3));
  std::vector<int> fnv(3), md5(3);
  for (int i = 0; i < 1000; ++i) {
    ++fnv[ring.server_for_key(key(i), "", vkv::cluster::KeyHash::kFnv1a64)];
    ++md5[ring.server_for_key(key(i), "", vkv::cluster::KeyHash::kMd5)];
  }
  CHECK(fnv[2] == 0);  // key:0 to key:999: not one on node3
  for (int n : md5) CHECK(n > 200);
}
//! [fnv-skew]

TEST_CASE("ketama: 30,000 keys spread over three servers, each within a fair share", "[ch12]") {
  const KetamaRing ring(names(3));
  std::vector<int> held(3);
  for (int i = 0; i < 30'000; ++i) ++held[ring.server_for_key(key(i))];
  for (int n : held) {
    INFO(n);
    CHECK(n > 30'000 / 3 * 6 / 10);   // 160 points each: shares within about +-40%
    CHECK(n < 30'000 / 3 * 14 / 10);
  }
}

//! [consistent]
TEST_CASE("ketama: a server that goes moves only its own keys, and one that comes takes about "
          "a share", "[ch12]") {
  const KetamaRing three(names(3));
  const KetamaRing two({"node1", "node3"});  // node2 gone
  const KetamaRing four(names(4));
  int moved_on_add = 0;
  for (int i = 0; i < 30'000; ++i) {
    const std::string& was = three.servers()[three.server_for_key(key(i))];
    const std::string& now = two.servers()[two.server_for_key(key(i))];
    if (was != "node2") CHECK(now == was);  // every key of node1 and node3 stays
    if (four.servers()[four.server_for_key(key(i))] != was) ++moved_on_add;
  }
  // With hash % N, going from 3 servers to 4 would move three keys in four.
  CHECK(moved_on_add > 30'000 / 4 / 2);
  CHECK(moved_on_add < 30'000 / 4 * 2);
}
//! [consistent]

TEST_CASE("ketama: points per server as twemproxy counts them, float rounding and all",
          "[ch12]") {
  CHECK(KetamaRing::points_per_server(3) == 160);
  CHECK(KetamaRing::points_per_server(24) == 160);
  CHECK(KetamaRing::points_per_server(25) == 156);  // 39.9999... floored
  CHECK(KetamaRing::points_per_server(50) == 156);
}

TEST_CASE("ketama: a ring of one server holds every key", "[ch12]") {
  const KetamaRing one({"node1"});
  CHECK(one.server_for_key("anything") == 0);
  CHECK(one.server_for_hash(0) == 0);
  CHECK(one.server_for_hash(0xffffffffu) == 0);
}
