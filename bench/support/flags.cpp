// SPDX-License-Identifier: Apache-2.0
#include "support/flags.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace lottery::bench {

Flags::Flags(std::string program, std::string usage)
    : program_(std::move(program)), usage_(std::move(usage)) {}

void Flags::add(std::string flag, std::string& out) {
  flags_.push_back({std::move(flag), [&out](std::string_view text) {
                      out = text;
                      return true;
                    }});
}

void Flags::add(std::string flag, double& out) {
  flags_.push_back({std::move(flag), [&out](std::string_view text) {
                      double value = 0;
                      const auto [end, ec] =
                          std::from_chars(text.data(), text.data() + text.size(), value);
                      if (ec != std::errc{} || end != text.data() + text.size()) return false;
                      out = value;
                      return true;
                    }});
}

void Flags::parse(int argc, char** argv) const {
  for (int i = 1; i < argc; ++i) {
    const std::string_view name = argv[i];
    if (i + 1 >= argc) fail("missing value for " + std::string(name));
    const std::string_view value = argv[++i];
    const auto flag =
        std::find_if(flags_.begin(), flags_.end(), [&](const Flag& f) { return f.name == name; });
    if (flag == flags_.end()) fail("unknown flag " + std::string(name));
    if (!flag->set(value)) fail("bad value '" + std::string(value) + "' for " + std::string(name));
  }
}

void Flags::fail(std::string_view why) const {
  std::fprintf(stderr, "%s: %.*s\nusage: %s\n", program_.c_str(), static_cast<int>(why.size()),
               why.data(), usage_.c_str());
  std::exit(2);
}

}  // namespace lottery::bench
