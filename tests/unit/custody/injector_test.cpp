// SPDX-License-Identifier: Apache-2.0
// ECIES round trips and every refusal of POST /api/set_operator_key.
#include "custody/injector.hpp"
#include "custody/key_source.hpp"
#include "eth/hex.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <atomic>
#include <barrier>
#include <string>
#include <thread>
#include <vector>

namespace lottery::custody {
namespace {

namespace json = boost::json;

// Anvil's well-known development accounts 0 and 1 (never used on a real chain).
constexpr std::string_view kKey0 =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr std::string_view kAddr0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
constexpr std::string_view kKey1 =
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

eth::ByteView text_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

eth::Address address(std::string_view text) {
  return eth::parse_address(text).value();
}

std::string body_for(eth::ByteView blob) {
  return json::serialize(json::object{{"encrypted_private_key", base64_encode(blob)}});
}

json::object parse(const HttpAnswer& answer) {
  return json::parse(answer.body).as_object();
}

struct Harness {
  std::vector<eth::Address> installed;
  std::mutex mutex;
  std::chrono::steady_clock::time_point now{};

  InjectorOptions options() {
    InjectorOptions o;
    o.operator_address = address(kAddr0);
    o.sink = [this](eth::PrivateKey key) {
      std::lock_guard lock(mutex);
      installed.push_back(key.address());
    };
    o.clock = [this] { return now; };
    o.now_ms = [] { return std::int64_t{1'700'000'000'000}; };
    return o;
  }
};

TEST(Base64, RoundTripAndStrictness) {
  for (std::size_t n = 0; n < 10; ++n) {
    eth::Bytes data(n);
    for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<std::uint8_t>(i * 37 + 1);
    const std::string enc = base64_encode(data);
    EXPECT_EQ(base64_decode(enc), data);
  }
  EXPECT_EQ(base64_encode(text_bytes("foobar")), "Zm9vYmFy");  // RFC 4648 §10
  EXPECT_EQ(base64_encode(text_bytes("fo")), "Zm8=");
  EXPECT_FALSE(base64_decode("Zm8"));       // missing padding
  EXPECT_FALSE(base64_decode("Zm9=Zm8="));  // padding in the middle
  EXPECT_FALSE(base64_decode("Zm9!"));      // not in the alphabet
  EXPECT_FALSE(base64_decode("Zm-_"));      // URL-safe alphabet
  EXPECT_FALSE(base64_decode("Zm9="));      // non-zero unused bits
  EXPECT_FALSE(base64_decode("Zm8=\n"));
}

TEST(Ecies, RoundTrip) {
  const P384KeyPair recipient = P384KeyPair::generate();
  EXPECT_EQ(recipient.public_key_hex().size(), 194u);
  EXPECT_EQ(recipient.public_key_hex().substr(0, 2), "04");
  EXPECT_NE(recipient.public_key_pem().find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
  const eth::Bytes blob = ecies_encrypt(recipient.public_key(), text_bytes(kKey0));
  EXPECT_EQ(blob.size(), kEciesOverhead + kKey0.size());
  auto out = ecies_decrypt(recipient, blob);
  ASSERT_TRUE(std::holds_alternative<SecretBytes>(out));
  EXPECT_EQ(std::get<SecretBytes>(out).chars(), kKey0);
  // Fresh ephemeral key and nonce every time.
  EXPECT_NE(ecies_encrypt(recipient.public_key(), text_bytes(kKey0)), blob);
  EXPECT_THROW(ecies_encrypt(eth::Bytes(97, 4), text_bytes(kKey0)), std::invalid_argument);
}

TEST(Ecies, EveryTamperedByteIsRefused) {
  const P384KeyPair recipient = P384KeyPair::generate();
  const eth::Bytes blob = ecies_encrypt(recipient.public_key(), text_bytes(kKey0));
  for (std::size_t i = 0; i < blob.size(); ++i) {
    eth::Bytes bad = blob;
    bad[i] ^= 0x01;
    auto out = ecies_decrypt(recipient, bad);
    ASSERT_TRUE(std::holds_alternative<EciesError>(out)) << "byte " << i;
    const EciesError e = std::get<EciesError>(out);
    if (i < kP384PublicKeySize) {
      EXPECT_TRUE(e == EciesError::kInvalidEphemeralKey || e == EciesError::kAuthenticationFailed);
    } else {
      // Nonce, ciphertext, tag and HMAC are all covered by the HMAC, checked first.
      EXPECT_EQ(e, EciesError::kAuthenticationFailed) << "byte " << i;
    }
  }
}

TEST(Ecies, GcmTagIsCheckedWhenTheHmacIsValid) {
  // A sender that holds the MAC key but corrupts the GCM tag: only GCM catches it.
  const P384KeyPair recipient = P384KeyPair::generate();
  const P384KeyPair ephemeral = P384KeyPair::generate();
  const SecretBytes z = ephemeral.shared_secret(recipient.public_key());
  const SecretBytes mac_key = hkdf_sha256(z.view(), {}, text_bytes(kMacKeyInfo), 32);
  eth::Bytes blob(ephemeral.public_key().begin(), ephemeral.public_key().end());
  const eth::Bytes rest(kGcmNonceSize + 66 + kGcmTagSize, 0x5a);
  blob.insert(blob.end(), rest.begin(), rest.end());
  const auto mac = hmac_sha256(mac_key.view(), blob);
  blob.insert(blob.end(), mac.begin(), mac.end());
  auto out = ecies_decrypt(recipient, blob);
  ASSERT_TRUE(std::holds_alternative<EciesError>(out));
  EXPECT_EQ(std::get<EciesError>(out), EciesError::kDecryptionFailed);
}

TEST(Ecies, LengthsAndEphemeralKeys) {
  const P384KeyPair recipient = P384KeyPair::generate();
  EXPECT_EQ(std::get<EciesError>(ecies_decrypt(recipient, eth::Bytes(kEciesOverhead, 1))),
            EciesError::kInvalidLength);
  EXPECT_EQ(std::get<EciesError>(ecies_decrypt(recipient, eth::Bytes(kEciesOverhead + 300, 1))),
            EciesError::kInvalidLength);
  // A valid point of another key pair in place of the ephemeral key: HMAC fails.
  eth::Bytes blob = ecies_encrypt(recipient.public_key(), text_bytes(kKey0));
  const P384KeyPair other = P384KeyPair::generate();
  std::copy(other.public_key().begin(), other.public_key().end(), blob.begin());
  EXPECT_EQ(std::get<EciesError>(ecies_decrypt(recipient, blob)),
            EciesError::kAuthenticationFailed);
  // Compressed-point prefix and an off-curve point.
  blob[0] = 0x02;
  EXPECT_EQ(std::get<EciesError>(ecies_decrypt(recipient, blob)), EciesError::kInvalidEphemeralKey);
  blob[0] = 0x04;
  blob[96] ^= 0x01;
  EXPECT_EQ(std::get<EciesError>(ecies_decrypt(recipient, blob)), EciesError::kInvalidEphemeralKey);
  // Encrypted to another recipient.
  const eth::Bytes elsewhere = ecies_encrypt(other.public_key(), text_bytes(kKey0));
  EXPECT_EQ(std::get<EciesError>(ecies_decrypt(recipient, elsewhere)),
            EciesError::kAuthenticationFailed);
}

TEST(KeyInjector, PublicKeyJson) {
  Harness harness;
  KeyInjector injector(harness.options());
  const json::object o = json::parse(injector.public_key_json()).as_object();
  EXPECT_EQ(o.at("curve").as_string(), "secp384r1");
  EXPECT_EQ(o.at("key_size").as_int64(), 384);
  EXPECT_EQ(o.at("timestamp").as_int64(), 1'700'000'000'000);
  const std::string hex(o.at("public_key_hex").as_string());
  EXPECT_EQ(hex, injector.key_pair().public_key_hex());
  EXPECT_EQ(hex.size(), 194u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(std::string(o.at("public_key_pem").as_string()).find("BEGIN PUBLIC KEY"),
            std::string::npos);
  EXPECT_TRUE(o.at("usage").is_string());
}

TEST(KeyInjector, AcceptsOnceThenRefuses403) {
  Harness harness;
  KeyInjector injector(harness.options());
  const auto pub = injector.key_pair().public_key();
  testing::internal::CaptureStderr();
  testing::internal::CaptureStdout();
  const HttpAnswer ok =
      injector.handle_set_operator_key(body_for(ecies_encrypt(pub, text_bytes(kKey0))), "10.0.0.1");
  const HttpAnswer again =
      injector.handle_set_operator_key(body_for(ecies_encrypt(pub, text_bytes(kKey0))), "10.0.0.1");
  const std::string logged =
      testing::internal::GetCapturedStderr() + testing::internal::GetCapturedStdout();
  EXPECT_EQ(ok.status, 200) << ok.body;
  const json::object o = parse(ok);
  EXPECT_EQ(o.at("success").as_bool(), true);
  EXPECT_EQ(o.at("operator_address").as_string(), kAddr0);
  EXPECT_TRUE(o.at("message").is_string());
  EXPECT_EQ(o.at("timestamp").as_int64(), 1'700'000'000'000);
  ASSERT_EQ(harness.installed.size(), 1u);
  EXPECT_EQ(harness.installed[0], address(kAddr0));
  EXPECT_TRUE(injector.closed());

  EXPECT_EQ(again.status, 403);
  EXPECT_EQ(parse(again).at("success").as_bool(), false);
  EXPECT_EQ(parse(again).at("error").as_string(), "already_set");
  EXPECT_EQ(harness.installed.size(), 1u);

  // The key appears in no answer and no log line.
  const std::string secret(kKey0.substr(2));
  for (const std::string* text : {&ok.body, &again.body, &logged}) {
    EXPECT_EQ(text->find(secret), std::string::npos);
    EXPECT_EQ(text->find(secret.substr(0, 16)), std::string::npos);
  }
}

TEST(KeyInjector, ClearFourHundreds) {
  Harness harness;
  InjectorOptions options = harness.options();
  options.max_attempts = 0;  // this test makes many attempts
  KeyInjector injector(std::move(options));
  const auto pub = injector.key_pair().public_key();
  const eth::Bytes good = ecies_encrypt(pub, text_bytes(kKey0));

  auto expect = [&](const std::string& body, std::string_view code) {
    const HttpAnswer a = injector.handle_set_operator_key(body, "10.0.0.2");
    EXPECT_EQ(a.status, 400) << body;
    const json::object o = parse(a);
    EXPECT_EQ(o.at("success").as_bool(), false);
    EXPECT_EQ(o.at("error").as_string(), code) << a.body;
    EXPECT_FALSE(std::string(o.at("message").as_string()).empty());
  };
  expect("not json", "invalid_request");
  expect("{}", "invalid_request");
  expect(R"({"encrypted_private_key": 5})", "invalid_request");
  expect(R"({"encrypted_private_key": "@@@@"})", "invalid_base64");
  expect(R"({"encrypted_private_key": "QUJD"})", "invalid_length");
  expect(R"({"encrypted_private_key": ")" + std::string(2000, 'A') + "\"}", "invalid_length");

  eth::Bytes truncated = good;
  truncated.pop_back();
  expect(body_for(truncated), "authentication_failed");
  eth::Bytes ct = good;
  ct[kP384PublicKeySize + kGcmNonceSize + 3] ^= 0x80;
  expect(body_for(ct), "authentication_failed");
  eth::Bytes mac = good;
  mac.back() ^= 0x01;
  expect(body_for(mac), "authentication_failed");
  eth::Bytes tag = good;
  tag[good.size() - kHmacSize - 1] ^= 0x01;
  expect(body_for(tag), "authentication_failed");
  eth::Bytes eph = good;
  eph[50] ^= 0x01;
  expect(body_for(eph), "invalid_ephemeral_key");

  expect(body_for(ecies_encrypt(pub, text_bytes(kKey0.substr(2)))), "invalid_key_format");
  expect(body_for(ecies_encrypt(pub, text_bytes("0x" + std::string(63, 'a') + "g"))),
         "invalid_key_format");
  expect(body_for(ecies_encrypt(pub, text_bytes("0x" + std::string(64, '0')))), "invalid_key");
  expect(body_for(ecies_encrypt(pub, text_bytes(kKey1))), "wrong_key");
  const P384KeyPair other = P384KeyPair::generate();
  expect(body_for(ecies_encrypt(other.public_key(), text_bytes(kKey0))), "authentication_failed");

  EXPECT_TRUE(harness.installed.empty());
  EXPECT_FALSE(injector.closed());
  // After all that, the real key still goes in.
  EXPECT_EQ(injector.handle_set_operator_key(body_for(good), "10.0.0.2").status, 200);
}

TEST(KeyInjector, ConcurrentInjectionsExactlyOneSucceeds) {
  Harness harness;
  KeyInjector injector(harness.options());
  const auto pub = injector.key_pair().public_key();
  constexpr int kThreads = 8;
  std::vector<std::string> bodies;
  for (int i = 0; i < kThreads; ++i)
    bodies.push_back(body_for(ecies_encrypt(pub, text_bytes(kKey0))));
  std::atomic<int> ok{0};
  std::atomic<int> forbidden{0};
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      const HttpAnswer a = injector.handle_set_operator_key(bodies[static_cast<std::size_t>(i)],
                                                            "10.1.0." + std::to_string(i));
      if (a.status == 200) ++ok;
      if (a.status == 403) ++forbidden;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(forbidden.load(), kThreads - 1);
  EXPECT_EQ(harness.installed.size(), 1u);
}

TEST(KeyInjector, RateLimitPerClient) {
  Harness harness;
  InjectorOptions options = harness.options();
  options.max_attempts = 3;
  options.window = std::chrono::seconds(60);
  KeyInjector injector(std::move(options));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(injector.handle_set_operator_key("{}", "10.0.0.3").status, 400);
  }
  const HttpAnswer limited = injector.handle_set_operator_key("{}", "10.0.0.3");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(parse(limited).at("error").as_string(), "rate_limited");
  // A valid key from the limited client is refused too, without being looked at.
  const auto pub = injector.key_pair().public_key();
  EXPECT_EQ(
      injector.handle_set_operator_key(body_for(ecies_encrypt(pub, text_bytes(kKey0))), "10.0.0.3")
          .status,
      429);
  EXPECT_TRUE(harness.installed.empty());
  // Other clients are not affected; the window expires.
  EXPECT_EQ(injector.handle_set_operator_key("{}", "10.0.0.4").status, 400);
  harness.now += std::chrono::seconds(61);
  EXPECT_EQ(
      injector.handle_set_operator_key(body_for(ecies_encrypt(pub, text_bytes(kKey0))), "10.0.0.3")
          .status,
      200);
}

TEST(KeyInjector, TrackedClientsAreBounded) {
  Harness harness;
  InjectorOptions options = harness.options();
  options.max_attempts = 1;
  options.max_clients = 4;
  KeyInjector injector(std::move(options));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(injector.handle_set_operator_key("{}", "10.2.0." + std::to_string(i)).status, 400);
  }
  EXPECT_EQ(injector.handle_set_operator_key("{}", "10.2.0.99").status, 429);
  harness.now += std::chrono::seconds(61);
  EXPECT_EQ(injector.handle_set_operator_key("{}", "10.2.0.99").status, 400);
}

TEST(KeyInjector, AddressFromTheContractWhenNotConfigured) {
  Harness harness;
  std::optional<eth::Address> on_chain;
  InjectorOptions options = harness.options();
  options.operator_address.reset();
  options.contract_operator = [&] { return on_chain; };
  KeyInjector injector(std::move(options));
  const auto pub = injector.key_pair().public_key();
  const HttpAnswer unknown =
      injector.handle_set_operator_key(body_for(ecies_encrypt(pub, text_bytes(kKey0))), "10.0.0.5");
  EXPECT_EQ(unknown.status, 503);
  EXPECT_EQ(parse(unknown).at("error").as_string(), "operator_unknown");
  on_chain = address(kAddr0);
  EXPECT_EQ(
      injector.handle_set_operator_key(body_for(ecies_encrypt(pub, text_bytes(kKey1))), "10.0.0.5")
          .status,
      400);
  EXPECT_EQ(
      injector.handle_set_operator_key(body_for(ecies_encrypt(pub, text_bytes(kKey0))), "10.0.0.5")
          .status,
      200);
}

TEST(KeyInjector, ConfiguredKeyClosesInjection) {
  Harness harness;
  InjectorOptions options = harness.options();
  config::BlockchainSettings settings;
  EXPECT_TRUE(plan_key_source(settings).injection_open());
  settings.operator_private_key = std::string(kKey0);
  const KeyPlan plan = plan_key_source(settings);
  EXPECT_FALSE(plan.injection_open());
  EXPECT_EQ(plan.description.find(kKey0.substr(2, 16)), std::string::npos);
  options.key_configured = !plan.injection_open();
  KeyInjector injector(std::move(options));
  const auto pub = injector.key_pair().public_key();
  EXPECT_EQ(
      injector.handle_set_operator_key(body_for(ecies_encrypt(pub, text_bytes(kKey0))), "10.0.0.6")
          .status,
      403);
  EXPECT_TRUE(harness.installed.empty());
}

TEST(KeyInjector, FailingSinkKeepsInjectionOpen) {
  Harness harness;
  InjectorOptions options = harness.options();
  int calls = 0;
  options.sink = [&](eth::PrivateKey) {
    if (++calls == 1) throw std::runtime_error("busy");
  };
  KeyInjector injector(std::move(options));
  const auto pub = injector.key_pair().public_key();
  EXPECT_EQ(
      injector.handle_set_operator_key(body_for(ecies_encrypt(pub, text_bytes(kKey0))), "a").status,
      500);
  EXPECT_FALSE(injector.closed());
  EXPECT_EQ(
      injector.handle_set_operator_key(body_for(ecies_encrypt(pub, text_bytes(kKey0))), "a").status,
      200);
}

TEST(SecretBytes, WipesAndMoves) {
  SecretBytes a(eth::Bytes{1, 2, 3, 4});
  EXPECT_EQ(a.size(), 4u);
  SecretBytes b = std::move(a);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_EQ(b.view()[3], 4);
  b.shrink(2);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_TRUE(constant_time_equal(b.view(), eth::Bytes{1, 2}));
  EXPECT_FALSE(constant_time_equal(b.view(), eth::Bytes{1, 3}));
  EXPECT_FALSE(constant_time_equal(b.view(), eth::Bytes{1, 2, 3}));
}

}  // namespace
}  // namespace lottery::custody
