// SPDX-License-Identifier: Apache-2.0
#include "support/log_capture.hpp"

#include <utility>

namespace lottery::integration {

LogCapture::LogCapture(logging::Level level, bool echo) {
  logging::LogOptions options;
  options.level = level;
  options.to_stderr = echo;
  options.sink = [this](std::string_view line) {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(line);
  };
  logging::configure(std::move(options));
}

LogCapture::~LogCapture() {
  // Detach the sink before the lines it writes to go away.
  logging::reset();
}

std::size_t LogCapture::count(std::string_view a, std::string_view b) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& line : lines_) {
    if (line.find(a) != std::string::npos && line.find(b) != std::string::npos) ++n;
  }
  return n;
}

std::vector<std::string> LogCapture::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::string LogCapture::dump(std::string_view filter) const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& line : lines_) {
    if (line.find(filter) == std::string::npos) continue;
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace lottery::integration
