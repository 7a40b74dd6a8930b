/// \file
/// dump_table: prints what is inside an SSTable, block by block (`ch05-sstables --dump FILE`).
#pragma once

#include <ostream>
#include <string>

#include "common/status.hpp"

namespace vkv::storage {

/// Prints the SSTable at `path` to `out`: the footer; the index block and its entries; then
/// each data block with its offset, size, stored and computed checksum, entry count and
/// entries (kind, key, value size). Keys are escaped (bytes outside printable ASCII as \\xHH).
///
/// Unlike Table::open(), it goes on past a data block whose checksum fails, so a learner can
/// see the damage; it returns the first corruption it met (naming the file and the block), or
/// ok when every check passed.
Status dump_table(const std::string& path, std::ostream& out);

}  // namespace vkv::storage
