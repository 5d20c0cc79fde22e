// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for the strict CBOR decoder and the COSE/attestation
// readers on top of it (untrusted: documents users verify, NSM answers).
// Invariants: decoding never crashes or hangs; whatever decodes re-encodes to
// exactly the input (the decoder accepts only the preferred serialisation);
// verification of any input returns a report without throwing.
#include "custody/attestation.hpp"
#include "custody/cbor.hpp"
#include "custody/cose.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const lottery::eth::ByteView input(data, size);
  namespace cbor = lottery::custody::cbor;
  try {
    const cbor::Value value = cbor::decode(input);
    const lottery::eth::Bytes again = cbor::encode(value);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
    (void)cbor::diagnostic(value);
  } catch (const cbor::Error&) {
  }
  try {
    (void)lottery::custody::parse_cose_sign1(input);
  } catch (const cbor::Error&) {
  }
  try {
    (void)lottery::custody::nsm_attestation_document(input);
  } catch (const std::exception&) {
  }
  lottery::custody::VerifyOptions options;
  options.at_time = 1'700'000'000;
  const auto report = lottery::custody::verify_attestation(input, options);
  if (report.ok) std::abort();  // nothing random chains to the AWS root
  return 0;
}
