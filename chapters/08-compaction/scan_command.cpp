#include "08-compaction/scan_command.hpp"

#include <charconv>
#include <cstdint>

#include "02-parsing/parser.hpp"
#include "02-parsing/reply_encoder.hpp"
#include "common/escape.hpp"

namespace vkv::engine {

namespace {

Status bad_argument(std::string message) {
  return Status::invalid_argument(std::move(message) + " (usage: " + std::string(kScanUsage) +
                                  ")");
}

// `token` as a LIMIT: a whole number from 1 to kMaxScanLimit, digits only.
Result<std::size_t> parse_limit(std::string_view token) {
  std::uint64_t n = 0;
  const char* last = token.data() + token.size();
  const auto [end, error] = std::from_chars(token.data(), last, n);
  if (token.empty() || error != std::errc() || end != last || n < 1 || n > kMaxScanLimit) {
    return Status::invalid_argument("bad LIMIT '" + escape_bytes(token, true) +
                                    "': expected a whole number from 1 to " +
                                    std::to_string(kMaxScanLimit));
  }
  return static_cast<std::size_t>(n);
}

}  // namespace

//! [parse-scan]
Result<ScanRequest> parse_scan(std::span<const std::string_view> tokens) {
  auto args = tokens.subspan(1);
  ScanRequest r;
  if (args.size() >= 3 && protocol::is_command(args[args.size() - 2], "LIMIT")) {
    auto limit = parse_limit(args.back());
    if (!limit.is_ok()) return limit.status();
    r.limit = *limit;
    args = args.first(args.size() - 2);
  } else if (args.size() >= 2 && protocol::is_command(args.back(), "LIMIT")) {
    return bad_argument("LIMIT needs a number");
  }
  if (args.empty() || args.size() > 2) return protocol::wrong_arity("SCAN", kScanUsage);
  r.start = args[0];  // may be empty: from the first key
  if (args.size() == 2) {
    r.end = args[1];
    if (*r.end < r.start) {
      return bad_argument("end '" + escape_bytes(*r.end, true) + "' is before start '" +
                          escape_bytes(r.start, true) + "'");
    }
  }
  return r;
}
//! [parse-scan]

void append_scan_reply(std::string* out, const storage::ScanPage& page) {
  for (const auto& e : page.entries) {
    out->append("ENTRY ");
    protocol::append_token(out, e.key);
    out->push_back(' ');
    protocol::append_token(out, e.value);
    out->push_back('\n');
  }
  if (page.next) {
    out->append("NEXT ");
    protocol::append_token(out, *page.next);
    out->push_back('\n');
  } else {
    out->append("END\n");
  }
}

bool ScanCommand::run(std::span<const std::string_view> tokens, std::string* out) {
  if (!protocol::is_command(tokens[0], "SCAN")) return false;
  auto request = parse_scan(tokens);
  if (!request.is_ok()) {
    protocol::append_reply(out, protocol::Reply::error(request.status().message()));
    return true;
  }
  storage::ScanPage page;
  const Status s = store_->scan(request->start, request->end, request->limit, &page);
  if (!s.is_ok()) {
    protocol::append_reply(out, protocol::Reply::error("storage: " + s.to_string()));
    return true;
  }
  append_scan_reply(out, page);
  return true;
}

}  // namespace vkv::engine
