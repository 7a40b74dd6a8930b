/// \file
/// ch01-framing: frames standard input into lines and prints what it finds.
///
/// It reads in small pieces of odd sizes on purpose, so that lines visibly arrive split
/// across reads and the framer has to put them back together.

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "common/escape.hpp"
#include "common/flags.hpp"
#include "01-framing/line_framer.hpp"

namespace {

using vkv::protocol::Frame;
using vkv::protocol::FrameKind;

//! [chunk-sizes]
// The sizes of successive reads: small and odd, so lines straddle them.
constexpr std::array<std::size_t, 6> kChunkSizes = {7, 3, 11, 5, 13, 1};
//! [chunk-sizes]

// Prints one framer event, numbering lines from 1.
void print_frame(const Frame& frame, std::size_t line_number, std::size_t max_line) {
  switch (frame.kind) {
    case FrameKind::kLine:
      std::cout << "line " << line_number << " (" << frame.line.size()
                << " bytes): " << vkv::escape_bytes(frame.line) << "\n";
      break;
    case FrameKind::kTooLong:
      std::cout << "error: line " << line_number << " is longer than " << max_line
                << " bytes; discarded up to its newline\n";
      break;
    case FrameKind::kPartial:
      std::cout << "error: input ended inside line " << line_number << " ("
                << frame.line.size() << " bytes, no newline): "
                << vkv::escape_bytes(frame.line) << "\n";
      break;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t max_line = vkv::protocol::kDefaultMaxLine;
  bool show_reads = false;
  vkv::Flags flags("ch01-framing",
                   "Reads standard input in small odd-sized pieces and prints each framed line.");
  flags.add_size("max-line", &max_line, "longest line accepted, in bytes");
  flags.add_bool("show-reads", &show_reads, "also print the size of every read");
  if (auto code = flags.parse_main(argc, argv)) return *code;

  //! [main-loop]
  vkv::protocol::LineFramer framer(max_line);
  std::size_t line_number = 0;
  auto on_frame = [&](const Frame& frame) { print_frame(frame, ++line_number, max_line); };
  std::array<char, 16> buffer{};
  for (std::size_t i = 0;; ++i) {
    const std::size_t want = kChunkSizes[i % kChunkSizes.size()];
    const ssize_t got = read(STDIN_FILENO, buffer.data(), want);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      std::cerr << "ch01-framing: read: " << std::strerror(errno) << "\n";
      return 1;
    }
    if (got == 0) break;  // end of input
    if (show_reads) std::cout << "read " << got << " bytes\n";
    framer.feed(std::string_view(buffer.data(), static_cast<std::size_t>(got)), on_frame);
  }
  framer.finish(on_frame);
  //! [main-loop]
  return 0;
}
