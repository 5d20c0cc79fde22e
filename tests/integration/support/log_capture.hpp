// SPDX-License-Identifier: Apache-2.0
#pragma once

// Captures the process-wide logger's lines for assertions in integration tests.
//
//   LogCapture logs;                                   // debug and up, not on stderr
//   ...
//   EXPECT_EQ(logs.count("transaction landed", "draw_winner"), 1u) << logs.dump("operator");
//
// The constructor replaces the logger's options (logging::configure) with a sink
// that keeps every line; the destructor puts the logger back to its defaults
// (logging::reset), since the logger cannot report the options it had before.
// One per test at a time. Thread-safe: the logger calls the sink from any thread.

#include "logging/log.hpp"

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::integration {

class LogCapture {
 public:
  /// Captures lines of `level` and above; with `echo` they also go to stderr as usual.
  explicit LogCapture(logging::Level level = logging::Level::kDebug, bool echo = false);
  /// Resets the logger to its defaults (info, text, stderr only, no sink).
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  /// Lines containing `a` and also `b` (an empty `b` matches every line).
  std::size_t count(std::string_view a, std::string_view b = {}) const;
  /// True when some line contains `needle`.
  bool contains(std::string_view needle) const { return count(needle) > 0; }
  /// A copy of every line so far, oldest first, without trailing newlines.
  std::vector<std::string> lines() const;
  /// The lines containing `filter` (all lines when empty), each ending in "\n": for failure
  /// messages.
  std::string dump(std::string_view filter = {}) const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace lottery::integration
