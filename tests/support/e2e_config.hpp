/// \file
/// Which server the whole-program tests (tests/server_test.cpp) run against. That file is
/// compiled once and linked into every server chapter's chNN-e2e-tests; each of those links
/// its own definitions of these, which tests/CMakeLists.txt writes from the chapter's targets.
#pragma once

namespace vkv::testing::e2e {

extern const char* const kServer;       ///< The chapter's server binary.
extern const char* const kTranscripts;  ///< Chapter 6's transcripts (tests/transcripts).
extern const char* const kRunIt;        ///< The chapter's run-it directory: its page's sessions.
extern const char* const kBuildDir;     ///< The build directory, where the sessions run.

}  // namespace vkv::testing::e2e
