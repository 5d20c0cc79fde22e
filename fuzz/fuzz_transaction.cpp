// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: arbitrary bytes into the raw transaction decoder. Every accepted input must
// re-encode to itself byte for byte (so its hash is well defined), and hashing and sender
// recovery must run without crashing; a decoded signature is in range, so recovery can only fail
// when no public key matches.
#include "eth/transaction.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

using namespace lottery::eth;

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  auto decoded = decode_transaction(input);
  if (!decoded) return 0;
  require(encode_transaction(*decoded) == Bytes(input.begin(), input.end()));
  require(check_signature(decoded->signature).has_value());
  (void)transaction_hash(*decoded);
  auto sender = recover_sender(*decoded);
  if (!sender) require(sender.error() == make_error_code(Errc::kInvalidSignature));
  return 0;
}
