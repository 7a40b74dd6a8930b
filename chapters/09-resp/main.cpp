/// \file
/// ch09-resp: chapter 8's server, speaking Redis's protocol as well as its own on the same
/// port.

#include "09-resp/redis_program.hpp"

//! [main]
int main(int argc, char** argv) {
  vkv::runtime::RedisProgram redis;  // its seams refer to it: it lives until the server stops
  return vkv::runtime::run_server_program(redis.program(), argc, argv);
}
//! [main]
