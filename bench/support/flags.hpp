// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <charconv>
#include <concepts>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace lottery::bench {

/// The `--flag value` command lines of the load harnesses (load_ws_*): every flag takes exactly
/// one value, flags come in any order, a flag not given keeps the value its variable already
/// holds. Anything wrong -- a flag without its value, an unknown flag, a value that does not
/// parse or does not fit its variable -- ends the program with status 2 after printing
/// "<program>: <why>" and "usage: <usage>" to stderr (fail()).
class Flags {
 public:
  /// `usage`: what follows "usage: " (the synopsis; more lines may follow it).
  Flags(std::string program, std::string usage);

  /// Registers `flag` (with its dashes, e.g. "--port"): its value is stored into `out`, which
  /// must outlive parse().
  void add(std::string flag, std::string& out);
  /// A decimal floating-point value ("10", "0.5", "1e3").
  void add(std::string flag, double& out);
  /// A decimal integer that fits `T` (no sign for unsigned types).
  template <std::integral T>
  void add(std::string flag, T& out) {
    flags_.push_back({std::move(flag), [&out](std::string_view text) {
                        T value{};
                        const auto [end, ec] =
                            std::from_chars(text.data(), text.data() + text.size(), value);
                        if (ec != std::errc{} || end != text.data() + text.size()) return false;
                        out = value;
                        return true;
                      }});
  }

  /// Reads argv[1..argc) as flag/value pairs into the registered variables; on any error
  /// fail()s (exits).
  void parse(int argc, char** argv) const;

  /// Prints "<program>: <why>" and the usage to stderr and exits with status 2.
  [[noreturn]] void fail(std::string_view why) const;

 private:
  struct Flag {
    std::string name;
    std::function<bool(std::string_view)> set;  ///< false: the value does not parse
  };
  std::string program_;
  std::string usage_;
  std::vector<Flag> flags_;
};

}  // namespace lottery::bench
