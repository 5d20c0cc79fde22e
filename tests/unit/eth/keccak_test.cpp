// SPDX-License-Identifier: Apache-2.0
#include "eth/keccak.hpp"

#include "eth/hex.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lottery::eth {
namespace {

std::string digest_hex(const Hash32& h) {
  return hex_encode_bare(h);
}

struct TextCase {
  std::string input;
  const char* digest;
};

// Published Keccak-256 (original padding) vectors: the Keccak team's "", "abc", 448- and
// 896-bit messages, plus the Ethereum constants everyone relies on.
TEST(Keccak256, PublishedTextVectors) {
  const std::vector<TextCase> cases = {
      {"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
      {"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "45d3b367a6904e6e8d502ee04999a7c27647f91fa845d456525fd352ae3d7371"},
      {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmn"
       "opq"
       "rsmnopqrstnopqrstu",
       "f519747ed599024f3882238e5ab43960132572b7345fbeb9a90769dafd21ad67"},
      {"The quick brown fox jumps over the lazy dog",
       "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"},
      // ERC-20 transfer selector and Transfer event topic.
      {"transfer(address,uint256)",
       "a9059cbb2ab09eb219583f4a59a5d0623ade346d962bcd4e46b11da047c9049b"},
      {"Transfer(address,address,uint256)",
       "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(digest_hex(keccak256(std::string_view(c.input))), c.digest);
    const Bytes raw(c.input.begin(), c.input.end());
    EXPECT_EQ(digest_hex(keccak256(ByteView(raw))), c.digest);
  }
}

struct BytesCase {
  const char* name;
  Bytes input;
  const char* digest;
};

TEST(Keccak256, PublishedByteVectors) {
  const std::vector<BytesCase> cases = {
      // Ethereum's empty-ommers hash keccak(rlp([])) and empty trie root keccak(rlp("")).
      {"rlp empty list",
       {0xc0},
       "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"},
      {"rlp empty string",
       {0x80},
       "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"},
      // Exactly one and two 136-byte rate blocks: padding goes into a block of its own.
      {"136 zero bytes", Bytes(136, 0x00),
       "3a5912a7c5faa06ee4fe906253e339467a9ce87d533c65be3c15cb231cdb25f9"},
      {"272 zero bytes", Bytes(272, 0x00),
       "a8005c7a3125b6c3629b4181eca54d18721e41fef639718d205beb00b366ed7d"},
      // The classic long-message vector.
      {"one million 'a'", Bytes(1000000, 'a'),
       "fadae6b49f129bbb812be8407b7b2894f34aecf6dbd1f9b0f0c7e9853098fc96"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(digest_hex(keccak256(ByteView(c.input))), c.digest);
  }
}

TEST(Keccak256, IsNotSha3) {
  // SHA3-256("") is a7ffc6f8bf1ed766...; Ethereum needs the pre-standard padding.
  EXPECT_NE(digest_hex(keccak256(std::string_view())).substr(0, 16), "a7ffc6f8bf1ed766");
}

TEST(Keccak256, EmptySpanWithNullData) {
  const ByteView empty;
  EXPECT_EQ(digest_hex(keccak256(empty)),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

}  // namespace
}  // namespace lottery::eth
