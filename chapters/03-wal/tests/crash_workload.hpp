/// \file
/// The write workload of the crash tests (chapter 3's log, chapter 5's LSM store), and the
/// state that any prefix of it must leave behind.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace vkv::testing {

/// One write of the workload: a SET of `value`, or a DEL.
struct CrashOp {
  bool del = false;   ///< A DEL (else a SET).
  std::string key;    ///< The key written.
  std::string value;  ///< The value of a SET.
};

/// `count` writes over `keys` keys (key i*7 mod keys, so keys are overwritten in a mixed
/// order), every sixth a DEL; a SET's value is "v<i>" followed by `padding` dots.
inline std::vector<CrashOp> crash_workload(int count, int keys, std::size_t padding) {
  std::vector<CrashOp> ops;
  for (int i = 0; i < count; ++i) {
    const std::string key = "k" + std::to_string(i * 7 % keys);
    if (i % 6 == 5) {
      ops.push_back({true, key, ""});
    } else {
      ops.push_back({false, key, "v" + std::to_string(i) + std::string(padding, '.')});
    }
  }
  return ops;
}

/// The keys and values after the first `n` writes of `ops`.
inline std::map<std::string, std::string> state_after(const std::vector<CrashOp>& ops,
                                                      std::size_t n) {
  std::map<std::string, std::string> m;
  for (std::size_t i = 0; i < n; ++i) {
    if (ops[i].del) {
      m.erase(ops[i].key);
    } else {
      m[ops[i].key] = ops[i].value;
    }
  }
  return m;
}

}  // namespace vkv::testing
