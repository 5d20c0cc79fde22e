// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: arbitrary bytes into the strict ABI decoder (several fixed type lists,
// including nested dynamic ones), the revert-reason decoder and the type parser. The decoder
// accepts only canonical encodings, so every accepted input must re-encode to exactly the
// same bytes; any mismatch aborts.
#include "eth/abi_codec.hpp"
#include "eth/abi_event.hpp"
#include "eth/abi_revert.hpp"
#include "eth/abi_type.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace {

using namespace lottery::eth;

void require(bool ok) {
  if (!ok) std::abort();
}

const std::vector<std::vector<AbiType>>& type_lists() {
  static const std::vector<std::vector<AbiType>> lists = [] {
    std::vector<std::vector<AbiType>> out;
    for (const std::string_view text : {
             "uint256",
             "string",
             "int8,bool,address,bytes32,bytes3,uint40",
             "address[],uint256[]",
             "bytes,bool,uint256[]",
             "uint256,uint32[],bytes10,bytes",
             "uint256[][],string[]",
             "(uint8,int16,bytes)[2][],(string,address[])",
             "bytes3[2],(bool,(string[],int256))[]",
         }) {
      auto types = parse_abi_type_list(text);
      require(types.has_value());
      out.push_back(std::move(*types));
    }
    return out;
  }();
  return lists;
}

AbiEvent transfer_event() {
  auto event = parse_abi_event("Transfer(address indexed from,address indexed to,uint256 value)");
  require(event.has_value());
  return *event;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  for (const auto& types : type_lists()) {
    const auto decoded = abi_decode(types, input);
    if (!decoded) continue;
    const auto encoded = abi_encode(types, *decoded);
    require(encoded.has_value());
    require(*encoded == Bytes(input.begin(), input.end()));
  }

  // Revert data: decoding never crashes and describing never fails.
  const auto reason = decode_revert(input);
  const std::string text = describe_revert(input);
  require(!text.empty());
  if (reason && reason->kind == RevertReason::Kind::kError) {
    require(text.rfind("reverted: ", 0) == 0);
  }

  // Log: the first 96 bytes as topics when there are enough, the rest as data.
  static const AbiEvent event = transfer_event();
  if (size >= 96) {
    std::vector<Hash32> topics(3);
    for (std::size_t i = 0; i < 3; ++i) {
      for (std::size_t k = 0; k < 32; ++k) topics[i][k] = data[i * 32 + k];
    }
    topics[0] = event.topic0();
    const auto fields = abi_decode_log(event, topics, input.subspan(96));
    if (fields) require(fields->size() == 3);
  }

  // Type strings: whatever parses has a canonical form that parses to the same tree.
  const std::string_view as_text(reinterpret_cast<const char*>(data), size);
  if (size <= 256) {
    const auto type = parse_abi_type(as_text);
    if (type) {
      const auto again = parse_abi_type(type->canonical());
      require(again.has_value() && *again == *type);
    }
  }
  return 0;
}
