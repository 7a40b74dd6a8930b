/// \file
/// The few system-call helpers that every file class over a descriptor shares: an error
/// Status in one form, open(2) and pwrite(2) retried as they must be, and a file's size.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "common/unique_fd.hpp"

namespace vkv {

/// The Status for a failed system call: "<op> <path>: <reason>". `err` is the errno value;
/// ENOENT gives a not-found status, everything else an I/O error.
Status posix_error(std::string_view op, const std::string& path, int err);

/// open(2) of `path` with `flags` (O_CLOEXEC is always added, so a spawned child inherits
/// nothing), retried on EINTR.
Result<UniqueFd> open_fd(const std::string& path, int flags, mode_t mode = 0644);

/// The size of the open file `fd` (fstat), named `path` in an error.
Result<std::uint64_t> fd_size(int fd, const std::string& path);

/// Writes all of `data` at `offset` of `fd` with pwrite(2), which may take fewer bytes than
/// asked (a signal): it loops until every byte is handed over. On return `*written` says how
/// many were, also on failure. `path` names the file in an error.
Status write_all_at(int fd, std::string_view data, std::uint64_t offset, const std::string& path,
                    std::uint64_t* written);

}  // namespace vkv
