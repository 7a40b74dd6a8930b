/// \file
/// CRC32C: the checksum every vkv file format carries.
///
/// CRC32C is the CRC with Castagnoli's polynomial (reflected form 0x82F63B78). It catches
/// every burst error up to 32 bits and is computed by one instruction per 8 bytes on CPUs
/// with SSE4.2, so checking every record costs little. Where that instruction is missing,
/// a table-driven version gives the same answer.
#pragma once

#include <cstdint>
#include <string_view>

/// CRC32C (Castagnoli) checksums, and the masking that stores them safely next to data.
namespace vkv::crc32c {

/// Returns the CRC32C of the bytes covered by `crc` followed by `data`.
/// `extend(0, data)` is the CRC32C of `data`; `extend(value(a), b) == value(a + b)`.
/// Uses the SSE4.2 crc32 instruction when the CPU has it, the table otherwise.
std::uint32_t extend(std::uint32_t crc, std::string_view data);

/// The same as extend(), always with the portable table (for tests and for CPUs without
/// SSE4.2).
std::uint32_t extend_portable(std::uint32_t crc, std::string_view data);

/// The CRC32C of `data`.
inline std::uint32_t value(std::string_view data) { return extend(0, data); }

/// Returns a masked form of `crc`, for storing next to the bytes it covers.
///
/// Why: the CRC of a string that contains its own CRC is degenerate in ways that make some
/// corruptions (a record copied into another record's payload, say) harder to notice.
/// Masking (rotate right by 15 bits, add a constant) breaks that link.
std::uint32_t mask(std::uint32_t crc);

/// The inverse of mask(): `unmask(mask(c)) == c` for every `c`.
std::uint32_t unmask(std::uint32_t masked);

/// True when extend() uses the CPU's crc32 instruction.
bool hardware_accelerated();

}  // namespace vkv::crc32c
