#include <catch2/catch.hpp>

#include "common/path.hpp"

TEST_CASE("parent_dir: the directory part of a path, '.' or '/' when that is all there is",
          "[common]") {
  CHECK(vkv::parent_dir("data/000001.log") == "data");
  CHECK(vkv::parent_dir("/tmp/x/000002.sst") == "/tmp/x");
  CHECK(vkv::parent_dir("MANIFEST") == ".");
  CHECK(vkv::parent_dir("/data") == "/");
  CHECK(vkv::parent_dir("a/b/") == "a/b");
}

TEST_CASE("file_name: what follows the last slash, or the whole path", "[common]") {
  CHECK(vkv::file_name("data/000001.log") == "000001.log");
  CHECK(vkv::file_name("/000002.sst") == "000002.sst");
  CHECK(vkv::file_name("MANIFEST") == "MANIFEST");
  CHECK(vkv::file_name("data/") == "");
  CHECK(vkv::file_name("") == "");
}
