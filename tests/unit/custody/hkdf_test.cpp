// SPDX-License-Identifier: Apache-2.0
// HKDF-SHA256 against the test vectors of RFC 5869 appendix A (cases 1-3).
#include "custody/ecies.hpp"
#include "eth/hex.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lottery::custody {
namespace {

struct HkdfVector {
  const char* name;
  std::string ikm;   // hex, no 0x
  std::string salt;  // "" = not provided
  std::string info;
  std::size_t length;
  std::string okm;
};

eth::Bytes h(const std::string& hex) {
  return eth::hex_decode("0x" + hex).value();
}

std::string range_hex(int from, int to) {
  std::string out;
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = from; i <= to; ++i) {
    out += kDigits[i >> 4];
    out += kDigits[i & 15];
  }
  return out;
}

const std::vector<HkdfVector>& vectors() {
  static const std::vector<HkdfVector> v = {
      {"A.1 basic", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
       "f0f1f2f3f4f5f6f7f8f9", 42,
       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
      {"A.2 longer inputs", range_hex(0x00, 0x4f), range_hex(0x60, 0xaf), range_hex(0xb0, 0xff), 82,
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e5"
       "90e"
       "09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
      {"A.3 no salt, no info", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
  };
  return v;
}

TEST(Hkdf, Rfc5869Vectors) {
  for (const auto& vec : vectors()) {
    SCOPED_TRACE(vec.name);
    const eth::Bytes ikm = h(vec.ikm);
    const eth::Bytes salt = vec.salt.empty() ? eth::Bytes{} : h(vec.salt);
    const eth::Bytes info = vec.info.empty() ? eth::Bytes{} : h(vec.info);
    const SecretBytes okm = hkdf_sha256(ikm, salt, info, vec.length);
    EXPECT_EQ(eth::hex_encode_bare(okm.view()), vec.okm);
  }
}

TEST(Hkdf, SaltOfZerosEqualsNoSalt) {
  // RFC 5869 §2.2: a missing salt is HashLen zero bytes.
  const eth::Bytes ikm = h("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  const eth::Bytes zeros(32, 0);
  EXPECT_EQ(eth::hex_encode_bare(hkdf_sha256(ikm, {}, {}, 42).view()),
            eth::hex_encode_bare(hkdf_sha256(ikm, zeros, {}, 42).view()));
}

TEST(Hkdf, RejectsBadLengths) {
  const eth::Bytes ikm(32, 1);
  EXPECT_THROW(hkdf_sha256(ikm, {}, {}, 0), std::invalid_argument);
  EXPECT_THROW(hkdf_sha256(ikm, {}, {}, 255 * 32 + 1), std::invalid_argument);
  EXPECT_EQ(hkdf_sha256(ikm, {}, {}, 255 * 32).size(), 255u * 32u);
}

TEST(Hmac, Rfc4231Case2) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  const std::string key = "Jefe";
  const std::string data = "what do ya want for nothing?";
  const auto mac = hmac_sha256({reinterpret_cast<const std::uint8_t*>(key.data()), key.size()},
                               {reinterpret_cast<const std::uint8_t*>(data.data()), data.size()});
  EXPECT_EQ(eth::hex_encode_bare(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace lottery::custody
