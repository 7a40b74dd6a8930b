#include "02-parsing/prompt.hpp"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "02-parsing/text_session.hpp"

namespace vkv::runtime {

namespace {

// Writes all of `bytes`, retrying short writes; false on error.
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

constexpr std::string_view kPrompt = "vkv> ";

}  // namespace

int run_prompt(engine::Engine& engine, const PromptOptions& options) {
  TextSession session(engine, options.max_line);
  const bool interactive = isatty(options.in_fd) != 0;
  std::array<char, 64 * 1024> buffer{};
  std::string out;
  while (true) {
    if (interactive && !write_all(options.out_fd, kPrompt)) break;
    const ssize_t n = ::read(options.in_fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::fprintf(stderr, "read: %s\n", std::strerror(errno));
      return 1;
    }
    if (n == 0) break;
    session.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)), &out);
    if (!write_all(options.out_fd, out)) {
      std::fprintf(stderr, "write: %s\n", std::strerror(errno));
      return 1;
    }
    out.clear();
  }
  if (interactive && !write_all(options.out_fd, "\n")) return 1;  // end the prompt's line
  session.finish(&out);
  return write_all(options.out_fd, out) ? 0 : 1;
}

}  // namespace vkv::runtime
