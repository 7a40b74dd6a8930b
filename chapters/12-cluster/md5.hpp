/// \file
/// md5: the MD5 digest (RFC 1321), which twemproxy's ketama uses to place servers on its ring.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace vkv::cluster {

/// The 16 bytes of the MD5 digest of `bytes` (RFC 1321). Not for security: MD5 is broken as a
/// cryptographic hash. Here it only has to be the hash twemproxy uses, bit for bit.
std::array<std::uint8_t, 16> md5(std::string_view bytes);

}  // namespace vkv::cluster
