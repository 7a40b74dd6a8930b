/// \file
/// ch08-compaction: chapter 7's server, with its tables in levels and compacted, and SCAN.

#include "06-server/server_program.hpp"
#include "08-compaction/compaction_program.hpp"

//! [main]
int main(int argc, char** argv) {
  vkv::runtime::CompactionProgram compaction;  // lives until the server has stopped
  return vkv::runtime::run_server_program(compaction.program(), argc, argv);
}
//! [main]
