/// \file
/// ch06-server: the key-value server, listening on TCP (run_server_program does the work).

#include "06-server/server_program.hpp"

int main(int argc, char** argv) { return vkv::runtime::run_server_program({}, argc, argv); }
