/// \file
/// ZeroFilledFile: a log file whose space is written in zeros and synced ahead of its data.
#pragma once

#include <cstdint>
#include <string_view>

#include "07-fast/preallocated_file.hpp"

namespace vkv::storage {

/// The log file for SyncPolicy::kAlways, where a sync follows nearly every append.
///
/// When an append would pass the end of the space made so far, the file is first extended
/// in zeros, written and synced, to the next multiple of a step (next_allocation): the step
/// starts at kMinStep and doubles with the file up to kMaxStep. From then on a sync of the
/// records written into that space has no new file size to commit, and no block changing
/// from unwritten to written (as fallocate's reserved blocks would, the first time a batch
/// reaches each one): it commits the data and nothing else. Writing the zeros costs about
/// 3 ms per 4 MiB, once per 40,000 or so small records.
///
/// A failure to make the space costs speed, not data, so it is not reported: the append that
/// follows goes on, and reports real trouble (a full disk) itself.
class ZeroFilledFile final : public PreallocatedFile {
 public:
  /// The first step, for a new or reopened log: a log that takes a few records costs little.
  static constexpr std::uint64_t kMinStep = 64u << 10;
  /// The largest step: its cost is spread over many appends, and an idle log wastes little.
  static constexpr std::uint64_t kMaxStep = 4u << 20;

  using PreallocatedFile::PreallocatedFile;

  /// Makes the space ahead if `data` would pass its end, then writes `data` at size().
  Status append(std::string_view data) override;

  /// Makes the space reach at least `end` (a whole step, in zeros, synced), unless it does
  /// already. An error when it cannot, typically a full disk: an append past the space made
  /// would then fail too. (A BufferedFile asks before it takes an append into its buffer.)
  Status make_room_for(std::uint64_t end);

  /// Where the space ends after an append that needs the file to reach `end`, when it ended
  /// at `allocated`: `allocated` if that is enough, else `end` rounded up to a step of
  /// `allocated` bytes, kept between kMinStep and kMaxStep.
  [[nodiscard]] static std::uint64_t next_allocation(std::uint64_t allocated, std::uint64_t end);
};

}  // namespace vkv::storage
