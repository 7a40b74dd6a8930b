/// \file
/// parent_dir, file_name: the two halves of a path, split at its last slash.
///
/// What the store needs of a path is that much: the directory to sync after creating,
/// renaming or removing a file in it, and the file's own name, to tell a log from a table.
#pragma once

#include <string>
#include <string_view>

namespace vkv {

/// The directory part of `path`: "." when it has no slash, "/" for a file in the root.
/// A trailing slash is not special: "a/b/" gives "a/b".
inline std::string parent_dir(std::string_view path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

/// The last component of `path`: what follows its last slash, or all of it when it has none.
inline std::string_view file_name(std::string_view path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace vkv
