// SPDX-License-Identifier: Apache-2.0
// Interoperability with an independent ECIES implementation (Python's
// `cryptography`, tests/unit/custody/ecies_interop.py): what it encrypts our
// injector accepts, and what our client side (`ecies_encrypt`, used by
// `lottery inject-key`) encrypts it decrypts.
#include "custody/injector.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace lottery::custody {
namespace {

constexpr std::string_view kKey0 =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr std::string_view kAddr0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

const std::string kScript =
    std::string(LOTTERY_SOURCE_DIR) + "/tests/unit/custody/ecies_interop.py";

bool python_ready() {
  return std::system("/usr/bin/python3 -c 'import cryptography' >/dev/null 2>&1") == 0;
}

// Runs the script with `stdin_text` piped in; returns stdout and the exit code.
std::pair<std::string, int> run(const std::string& args, const std::string& stdin_text) {
  const std::filesystem::path input =
      std::filesystem::temp_directory_path() / ("ecies_in_" + std::to_string(::getpid()));
  {
    std::ofstream f(input, std::ios::binary);
    f << stdin_text;
  }
  const std::string command = "/usr/bin/python3 " + kScript + " " + args + " < " + input.string();
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  if (pipe != nullptr) {
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  }
  const int status = pipe != nullptr ? ::pclose(pipe) : -1;
  std::filesystem::remove(input);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

TEST(Interop, PythonClientIsAcceptedByTheInjector) {
  if (!python_ready())
    GTEST_SKIP() << "/usr/bin/python3 with cryptography (Debian python3-cryptography) missing";
  InjectorOptions options;
  options.operator_address = eth::parse_address(kAddr0).value();
  std::optional<eth::Address> installed;
  options.sink = [&](eth::PrivateKey key) { installed = key.address(); };
  KeyInjector injector(std::move(options));

  // A tampered message from the independent client is refused first...
  auto [blob, rc] = run("encrypt " + injector.key_pair().public_key_hex(), std::string(kKey0));
  ASSERT_EQ(rc, 0);
  std::string tampered = blob;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  const HttpAnswer bad = injector.handle_set_operator_key(
      boost::json::serialize(boost::json::object{{"encrypted_private_key", tampered}}), "py");
  EXPECT_EQ(bad.status, 400);
  // ...and the genuine one goes in.
  const HttpAnswer ok = injector.handle_set_operator_key(
      boost::json::serialize(boost::json::object{{"encrypted_private_key", blob}}), "py");
  EXPECT_EQ(ok.status, 200) << ok.body;
  ASSERT_TRUE(installed);
  EXPECT_EQ(*installed, eth::parse_address(kAddr0).value());
}

TEST(Interop, OurClientSideIsDecryptedByPython) {
  if (!python_ready())
    GTEST_SKIP() << "/usr/bin/python3 with cryptography (Debian python3-cryptography) missing";
  const std::filesystem::path pem =
      std::filesystem::temp_directory_path() / ("ecies_key_" + std::to_string(::getpid()) + ".pem");
  auto [pub_hex, rc] = run("keygen " + pem.string(), "");
  ASSERT_EQ(rc, 0);
  ASSERT_EQ(pub_hex.size(), 194u);
  eth::Bytes pub(97);
  for (std::size_t i = 0; i < 97; ++i) {
    pub[i] = static_cast<std::uint8_t>(std::stoi(pub_hex.substr(2 * i, 2), nullptr, 16));
  }
  const eth::Bytes blob =
      ecies_encrypt(pub, {reinterpret_cast<const std::uint8_t*>(kKey0.data()), kKey0.size()});
  auto [plain, drc] = run("decrypt " + pem.string(), base64_encode(blob));
  EXPECT_EQ(drc, 0);
  EXPECT_TRUE(plain == kKey0);  // not EXPECT_EQ: a failure must not print the key
  eth::Bytes tampered = blob;
  tampered[120] ^= 1;
  auto [nothing, trc] = run("decrypt " + pem.string(), base64_encode(tampered));
  EXPECT_EQ(trc, 3);
  EXPECT_TRUE(nothing.empty());
  std::filesystem::remove(pem);
}

}  // namespace
}  // namespace lottery::custody
