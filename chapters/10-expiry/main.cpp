/// \file
/// vkv (also ch10-expiry): chapter 9's server, whose keys can expire.

#include "10-expiry/expiry_program.hpp"

//! [main]
int main(int argc, char** argv) {
  vkv::runtime::ExpiryProgram expiry;  // chapter 9's server, with deadlines (expiry_program.cpp)
  return vkv::runtime::run_server_program(expiry.program(), argc, argv);
}
//! [main]
