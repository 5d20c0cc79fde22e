// SPDX-License-Identifier: Apache-2.0
//
// Differential tests of src/eth against a real implementation: Foundry's `cast` (the pinned npm
// build in node_modules) computes Keccak-256, ABI encodings, RLP and signed transactions for a few
// hundred generated cases, and a real Anvil must accept transactions our code signed and attribute
// them to the sender we derive.
//
// Cases come from a fixed-seed generator (printed at the start of each test; set
// LOTTERY_ORACLE_SEED to try another one). Every failure prints the generated input and the exact
// `cast` command, so a mismatch can be reproduced by hand.

#include "eth/abi_codec.hpp"
#include "eth/abi_signature.hpp"
#include "eth/abi_type.hpp"
#include "eth/abi_value.hpp"
#include "eth/address.hpp"
#include "eth/hex.hpp"
#include "eth/keccak.hpp"
#include "eth/rlp.hpp"
#include "eth/secp256k1.hpp"
#include "eth/transaction.hpp"
#include "eth/u256.hpp"

#include "support/process_runner.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace lottery::eth {
namespace {

namespace json = boost::json;
using integration::format_command;
using integration::ProcessResult;
using integration::run_process;

// ---- Tools
// ---------------------------------------------------------------------------------------

std::string tool_path(const char* name) {
  return std::string(LOTTERY_SOURCE_DIR) + "/node_modules/.bin/" + name;
}

bool tools_present() {
  return std::filesystem::exists(tool_path("cast")) && std::filesystem::exists(tool_path("anvil"));
}

constexpr const char* kToolsMissing =
    "node_modules/.bin/cast or anvil is missing; run scripts/setup.sh (npm ci) first";

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// Runs `cast args...`; the command line comes back in `command` for failure messages.
struct CastRun {
  std::string command;
  ProcessResult result;
  std::string out() const { return trim(result.out); }
  std::string describe() const {
    return "command: " + command + "\nexit: " + std::to_string(result.exit_code) +
           "\nstdout: " + result.out + "\nstderr: " + result.err;
  }
};

CastRun cast(std::vector<std::string> args) {
  args.insert(args.begin(), tool_path("cast"));
  CastRun run;
  run.command = format_command(args);
  run.result = run_process(args, std::chrono::seconds(30));
  return run;
}

// ---- Deterministic generator
// ---------------------------------------------------------------------

constexpr std::uint64_t kDefaultSeed = 0x5eed'1077'e4e5'0001ULL;

std::uint64_t base_seed() {
  if (const char* env = std::getenv("LOTTERY_ORACLE_SEED"); env != nullptr && *env != '\0') {
    return std::strtoull(env, nullptr, 0);
  }
  return kDefaultSeed;
}

/// mt19937_64's output sequence is fixed by the C++ standard; the range reduction below is ours
/// (the standard distributions differ between library implementations), so a seed reproduces the
/// same cases everywhere.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next() { return engine_(); }
  /// Uniform enough in [0, n) for test generation; n > 0.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  std::size_t index(std::size_t n) { return static_cast<std::size_t>(below(n)); }
  bool percent(unsigned p) { return below(100) < p; }

  Bytes bytes(std::size_t n) {
    Bytes out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(next() & 0xff);
    return out;
  }

  /// A uniformly random value of exactly `bits` bits or fewer.
  U256 bits(std::size_t width) {
    U256 value;
    for (int i = 0; i < 4; ++i) value = (value << 64) | U256{next()};
    if (width < 256) value &= (U256{1} << width) - 1;
    return value;
  }

  /// Mostly small and boundary values, sometimes anything up to `max_bits` bits: the boundaries are
  /// where encoders break.
  U256 number(std::size_t max_bits) {
    const U256 max = max_bits >= 256 ? ~U256{0} : (U256{1} << max_bits) - 1;
    switch (below(8)) {
      case 0:
        return 0;
      case 1:
        return 1;
      case 2:
        return max;
      case 3:
        return below(256) & static_cast<std::uint64_t>(max & 0xff);
      case 4:
        return bits(1 + index(max_bits));
      default:
        return bits(max_bits);
    }
  }

  std::uint64_t u64_edge() {
    switch (below(6)) {
      case 0:
        return 0;
      case 1:
        return below(128);
      case 2:
        return (std::uint64_t{1} << 63) - 1 + below(2);
      default:
        return next() >> index(64);
    }
  }

 private:
  std::mt19937_64 engine_;
};

/// Announces the seed of one test so every log carries what reproduces it.
std::uint64_t announce_seed(std::uint64_t salt, const char* what) {
  const std::uint64_t seed = base_seed() ^ salt;
  std::cout << "[ oracle   ] " << what << ": LOTTERY_ORACLE_SEED=0x" << std::hex << base_seed()
            << std::dec << " (case stream seed 0x" << std::hex << seed << std::dec << ")\n";
  ::testing::Test::RecordProperty("oracle_seed", std::to_string(base_seed()));
  return seed;
}

// ---- Keccak-256
// ----------------------------------------------------------------------------------

TEST(EthOracle, Keccak256MatchesCast) {
  if (!tools_present()) GTEST_FAIL() << kToolsMissing;
  Rng rng(announce_seed(0x6b65'6363'616b, "keccak"));

  // Lengths around the 136-byte sponge rate (and its multiples) are where padding bugs live.
  const std::vector<std::size_t> edges{0, 1, 31, 32, 33, 55, 56, 135, 136, 137, 271, 272, 273};
  constexpr int kCases = 100;
  for (int i = 0; i < kCases; ++i) {
    const std::size_t len =
        i < static_cast<int>(edges.size()) ? edges[static_cast<std::size_t>(i)] : rng.index(700);
    const Bytes input = rng.bytes(len);
    const std::string input_hex = hex_encode(input);
    const auto run = cast({"keccak", input_hex});
    ASSERT_TRUE(run.result.ok()) << run.describe();
    EXPECT_EQ(hex_encode(keccak256(ByteView(input))), lower(run.out()))
        << "keccak case " << i << " input " << input_hex << "\n"
        << run.describe();
  }

  // Text input: cast hashes anything that is not 0x-hex as UTF-8, as our string overload does.
  const std::vector<std::string> texts{"txt:", "txt: hello world",
                                       "txt: \xc3\xa9t\xc3\xa9 \xe2\x82\xac",
                                       "transfer(address,uint256)"};
  for (const auto& text : texts) {
    const auto run = cast({"keccak", text});
    ASSERT_TRUE(run.result.ok()) << run.describe();
    EXPECT_EQ(hex_encode(keccak256(std::string_view(text))), lower(run.out())) << run.describe();
  }
}

// ---- ABI
// -----------------------------------------------------------------------------------------

AbiType random_abi_type(Rng& rng, int depth) {
  // Composite types until depth 3; each level makes the tree roughly 3x larger, so beyond that the
  // cast arguments grow without finding anything new.
  if (depth < 3 && rng.percent(35)) {
    switch (rng.below(3)) {
      case 0:
        return AbiType::array(random_abi_type(rng, depth + 1));
      case 1:
        return AbiType::fixed_array(random_abi_type(rng, depth + 1), 1 + rng.index(3));
      default: {
        std::vector<AbiType> members;
        const std::size_t n = 1 + rng.index(3);
        for (std::size_t i = 0; i < n; ++i) members.push_back(random_abi_type(rng, depth + 1));
        return AbiType::tuple(std::move(members));
      }
    }
  }
  switch (rng.below(8)) {
    case 0:
      return AbiType::uint_n(8 * (1 + rng.index(32)));
    case 1:
      return AbiType::int_n(8 * (1 + rng.index(32)));
    case 2:
      return AbiType::address();
    case 3:
      return AbiType::boolean();
    case 4:
      return AbiType::fixed_bytes(1 + rng.index(32));
    case 5:
      return AbiType::bytes();
    case 6:
      return AbiType::string();
    default:
      return rng.percent(50) ? AbiType::uint_n() : AbiType::int_n();
  }
}

/// Printable ASCII without '"' and '\' (which would need escaping inside cast's quoted array
/// elements) plus a few multi-byte UTF-8 characters.
std::string random_text(Rng& rng) {
  static const std::vector<std::string> kPieces = [] {
    std::vector<std::string> pieces;
    for (char c = ' '; c <= '~'; ++c) {
      if (c != '"' && c != '\\') pieces.emplace_back(1, c);
    }
    pieces.emplace_back("\xc3\xa9");          // é
    pieces.emplace_back("\xe2\x82\xac");      // €
    pieces.emplace_back("\xf0\x9f\x8e\xb2");  // 🎲
    return pieces;
  }();
  const std::size_t len = rng.percent(15) ? 0 : 1 + rng.index(rng.percent(20) ? 80 : 12);
  std::string text;
  for (std::size_t i = 0; i < len; ++i) text += kPieces[rng.index(kPieces.size())];
  // cast would take a leading '-' of a top-level argument for an option.
  if (!text.empty() && text.front() == '-') text.front() = '_';
  return text;
}

AbiValue random_abi_value(Rng& rng, const AbiType& type) {
  switch (type.kind) {
    case AbiKind::kUint:
      return abi_uint(rng.number(type.size));
    case AbiKind::kInt: {
      // Magnitude below 2^(M-1) for non-negative values, up to 2^(M-1) for negative ones.
      const std::size_t bits = type.size - 1;
      const bool negative = rng.percent(50);
      U256 magnitude = rng.number(bits);
      if (negative && rng.percent(15)) magnitude = U256{1} << bits;  // the minimum, -2^(M-1)
      if (negative && magnitude == 0) magnitude = 1;
      return abi_int_twos(negative ? U256{0} - magnitude : magnitude);
    }
    case AbiKind::kAddress: {
      Address a;
      if (!rng.percent(10)) {
        const Bytes b = rng.bytes(20);
        std::copy(b.begin(), b.end(), a.bytes.begin());
      }
      return abi_address(a);
    }
    case AbiKind::kBool:
      return abi_bool(rng.percent(50));
    case AbiKind::kFixedBytes:
      return abi_bytes(rng.bytes(type.size));
    case AbiKind::kBytes: {
      const std::size_t len = rng.percent(15) ? 0 : rng.index(rng.percent(20) ? 100 : 40);
      return abi_bytes(rng.bytes(len));
    }
    case AbiKind::kString:
      return abi_string(random_text(rng));
    case AbiKind::kArray: {
      AbiList items;
      const std::size_t n = rng.index(4);
      for (std::size_t i = 0; i < n; ++i)
        items.push_back(random_abi_value(rng, type.components[0]));
      return abi_list(std::move(items));
    }
    case AbiKind::kFixedArray: {
      AbiList items;
      for (std::size_t i = 0; i < type.size; ++i) {
        items.push_back(random_abi_value(rng, type.components[0]));
      }
      return abi_list(std::move(items));
    }
    case AbiKind::kTuple: {
      AbiList items;
      for (const auto& member : type.components) items.push_back(random_abi_value(rng, member));
      return abi_list(std::move(items));
    }
  }
  return abi_bool(false);
}

/// Signed decimal of an int<M> value held as a 256-bit two's-complement pattern.
std::string signed_dec(const U256& twos) {
  if (bit_test(twos, 255)) return "-" + u256_to_dec(U256{0} - twos);
  return u256_to_dec(twos);
}

/// The value written the way `cast abi-encode` parses its arguments. Addresses alternate between
/// EIP-55 and lower case so cast's parser sees both.
std::string cast_arg(const AbiType& type, const AbiValue& value, bool nested) {
  switch (type.kind) {
    case AbiKind::kUint:
      return u256_to_dec(*value.as_u256());
    case AbiKind::kInt:
      return signed_dec(*value.as_u256());
    case AbiKind::kAddress:
      return (value.as_address()->bytes[0] & 1U) != 0 ? to_checksum(*value.as_address())
                                                      : to_lower_hex(*value.as_address());
    case AbiKind::kBool:
      return *value.as_bool() ? "true" : "false";
    case AbiKind::kFixedBytes:
    case AbiKind::kBytes:
      return hex_encode(*value.as_bytes());
    case AbiKind::kString:
      return nested ? "\"" + *value.as_string() + "\"" : *value.as_string();
    case AbiKind::kArray:
    case AbiKind::kFixedArray:
    case AbiKind::kTuple: {
      const bool tuple = type.kind == AbiKind::kTuple;
      std::string text(1, tuple ? '(' : '[');
      const auto& items = *value.as_list();
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0) text += ',';
        const auto& item_type = tuple ? type.components[i] : type.components[0];
        text += cast_arg(item_type, items[i], true);
      }
      text += tuple ? ')' : ']';
      return text;
    }
  }
  return "?";
}

/// One comparable rendering of a decoded value: integers in decimal (signed for int<M>), bytes in
/// lower-case hex, addresses in EIP-55 form (cast prints them so: this checks our checksum too),
/// strings JSON-quoted, arrays and tuples as [a,b].
std::string render_expected(const AbiType& type, const AbiValue& value) {
  switch (type.kind) {
    case AbiKind::kUint:
      return u256_to_dec(*value.as_u256());
    case AbiKind::kInt:
      return signed_dec(*value.as_u256());
    case AbiKind::kAddress:
      return to_checksum(*value.as_address());
    case AbiKind::kBool:
      return *value.as_bool() ? "true" : "false";
    case AbiKind::kFixedBytes:
    case AbiKind::kBytes:
      return hex_encode(*value.as_bytes());
    case AbiKind::kString:
      return json::serialize(json::value(json::string(*value.as_string())));
    case AbiKind::kArray:
    case AbiKind::kFixedArray:
    case AbiKind::kTuple: {
      std::string text = "[";
      const auto& items = *value.as_list();
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0) text += ',';
        text += render_expected(
            type.kind == AbiKind::kTuple ? type.components[i] : type.components[0], items[i]);
      }
      return text + "]";
    }
  }
  return "?";
}

/// The same rendering of `cast decode-abi --json` output. cast prints integers that fit 64 bits as
/// JSON numbers and larger ones as decimal strings.
std::string render_cast(const AbiType& type, const json::value& value) {
  const auto unexpected = [&] { return "<unexpected json " + json::serialize(value) + ">"; };
  switch (type.kind) {
    case AbiKind::kUint:
    case AbiKind::kInt:
      if (value.is_uint64()) return std::to_string(value.as_uint64());
      if (value.is_int64()) return std::to_string(value.as_int64());
      if (value.is_string()) return std::string(value.as_string());
      return unexpected();
    case AbiKind::kAddress:
      return value.is_string() ? std::string(value.as_string()) : unexpected();
    case AbiKind::kBool:
      return value.is_bool() ? (value.as_bool() ? "true" : "false") : unexpected();
    case AbiKind::kFixedBytes:
    case AbiKind::kBytes:
      return value.is_string() ? lower(std::string(value.as_string())) : unexpected();
    case AbiKind::kString:
      return value.is_string() ? json::serialize(value) : unexpected();
    case AbiKind::kArray:
    case AbiKind::kFixedArray:
    case AbiKind::kTuple: {
      if (!value.is_array()) return unexpected();
      const auto& items = value.as_array();
      if (type.kind == AbiKind::kTuple && items.size() != type.components.size())
        return unexpected();
      std::string text = "[";
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0) text += ',';
        text += render_cast(type.kind == AbiKind::kTuple ? type.components[i] : type.components[0],
                            items[i]);
      }
      return text + "]";
    }
  }
  return "?";
}

std::optional<json::value> parse_json(const std::string& text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec) return std::nullopt;
  return value;
}

/// True when a dynamic type sits inside an array or tuple: the offsets-within-tails case.
bool nests_dynamic(const AbiType& type) {
  if (type.components.empty()) return false;
  for (const auto& c : type.components) {
    if (c.is_dynamic() || nests_dynamic(c)) return true;
  }
  return false;
}

TEST(EthOracle, AbiEncodeDecodeMatchesCast) {
  if (!tools_present()) GTEST_FAIL() << kToolsMissing;
  Rng rng(announce_seed(0x0061'6269, "abi"));

  constexpr int kCases = 110;
  int nested_dynamic_cases = 0;
  for (int i = 0; i < kCases; ++i) {
    std::vector<AbiType> types;
    AbiList values;
    const std::size_t arity = 1 + rng.index(4);
    for (std::size_t k = 0; k < arity; ++k) {
      types.push_back(random_abi_type(rng, 0));
      values.push_back(random_abi_value(rng, types.back()));
    }
    if (std::any_of(types.begin(), types.end(), nests_dynamic)) ++nested_dynamic_cases;
    const std::string type_list = canonical_type_list(types);
    std::vector<std::string> args{"abi-encode", "f(" + type_list + ")"};
    for (std::size_t k = 0; k < arity; ++k) args.push_back(cast_arg(types[k], values[k], false));
    std::string expected_values;
    for (std::size_t k = 0; k < arity; ++k) {
      expected_values += (k == 0 ? "" : ",") + render_expected(types[k], values[k]);
    }
    const std::string context = "abi case " + std::to_string(i) + " types (" + type_list +
                                ") values [" + expected_values + "]";

    // Encode: our bytes must equal cast's.
    auto ours = abi_encode(types, values);
    ASSERT_TRUE(ours) << context << ": abi_encode failed: " << ours.error().message();
    const std::string ours_hex = hex_encode(*ours);
    const auto encoded = cast(args);
    ASSERT_TRUE(encoded.result.ok()) << context << "\n" << encoded.describe();
    EXPECT_EQ(ours_hex, lower(encoded.out())) << context << "\n" << encoded.describe();

    // Decode cast's bytes with our strict decoder: the generated values must come back.
    const auto theirs = hex_decode(encoded.out());
    ASSERT_TRUE(theirs) << context << "\n" << encoded.describe();
    const auto decoded = abi_decode(types, *theirs);
    if (decoded) {
      EXPECT_TRUE(*decoded == values) << context << "\nour decode of cast's bytes differs";
    } else {
      ADD_FAILURE() << context
                    << "\nour abi_decode rejected cast's bytes: " << decoded.error().message()
                    << "\n"
                    << encoded.describe();
    }

    // Decode our bytes with cast: it must see the same values.
    const auto back = cast({"decode-abi", "--json", "f()(" + type_list + ")", ours_hex});
    ASSERT_TRUE(back.result.ok()) << context << "\n" << back.describe();
    const auto parsed = parse_json(back.result.out);
    ASSERT_TRUE(parsed && parsed->is_array() && parsed->as_array().size() == arity)
        << context << "\n"
        << back.describe();
    std::string cast_values;
    for (std::size_t k = 0; k < arity; ++k) {
      cast_values += (k == 0 ? "" : ",") + render_cast(types[k], parsed->as_array()[k]);
    }
    EXPECT_EQ(expected_values, cast_values) << context << "\n" << back.describe();
  }
  std::cout << "[ oracle   ] abi: " << kCases << " cases, " << nested_dynamic_cases
            << " with dynamic types nested in arrays/tuples\n";
  // The generator must keep producing the hard shapes, or this test proves little.
  EXPECT_GE(nested_dynamic_cases, kCases / 10);
}

// ---- RLP
// -----------------------------------------------------------------------------------------

Bytes random_rlp_string(Rng& rng) {
  switch (rng.below(8)) {
    case 0:
      return {};
    case 1:
      return {static_cast<std::uint8_t>(rng.below(0x80))};  // encodes as itself
    case 2:
      return {static_cast<std::uint8_t>(0x80 + rng.below(0x80))};
    case 3:
      return rng.bytes(55 + rng.index(2));  // short/long form boundary
    case 4:
      return rng.bytes(256 + rng.index(64));  // two-byte length
    default:
      return rng.bytes(rng.index(40));
  }
}

rlp::Item random_rlp_item(Rng& rng, int depth) {
  if (depth < 4 && rng.percent(depth == 0 ? 80 : 35)) {
    std::vector<rlp::Item> children;
    const std::size_t n = rng.index(rng.percent(20) ? 12 : 5);
    for (std::size_t i = 0; i < n; ++i) children.push_back(random_rlp_item(rng, depth + 1));
    return rlp::Item::list(std::move(children));
  }
  return rlp::Item::string(random_rlp_string(rng));
}

/// `cast to-rlp` input: JSON with 0x-hex strings.
std::string rlp_to_json(const rlp::Item& item) {
  if (!item.is_list) return "\"" + hex_encode(item.bytes) + "\"";
  std::string text = "[";
  for (std::size_t i = 0; i < item.items.size(); ++i) {
    if (i != 0) text += ',';
    text += rlp_to_json(item.items[i]);
  }
  return text + "]";
}

/// The tree `cast from-rlp` printed, or nullopt when it is not strings and arrays of 0x-hex.
std::optional<rlp::Item> rlp_from_json(const json::value& value) {
  if (value.is_string()) {
    auto bytes = hex_decode(std::string_view(value.as_string()));
    if (!bytes) return std::nullopt;
    return rlp::Item::string(*bytes);
  }
  if (!value.is_array()) return std::nullopt;
  std::vector<rlp::Item> children;
  for (const auto& child : value.as_array()) {
    auto item = rlp_from_json(child);
    if (!item) return std::nullopt;
    children.push_back(std::move(*item));
  }
  return rlp::Item::list(std::move(children));
}

TEST(EthOracle, RlpMatchesCast) {
  if (!tools_present()) GTEST_FAIL() << kToolsMissing;
  Rng rng(announce_seed(0x0072'6c70, "rlp"));

  constexpr int kCases = 100;
  for (int i = 0; i < kCases; ++i) {
    const rlp::Item item = random_rlp_item(rng, 0);
    const std::string input = rlp_to_json(item);
    const std::string context = "rlp case " + std::to_string(i) + " item " + input;

    const std::string ours_hex = hex_encode(rlp::encode(item));
    const auto encoded = cast({"to-rlp", input});
    ASSERT_TRUE(encoded.result.ok()) << context << "\n" << encoded.describe();
    EXPECT_EQ(ours_hex, lower(encoded.out())) << context << "\n" << encoded.describe();

    const auto theirs = hex_decode(encoded.out());
    ASSERT_TRUE(theirs) << context << "\n" << encoded.describe();
    const auto decoded = rlp::decode(*theirs);
    if (decoded) {
      EXPECT_TRUE(*decoded == item) << context << "\nour decode of cast's bytes differs";
    } else {
      ADD_FAILURE() << context
                    << "\nour rlp::decode rejected cast's bytes: " << decoded.error().message();
    }

    const auto back = cast({"from-rlp", ours_hex});
    ASSERT_TRUE(back.result.ok()) << context << "\n" << back.describe();
    const auto parsed = parse_json(back.result.out);
    ASSERT_TRUE(parsed) << context << "\n" << back.describe();
    const auto cast_item = rlp_from_json(*parsed);
    ASSERT_TRUE(cast_item) << context << "\n" << back.describe();
    EXPECT_TRUE(*cast_item == item) << context << "\ncast decoded our bytes as " << back.out();
  }
}

// ---- Transactions
// --------------------------------------------------------------------------------

PrivateKey random_key(Rng& rng) {
  for (;;) {
    auto key = PrivateKey::from_bytes(rng.bytes(32));
    if (key) return std::move(*key);
  }
}

std::string access_list_json(const AccessList& list) {
  json::array entries;
  for (const auto& entry : list) {
    json::array keys;
    for (const auto& key : entry.storage_keys) keys.emplace_back(hex_encode(key));
    entries.push_back(
        json::object{{"address", to_lower_hex(entry.address)}, {"storageKeys", keys}});
  }
  return json::serialize(entries);
}

std::string describe_txn(const Transaction& txn) {
  std::ostringstream os;
  os << "type=" << static_cast<int>(txn.type) << " chain_id=" << txn.chain_id
     << " nonce=" << txn.nonce << " gas_price=" << u256_to_dec(txn.gas_price)
     << " max_priority_fee=" << u256_to_dec(txn.max_priority_fee_per_gas)
     << " max_fee=" << u256_to_dec(txn.max_fee_per_gas) << " gas_limit=" << txn.gas_limit
     << " to=" << (txn.to ? to_lower_hex(*txn.to) : std::string("<create>"))
     << " value=" << u256_to_dec(txn.value) << " data=" << hex_encode(txn.data)
     << " access_list=" << access_list_json(txn.access_list);
  return os.str();
}

TEST(EthOracle, SignedTransactionsMatchCastMktx) {
  if (!tools_present()) GTEST_FAIL() << kToolsMissing;
  Rng rng(announce_seed(0x0074'786e, "transactions"));

  const std::vector<std::uint64_t> chain_ids{1, 5, 10, 1337, 31337, 11155111};
  constexpr int kCases = 100;
  std::array<int, 3> per_type{};
  int creations = 0;
  for (int i = 0; i < kCases; ++i) {
    const PrivateKey key = random_key(rng);
    Transaction txn;
    switch (rng.below(4)) {
      case 0:
        txn.type = TxType::kLegacy;
        break;
      case 1:
        txn.type = TxType::kAccessList;
        break;
      default:
        txn.type = TxType::kDynamicFee;
        break;
    }
    // Large chain ids make the legacy v span several bytes; keep them below 2^32 so they stay
    // clear of the ids cast knows by name.
    txn.chain_id = rng.percent(50) ? chain_ids[rng.index(chain_ids.size())]
                                   : 100'000 + rng.below(std::uint64_t{1} << 32);
    txn.nonce = rng.u64_edge();
    txn.gas_limit = rng.percent(30) ? 21'000 : rng.u64_edge();
    // Fees up to 128 bits only: cast (alloy) holds gas prices in a u128 and panics beyond it,
    // though the wire format allows 256.
    const U256 fee_cap = rng.number(rng.percent(80) ? 64 : 128);
    if (txn.type == TxType::kDynamicFee) {
      txn.max_fee_per_gas = fee_cap;
      txn.max_priority_fee_per_gas = fee_cap == 0 ? U256{0} : rng.bits(256) % (fee_cap + 1);
    } else {
      txn.gas_price = fee_cap;
    }
    if (!rng.percent(15)) {
      Address to;
      const Bytes b = rng.bytes(20);
      std::copy(b.begin(), b.end(), to.bytes.begin());
      txn.to = to;
    }
    txn.value = rng.number(rng.percent(70) ? 80 : 256);
    txn.data = rng.bytes(rng.percent(30) ? 0 : rng.index(rng.percent(20) ? 200 : 40));
    // cast only builds an EIP-2930 transaction when given an access list, and an empty list on
    // EIP-1559 is the default; give type 1 at least one entry.
    if (txn.type == TxType::kAccessList || (txn.type == TxType::kDynamicFee && rng.percent(40))) {
      const std::size_t entries = txn.type == TxType::kAccessList ? 1 + rng.index(2) : rng.index(3);
      for (std::size_t e = 0; e < entries; ++e) {
        AccessListEntry entry;
        const Bytes b = rng.bytes(20);
        std::copy(b.begin(), b.end(), entry.address.bytes.begin());
        const std::size_t keys = rng.index(3);
        for (std::size_t k = 0; k < keys; ++k) {
          Hash32 slot{};
          const Bytes s = rng.bytes(32);
          std::copy(s.begin(), s.end(), slot.begin());
          entry.storage_keys.push_back(slot);
        }
        txn.access_list.push_back(std::move(entry));
      }
    }
    ++per_type[static_cast<std::size_t>(txn.type)];
    if (!txn.to) ++creations;
    const std::string context = "transaction case " + std::to_string(i) + ": " + describe_txn(txn) +
                                " key=" + hex_encode(key.expose_secret());

    std::vector<std::string> args{"mktx",
                                  "--private-key",
                                  hex_encode(key.expose_secret()),
                                  "--chain",
                                  std::to_string(txn.chain_id),
                                  "--nonce",
                                  std::to_string(txn.nonce),
                                  "--gas-limit",
                                  std::to_string(txn.gas_limit)};
    if (txn.type == TxType::kDynamicFee) {
      args.insert(args.end(), {"--gas-price", u256_to_dec(txn.max_fee_per_gas),
                               "--priority-gas-price", u256_to_dec(txn.max_priority_fee_per_gas)});
    } else {
      args.insert(args.end(), {"--legacy", "--gas-price", u256_to_dec(txn.gas_price)});
    }
    args.insert(args.end(), {"--value", u256_to_dec(txn.value)});
    if (!txn.access_list.empty()) {
      args.insert(args.end(), {"--access-list", access_list_json(txn.access_list)});
    }
    if (txn.to) {
      args.insert(args.end(), {to_lower_hex(*txn.to), hex_encode(txn.data)});
    } else {
      args.insert(args.end(), {"--create", hex_encode(txn.data)});
    }

    const auto signed_txn = sign_transaction(txn, key);
    ASSERT_TRUE(signed_txn) << context
                            << ": sign_transaction failed: " << signed_txn.error().message();
    const Bytes raw = encode_transaction(*signed_txn);
    const auto made = cast(args);
    ASSERT_TRUE(made.result.ok()) << context << "\n" << made.describe();
    EXPECT_EQ(hex_encode(raw), lower(made.out())) << context << "\n" << made.describe();

    // cast's raw bytes must decode (strictly) to the same transaction and recover to the key.
    const auto theirs = hex_decode(made.out());
    ASSERT_TRUE(theirs) << context << "\n" << made.describe();
    const auto decoded = decode_transaction(*theirs);
    ASSERT_TRUE(decoded) << context << "\nour decode_transaction rejected cast's bytes: "
                         << decoded.error().message() << "\n"
                         << made.describe();
    EXPECT_TRUE(*decoded == *signed_txn) << context << "\ncast's transaction decodes differently";
    const auto sender = recover_sender(*decoded);
    ASSERT_TRUE(sender) << context << ": " << sender.error().message();
    EXPECT_EQ(to_checksum(key.address()), to_checksum(*sender)) << context;

    // Address derivation against cast's, on a sample (it is one more process per case).
    if (i % 4 == 0) {
      const auto wallet =
          cast({"wallet", "address", "--private-key", hex_encode(key.expose_secret())});
      ASSERT_TRUE(wallet.result.ok()) << context << "\n" << wallet.describe();
      EXPECT_EQ(to_checksum(key.address()), wallet.out()) << context << "\n" << wallet.describe();
    }
  }
  std::cout << "[ oracle   ] transactions: " << per_type[0] << " legacy, " << per_type[1]
            << " EIP-2930, " << per_type[2] << " EIP-1559, " << creations << " creations\n";
  for (const int n : per_type) EXPECT_GE(n, kCases / 10);
  EXPECT_GE(creations, 1);
}

// ---- Anvil
// ---------------------------------------------------------------------------------------

/// Anvil's first dev account (from its well-known test mnemonic): public knowledge, test use only.
constexpr const char* kDevKey =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr std::uint64_t kAnvilChainId = 31337;

/// A throw-away Anvil on a free port with automatic mining off, so the test decides when blocks
/// are made. Stopped by PID and its temp dir removed when this goes out of scope.
class AnvilNode {
 public:
  AnvilNode() {
    std::string dir_template =
        (std::filesystem::temp_directory_path() / "lottery-oracle-XXXXXX").string();
    if (::mkdtemp(dir_template.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = dir_template;
    process_ = std::make_unique<integration::BackgroundProcess>(
        std::vector<std::string>{tool_path("anvil"), "--host", "127.0.0.1", "--port", "0",
                                 "--chain-id", std::to_string(kAnvilChainId), "--no-mining"},
        (dir_ / "anvil.log").string());
    // Port 0 lets the kernel choose; Anvil prints the port it got.
    const std::string marker = "Listening on 127.0.0.1:";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline && process_->running()) {
      const std::string log = process_->read_log();
      if (const auto at = log.find(marker); at != std::string::npos) {
        const auto end = log.find_first_not_of("0123456789", at + marker.size());
        if (end != std::string::npos) {
          url_ = "http://127.0.0.1:" + log.substr(at + marker.size(), end - at - marker.size());
          return;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("anvil did not start; log:\n" + process_->read_log());
  }
  AnvilNode(const AnvilNode&) = delete;
  AnvilNode& operator=(const AnvilNode&) = delete;
  ~AnvilNode() {
    process_->stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  const std::string& url() const noexcept { return url_; }
  std::string log() const { return process_->read_log(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<integration::BackgroundProcess> process_;
  std::string url_;
};

/// The address a contract created by `sender` with `nonce` gets: keccak256(rlp([sender, nonce])).
Address create_address(const Address& sender, std::uint64_t nonce) {
  Bytes payload;
  rlp::append_string(payload, sender.bytes);
  rlp::append_uint(payload, nonce);
  const Hash32 hash = keccak256(ByteView(rlp::encode_list(payload)));
  Address out;
  std::copy(hash.begin() + 12, hash.end(), out.bytes.begin());
  return out;
}

std::string json_field(const json::value& object, const char* name) {
  if (!object.is_object()) return "<not an object>";
  const auto* field = object.as_object().if_contains(name);
  if (field == nullptr) return "<missing>";
  if (field->is_string()) return std::string(field->as_string());
  return json::serialize(*field);
}

TEST(EthOracle, AnvilAcceptsTransactionsWeSigned) {
  if (!tools_present()) GTEST_FAIL() << kToolsMissing;
  AnvilNode node;
  const std::string& url = node.url();

  auto key = PrivateKey::from_hex(kDevKey);
  ASSERT_TRUE(key) << key.error().message();
  const Address sender = key->address();
  // Anvil lists its accounts with EIP-55 addresses: our derivation and checksum must agree.
  const std::string log = node.log();
  ASSERT_NE(log.find(kDevKey), std::string::npos) << "dev key not in anvil's account list:\n"
                                                  << log;
  EXPECT_NE(log.find("(0) " + to_checksum(sender)), std::string::npos)
      << "our address " << to_checksum(sender) << " is not anvil's account (0):\n"
      << log;

  // A contract whose runtime stores the first argument word of any call in slot 0:
  // PUSH1 4 CALLDATALOAD PUSH1 0 SSTORE STOP. The init code copies it out and returns it.
  const Bytes runtime = *hex_decode("0x60043560005500");
  Bytes init = *hex_decode("0x6007600c60003960076000f3");
  init.insert(init.end(), runtime.begin(), runtime.end());
  const Address contract = create_address(sender, 2);
  const U256 first_word = *u256_from_hex("0x1077e4e5deadbeef");
  const U256 second_word =
      *u256_from_hex("0xc0ffee00000000000000000000000000000000000000000000000000000000ff");
  auto call_data = [](const U256& word) {
    const std::vector<AbiValue> args{abi_uint(word)};
    auto data = abi_encode_call("set(uint256)", args);
    EXPECT_TRUE(data);
    return data ? *data : Bytes{};
  };

  const Address recipient_a = *parse_address("0x3535353535353535353535353535353535353535");
  const Address recipient_b = *parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  const U256 value_a = 1'234'567;
  const U256 value_b = *u256_from_dec("1000000000000000001");
  const U256 gwei = 1'000'000'000;

  struct Case {
    const char* name;
    Transaction txn;
  };
  std::vector<Case> cases;
  {
    Transaction t;
    t.type = TxType::kLegacy;
    t.chain_id = kAnvilChainId;
    t.nonce = 0;
    t.gas_price = 3 * gwei;
    t.gas_limit = 21'000;
    t.to = recipient_a;
    t.value = value_a;
    cases.push_back({"legacy EIP-155 transfer", t});
  }
  {
    Transaction t;
    t.type = TxType::kDynamicFee;
    t.chain_id = kAnvilChainId;
    t.nonce = 1;
    t.max_priority_fee_per_gas = gwei;
    t.max_fee_per_gas = 5 * gwei;
    t.gas_limit = 21'000;
    t.to = recipient_b;
    t.value = value_b;
    cases.push_back({"EIP-1559 transfer", t});
  }
  {
    Transaction t;
    t.type = TxType::kDynamicFee;
    t.chain_id = kAnvilChainId;
    t.nonce = 2;
    t.max_priority_fee_per_gas = 2 * gwei;
    t.max_fee_per_gas = 5 * gwei;
    t.gas_limit = 200'000;
    t.data = init;
    cases.push_back({"EIP-1559 contract creation", t});
  }
  {
    Transaction t;
    t.type = TxType::kDynamicFee;
    t.chain_id = kAnvilChainId;
    t.nonce = 3;
    t.max_priority_fee_per_gas = gwei;
    t.max_fee_per_gas = 5 * gwei;
    t.gas_limit = 100'000;
    t.to = contract;
    t.data = call_data(first_word);
    cases.push_back({"EIP-1559 contract call", t});
  }
  {
    Transaction t;
    t.type = TxType::kAccessList;
    t.chain_id = kAnvilChainId;
    t.nonce = 4;
    t.gas_price = 3 * gwei;
    t.gas_limit = 100'000;
    t.to = contract;
    t.data = call_data(second_word);
    t.access_list.push_back(AccessListEntry{contract, {Hash32{}}});
    cases.push_back({"EIP-2930 contract call with access list", t});
  }

  // Submit everything to the pool, then mine one block.
  std::vector<SignedTransaction> signed_txns;
  for (const auto& c : cases) {
    const std::string context = std::string(c.name) + ": " + describe_txn(c.txn);
    auto signed_txn = sign_transaction(c.txn, *key);
    ASSERT_TRUE(signed_txn) << context << ": " << signed_txn.error().message();
    const std::string raw_hex = hex_encode(encode_transaction(*signed_txn));
    const auto published = cast({"publish", "--async", "--rpc-url", url, raw_hex});
    ASSERT_TRUE(published.result.ok()) << context << "\n" << published.describe();
    EXPECT_EQ(hex_encode(transaction_hash(*signed_txn)), lower(published.out()))
        << context << "\n"
        << published.describe();
    signed_txns.push_back(*signed_txn);
  }
  const auto mined = cast({"rpc", "--rpc-url", url, "evm_mine"});
  ASSERT_TRUE(mined.result.ok()) << mined.describe();

  std::optional<std::string> block;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& signed_txn = signed_txns[i];
    const std::string hash = hex_encode(transaction_hash(signed_txn));
    const std::string context =
        std::string(cases[i].name) + " " + hash + ": " + describe_txn(signed_txn.txn);

    const auto receipt_run = cast({"receipt", "--rpc-url", url, "--json", hash});
    ASSERT_TRUE(receipt_run.result.ok()) << context << "\n" << receipt_run.describe();
    const auto receipt = parse_json(receipt_run.result.out);
    ASSERT_TRUE(receipt && receipt->is_object()) << context << "\n" << receipt_run.describe();
    EXPECT_EQ("0x1", json_field(*receipt, "status")) << context << "\n" << receipt_run.describe();
    EXPECT_EQ(to_lower_hex(sender), lower(json_field(*receipt, "from"))) << context;
    EXPECT_EQ(hash, json_field(*receipt, "transactionHash")) << context;
    // Everything was pending when we mined, so it all landed in one block.
    if (!block) block = json_field(*receipt, "blockNumber");
    EXPECT_EQ(*block, json_field(*receipt, "blockNumber")) << context;
    if (!signed_txn.txn.to) {
      EXPECT_EQ(to_lower_hex(contract), lower(json_field(*receipt, "contractAddress"))) << context;
    }

    const auto tx_run = cast({"tx", "--rpc-url", url, "--json", hash});
    ASSERT_TRUE(tx_run.result.ok()) << context << "\n" << tx_run.describe();
    const auto node_txn = parse_json(tx_run.result.out);
    ASSERT_TRUE(node_txn && node_txn->is_object()) << context << "\n" << tx_run.describe();
    EXPECT_EQ(to_lower_hex(sender), lower(json_field(*node_txn, "from"))) << context;
    EXPECT_EQ(hash, json_field(*node_txn, "hash")) << context;
    EXPECT_EQ(u256_to_quantity(static_cast<unsigned>(signed_txn.txn.type)),
              json_field(*node_txn, "type"))
        << context;

    // The node's raw bytes for the transaction are ours, and decoding them with our code gives
    // back the sender and hash the node reports.
    const auto raw_run = cast({"tx", "--rpc-url", url, "--raw", hash});
    ASSERT_TRUE(raw_run.result.ok()) << context << "\n" << raw_run.describe();
    EXPECT_EQ(hex_encode(encode_transaction(signed_txn)), lower(raw_run.out())) << context;
    const auto raw = hex_decode(raw_run.out());
    ASSERT_TRUE(raw) << context << "\n" << raw_run.describe();
    const auto decoded = decode_transaction(*raw);
    ASSERT_TRUE(decoded) << context << ": " << decoded.error().message();
    EXPECT_TRUE(*decoded == signed_txn) << context;
    const auto recovered = recover_sender(*decoded);
    ASSERT_TRUE(recovered) << context << ": " << recovered.error().message();
    EXPECT_EQ(lower(json_field(*node_txn, "from")), to_lower_hex(*recovered)) << context;
    EXPECT_EQ(json_field(*node_txn, "hash"), hex_encode(transaction_hash(*decoded))) << context;
  }

  // The effects: balances moved, the contract exists with our runtime and holds the last word.
  const auto balance_a = cast({"balance", "--rpc-url", url, to_lower_hex(recipient_a)});
  ASSERT_TRUE(balance_a.result.ok()) << balance_a.describe();
  EXPECT_EQ(u256_to_dec(value_a), balance_a.out());
  const auto balance_b = cast({"balance", "--rpc-url", url, to_lower_hex(recipient_b)});
  ASSERT_TRUE(balance_b.result.ok()) << balance_b.describe();
  EXPECT_EQ(u256_to_dec(value_b), balance_b.out());
  const auto code = cast({"code", "--rpc-url", url, to_lower_hex(contract)});
  ASSERT_TRUE(code.result.ok()) << code.describe();
  EXPECT_EQ(hex_encode(runtime), lower(code.out()));
  const auto slot = cast({"storage", "--rpc-url", url, to_lower_hex(contract), "0"});
  ASSERT_TRUE(slot.result.ok()) << slot.describe();
  EXPECT_EQ(hex_encode(u256_to_be32(second_word)), lower(slot.out()));
  const auto nonce = cast({"nonce", "--rpc-url", url, to_lower_hex(sender)});
  ASSERT_TRUE(nonce.result.ok()) << nonce.describe();
  EXPECT_EQ(std::to_string(cases.size()), nonce.out());
}

}  // namespace
}  // namespace lottery::eth
