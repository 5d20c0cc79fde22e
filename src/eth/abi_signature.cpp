// SPDX-License-Identifier: Apache-2.0
#include "eth/abi_signature.hpp"

#include "eth/abi_codec.hpp"
#include "eth/keccak.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace lottery::eth {
namespace {

bool is_name_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

bool is_name_char(char c) noexcept {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

}  // namespace

std::string AbiSignature::canonical() const {
  return name + "(" + canonical_type_list(inputs) + ")";
}

Result<AbiSignature> parse_abi_signature(std::string_view text) noexcept {
  const std::size_t open = text.find('(');
  if (open == std::string_view::npos || open == 0 || text.back() != ')') {
    return make_error_code(Errc::kInvalidType);
  }
  const std::string_view name = text.substr(0, open);
  if (!is_name_start(name.front()) || !std::all_of(name.begin(), name.end(), is_name_char)) {
    return make_error_code(Errc::kInvalidType);
  }
  auto inputs = parse_abi_type_list(text.substr(open + 1, text.size() - open - 2));
  if (!inputs) return inputs.error();
  return AbiSignature{std::string(name), std::move(*inputs)};
}

Selector abi_selector(const AbiSignature& signature) noexcept {
  const Hash32 hash = keccak256(std::string_view(signature.canonical()));
  Selector out{};
  std::copy_n(hash.begin(), out.size(), out.begin());
  return out;
}

Result<Selector> abi_selector(std::string_view text) noexcept {
  auto signature = parse_abi_signature(text);
  if (!signature) return signature.error();
  return abi_selector(*signature);
}

Result<Hash32> abi_event_topic(std::string_view text) noexcept {
  auto signature = parse_abi_signature(text);
  if (!signature) return signature.error();
  return keccak256(std::string_view(signature->canonical()));
}

Result<Bytes> abi_encode_call(const AbiSignature& signature,
                              std::span<const AbiValue> args) noexcept {
  auto body = abi_encode(signature.inputs, args);
  if (!body) return body.error();
  const Selector selector = abi_selector(signature);
  Bytes out;
  out.reserve(selector.size() + body->size());
  out.insert(out.end(), selector.begin(), selector.end());
  out.insert(out.end(), body->begin(), body->end());
  return out;
}

Result<Bytes> abi_encode_call(std::string_view text, std::span<const AbiValue> args) noexcept {
  auto signature = parse_abi_signature(text);
  if (!signature) return signature.error();
  return abi_encode_call(*signature, args);
}

Result<AbiList> abi_decode_call(const AbiSignature& signature, ByteView call_data) noexcept {
  const Selector selector = abi_selector(signature);
  if (call_data.size() < selector.size()) return make_error_code(Errc::kTruncated);
  if (!std::equal(selector.begin(), selector.end(), call_data.begin())) {
    return make_error_code(Errc::kInvalidType);
  }
  return abi_decode(signature.inputs, call_data.subspan(selector.size()));
}

}  // namespace lottery::eth
