// md5: RFC 1321's own test suite (its appendix A.5), and messages around the padding's edges.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "12-cluster/md5.hpp"

namespace {

std::string hex(std::string_view bytes) {
  std::string out;
  char buf[3];
  for (std::uint8_t b : vkv::cluster::md5(bytes)) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

}  // namespace

TEST_CASE("md5: the digests of RFC 1321's test suite", "[ch12]") {
  CHECK(hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(hex("a") == "0cc175b9c0f1b6a831c399e269772661");
  CHECK(hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
  CHECK(hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
  CHECK(hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
        "d174ab98d277d9f5a5611c2c9f419d9f");
  CHECK(hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890") ==
        "57edf4a22be3c955ac49da2e2107b67a");
}

TEST_CASE("md5: messages of 55, 56 and 64 bytes, where the padding takes a second block",
          "[ch12]") {
  // The padding's 0x80 and the length's 8 bytes fit after 55 bytes, not after 56.
  CHECK(hex(std::string(55, 'a')) == "ef1772b6dff9a122358552954ad0df65");
  CHECK(hex(std::string(56, 'a')) == "3b0c8ac703f828b04c6c197006d17218");
  CHECK(hex(std::string(64, 'a')) == "014842d480b571495a4a0363793f7367");
}
