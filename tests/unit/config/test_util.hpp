// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helpers shared by the config tests: a private temp directory and a loader
// that never looks at the real environment or the working directory.

#include "config/load.hpp"
#include "logging/redact.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace lottery::config::test {

// Anvil's first well-known dev account key (public knowledge; never a real key).
inline constexpr std::string_view kKey =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
inline constexpr std::string_view kKeyUpper =
    "0xAC0974BEC39A17E36BA4A6B4D238FF944BACB478CBED5EFCAE784D7BF4F2FF80";

class TempDir {
 public:
  TempDir() {
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path() /
            ("lottery_config_test_" + std::to_string(stamp) + "_" + std::to_string(counter()++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// Writes `content` to `name` inside the directory and returns the full path.
  std::string write(const std::string& name, const std::string& content) const {
    const auto file = path_ / name;
    std::ofstream out(file, std::ios::binary);
    out << content;
    return file.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path path_;
};

/// Loads with an explicit environment map, optional file and flags, and no
/// default config file (so a lottery.conf in the working directory is ignored).
inline LoadResult load_with(std::map<std::string, std::string, std::less<>> env,
                            std::optional<std::string> file = std::nullopt,
                            std::vector<std::pair<std::string, std::string>> flags = {}) {
  LoadOptions options;
  options.config_file = std::move(file);
  options.default_config_file.clear();
  options.env = environment_from(std::move(env));
  options.flags = std::move(flags);
  return load(options);
}

/// Clears the process-wide secret registry around each test.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { logging::clear_secrets_for_testing(); }
  void TearDown() override { logging::clear_secrets_for_testing(); }
};

}  // namespace lottery::config::test
