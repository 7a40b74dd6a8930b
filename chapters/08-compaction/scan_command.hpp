/// \file
/// ScanCommand: `SCAN start [end] [LIMIT n]` in the text protocol, over an OrderedStore.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "02-parsing/text_commands.hpp"
#include "08-compaction/ordered_store.hpp"
#include "common/status.hpp"

namespace vkv::engine {

//! [scan-limits]
/// The entries a SCAN returns when it gives no LIMIT.
inline constexpr std::size_t kDefaultScanLimit = 100;
/// The largest LIMIT a SCAN may give. A client that wants more pages on: each page is one
/// reply, built whole in memory before it is sent, so a page stays small (with
/// storage::kMaxScanPageBytes bounding its bytes).
inline constexpr std::size_t kMaxScanLimit = 1000;
//! [scan-limits]

/// How SCAN is written, for its error messages.
inline constexpr std::string_view kScanUsage = "SCAN start [end] [LIMIT n]";

/// A SCAN line, parsed. It borrows its bytes from the tokens.
struct ScanRequest {
  std::string_view start;               ///< The first key it may return ("": the first key).
  std::optional<std::string_view> end;  ///< Keys from here on are left out; none: no end.
  std::size_t limit = kDefaultScanLimit;  ///< The most entries it returns, 1 to kMaxScanLimit.
};

/// Parses `SCAN start [end] [LIMIT n]` (command and LIMIT in any case). LIMIT followed by one
/// more token at the end of the line is the limit (so an end key spelled LIMIT needs a LIMIT
/// clause after it). On bad input returns an invalid-argument status whose message is the
/// error for the user: the wrong number of arguments, LIMIT without a number or with one that
/// is not a whole number from 1 to kMaxScanLimit, or an end before the start.
/// REQUIRES: tokens[0] names SCAN.
Result<ScanRequest> parse_scan(std::span<const std::string_view> tokens);

/// Appends `page` as SCAN's reply: one line `ENTRY <key> <value>` per entry, each written as a
/// token the lexer reads back unchanged (protocol::append_token), then `NEXT <key>` (the
/// `start` of the next page) or, when the range is done, `END`.
void append_scan_reply(std::string* out, const storage::ScanPage& page);

/// SCAN, added to the text protocol (a TextCommands): parses the line, runs it on an
/// OrderedStore, and answers with append_scan_reply(), or one `ERR` line. Thread-safe.
class ScanCommand final : public runtime::TextCommands {
 public:
  /// SCAN over `store`, which the command keeps.
  explicit ScanCommand(std::unique_ptr<storage::OrderedStore> store) : store_(std::move(store)) {}

  /// Takes a line whose command is SCAN; leaves every other.
  bool run(std::span<const std::string_view> tokens, std::string* out) override;
  /// "SCAN", for the unknown-command error.
  [[nodiscard]] std::string_view names() const override { return "SCAN"; }

 private:
  std::unique_ptr<storage::OrderedStore> store_;
};

}  // namespace vkv::engine
