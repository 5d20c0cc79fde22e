// SPDX-License-Identifier: Apache-2.0
#include "eth/abi_type.hpp"

#include <limits>
#include <utility>

namespace lottery::eth {
namespace {

constexpr std::size_t kSizeMax = std::numeric_limits<std::size_t>::max();

std::size_t saturating_add(std::size_t a, std::size_t b) noexcept {
  return a > kSizeMax - b ? kSizeMax : a + b;
}

std::size_t saturating_mul(std::size_t a, std::size_t b) noexcept {
  if (a == 0 || b == 0) return 0;
  return a > kSizeMax / b ? kSizeMax : a * b;
}

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// Decimal without sign or leading zeros; anything above `max` (or zero) is refused so
// "uint0", "uint007" and "T[0]" never parse.
bool parse_size(std::string_view digits, std::size_t max, std::size_t& out) noexcept {
  if (digits.empty() || digits.front() == '0') return false;
  std::size_t value = 0;
  for (const char c : digits) {
    if (!is_digit(c)) return false;
    const auto digit = static_cast<std::size_t>(c - '0');
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

Result<AbiType> parse_elementary(std::string_view name) noexcept {
  if (name == "address") return AbiType::address();
  if (name == "bool") return AbiType::boolean();
  if (name == "string") return AbiType::string();
  if (name == "bytes") return AbiType::bytes();
  if (name == "uint") return AbiType::uint_n(256);
  if (name == "int") return AbiType::int_n(256);
  std::size_t size = 0;
  if (name.starts_with("uint")) {
    if (parse_size(name.substr(4), 256, size) && size % 8 == 0) return AbiType::uint_n(size);
  } else if (name.starts_with("int")) {
    if (parse_size(name.substr(3), 256, size) && size % 8 == 0) return AbiType::int_n(size);
  } else if (name.starts_with("bytes")) {
    if (parse_size(name.substr(5), 32, size)) return AbiType::fixed_bytes(size);
  }
  return make_error_code(Errc::kInvalidType);
}

// Recursive descent over the canonical grammar:
//   type := ( "(" list ")" | elementary ) ( "[" [size] "]" )*
//   list := type ( "," type )*
class TypeParser {
 public:
  explicit TypeParser(std::string_view text) noexcept : text_(text) {}

  bool at_end() const noexcept { return pos_ == text_.size(); }

  Result<AbiType> parse_type(std::size_t depth) noexcept {
    if (depth > kAbiMaxDepth) return make_error_code(Errc::kTooDeep);
    AbiType type;
    if (peek() == '(') {
      ++pos_;
      auto members = parse_list(depth + 1);
      if (!members) return members.error();
      if (members->empty() || peek() != ')') return make_error_code(Errc::kInvalidType);
      ++pos_;
      type = AbiType::tuple(std::move(*members));
    } else {
      const std::size_t start = pos_;
      while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
      auto elementary = parse_elementary(text_.substr(start, pos_ - start));
      if (!elementary) return elementary.error();
      type = std::move(*elementary);
    }
    while (peek() == '[') {
      if (++depth > kAbiMaxDepth) return make_error_code(Errc::kTooDeep);
      ++pos_;
      const std::size_t start = pos_;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
      if (peek() != ']') return make_error_code(Errc::kInvalidType);
      const std::string_view digits = text_.substr(start, pos_ - start);
      ++pos_;
      if (digits.empty()) {
        type = AbiType::array(std::move(type));
        continue;
      }
      std::size_t len = 0;
      if (!parse_size(digits, kAbiMaxStaticSize, len)) {
        // A well-formed but huge length is "too large", anything else is malformed.
        if (!digits.empty() && digits.front() != '0') return make_error_code(Errc::kTooLarge);
        return make_error_code(Errc::kInvalidType);
      }
      type = AbiType::fixed_array(std::move(type), len);
    }
    if (!type.is_dynamic() && type.head_size() > kAbiMaxStaticSize) {
      return make_error_code(Errc::kTooLarge);
    }
    return type;
  }

  // Members up to (not including) a ')' or the end of the text; empty when there are none.
  Result<std::vector<AbiType>> parse_list(std::size_t depth) noexcept {
    std::vector<AbiType> out;
    if (at_end() || peek() == ')') return out;
    while (true) {
      auto type = parse_type(depth);
      if (!type) return type.error();
      out.push_back(std::move(*type));
      if (peek() != ',') return out;
      ++pos_;
    }
  }

 private:
  static bool is_name_char(char c) noexcept { return (c >= 'a' && c <= 'z') || is_digit(c); }

  char peek() const noexcept { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

AbiType AbiType::uint_n(std::size_t bits) {
  return AbiType{AbiKind::kUint, bits, {}};
}
AbiType AbiType::int_n(std::size_t bits) {
  return AbiType{AbiKind::kInt, bits, {}};
}
AbiType AbiType::address() {
  return AbiType{AbiKind::kAddress, 0, {}};
}
AbiType AbiType::boolean() {
  return AbiType{AbiKind::kBool, 0, {}};
}
AbiType AbiType::fixed_bytes(std::size_t len) {
  return AbiType{AbiKind::kFixedBytes, len, {}};
}
AbiType AbiType::bytes() {
  return AbiType{AbiKind::kBytes, 0, {}};
}
AbiType AbiType::string() {
  return AbiType{AbiKind::kString, 0, {}};
}

AbiType AbiType::array(AbiType element) {
  AbiType out{AbiKind::kArray, 0, {}};
  out.components.push_back(std::move(element));
  return out;
}

AbiType AbiType::fixed_array(AbiType element, std::size_t len) {
  AbiType out{AbiKind::kFixedArray, len, {}};
  out.components.push_back(std::move(element));
  return out;
}

AbiType AbiType::tuple(std::vector<AbiType> members) {
  return AbiType{AbiKind::kTuple, 0, std::move(members)};
}

bool AbiType::is_dynamic() const noexcept {
  switch (kind) {
    case AbiKind::kBytes:
    case AbiKind::kString:
    case AbiKind::kArray:
      return true;
    case AbiKind::kFixedArray:
    case AbiKind::kTuple:
      for (const auto& c : components) {
        if (c.is_dynamic()) return true;
      }
      return false;
    default:
      return false;
  }
}

std::size_t AbiType::head_size() const noexcept {
  if (is_dynamic()) return 32;
  switch (kind) {
    case AbiKind::kFixedArray:
      return components.empty() ? 0 : saturating_mul(components.front().head_size(), size);
    case AbiKind::kTuple: {
      std::size_t total = 0;
      for (const auto& c : components) total = saturating_add(total, c.head_size());
      return total;
    }
    default:
      return 32;
  }
}

bool AbiType::is_value_type() const noexcept {
  switch (kind) {
    case AbiKind::kUint:
    case AbiKind::kInt:
    case AbiKind::kAddress:
    case AbiKind::kBool:
    case AbiKind::kFixedBytes:
      return true;
    default:
      return false;
  }
}

std::string AbiType::canonical() const {
  switch (kind) {
    case AbiKind::kUint:
      return "uint" + std::to_string(size);
    case AbiKind::kInt:
      return "int" + std::to_string(size);
    case AbiKind::kAddress:
      return "address";
    case AbiKind::kBool:
      return "bool";
    case AbiKind::kFixedBytes:
      return "bytes" + std::to_string(size);
    case AbiKind::kBytes:
      return "bytes";
    case AbiKind::kString:
      return "string";
    case AbiKind::kArray:
      return (components.empty() ? std::string{} : components.front().canonical()) + "[]";
    case AbiKind::kFixedArray:
      return (components.empty() ? std::string{} : components.front().canonical()) + "[" +
             std::to_string(size) + "]";
    case AbiKind::kTuple:
      return "(" + canonical_type_list(components) + ")";
  }
  return {};
}

Result<AbiType> parse_abi_type(std::string_view text) noexcept {
  TypeParser parser(text);
  auto type = parser.parse_type(1);
  if (!type) return type.error();
  if (!parser.at_end()) return make_error_code(Errc::kInvalidType);
  return type;
}

Result<std::vector<AbiType>> parse_abi_type_list(std::string_view text) noexcept {
  TypeParser parser(text);
  auto types = parser.parse_list(1);
  if (!types) return types.error();
  if (!parser.at_end()) return make_error_code(Errc::kInvalidType);
  return types;
}

std::string canonical_type_list(const std::vector<AbiType>& types) {
  std::string out;
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (i != 0) out += ',';
    out += types[i].canonical();
  }
  return out;
}

}  // namespace lottery::eth
