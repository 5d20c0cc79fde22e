// SPDX-License-Identifier: Apache-2.0
#include "custody/injector.hpp"

#include "logging/log.hpp"

#include <boost/json.hpp>

#include <array>
#include <exception>

namespace lottery::custody {
namespace {

namespace json = boost::json;

constexpr std::string_view kComponent = "custody";
// "0x" + 64 hex digits: the only plaintext the format allows.
constexpr std::size_t kKeyTextSize = 66;
// The encrypted key in base64 is about 300 characters; anything far larger is not one.
constexpr std::size_t kMaxEncodedSize = 1024;

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses "0x" + 64 hex digits into 32 locked bytes without any other copy.
std::optional<SecretBytes> parse_key_text(const SecretBytes& text) {
  if (text.size() != kKeyTextSize) return std::nullopt;
  const std::string_view s = text.chars();
  if (s[0] != '0' || s[1] != 'x') return std::nullopt;
  SecretBytes out(32);
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = hex_digit(s[2 + 2 * i]);
    const int lo = hex_digit(s[3 + 2 * i]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.data()[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

std::int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

KeyInjector::KeyInjector(InjectorOptions options)
    : KeyInjector(P384KeyPair::generate(), std::move(options)) {}

KeyInjector::KeyInjector(P384KeyPair keys, InjectorOptions options)
    : keys_(std::move(keys)), options_(std::move(options)), closed_(options_.key_configured) {
  if (!options_.clock) options_.clock = [] { return std::chrono::steady_clock::now(); };
  if (!options_.now_ms) options_.now_ms = system_ms;
}

std::int64_t KeyInjector::now_ms() const {
  return options_.now_ms();
}

std::string KeyInjector::public_key_json() const {
  json::object o;
  o["public_key_pem"] = keys_.public_key_pem();
  o["public_key_hex"] = keys_.public_key_hex();
  o["curve"] = "secp384r1";
  o["key_size"] = 384;
  o["usage"] =
      "ECIES: encrypt the operator private key (\"0x\" + 64 hex) to this key with an ephemeral "
      "secp384r1 key, HKDF-SHA256 (info \"ecies-aes-key\" / \"ecies-hmac-key\"), AES-256-GCM and "
      "HMAC-SHA256, then POST {\"encrypted_private_key\": base64} to /api/set_operator_key";
  o["timestamp"] = now_ms();
  return json::serialize(o);
}

bool KeyInjector::closed() const {
  std::lock_guard lock(inject_mutex_);
  return closed_;
}

void KeyInjector::close() {
  std::lock_guard lock(inject_mutex_);
  closed_ = true;
}

bool KeyInjector::allow_attempt(std::string_view client_ip) {
  if (options_.max_attempts == 0) return true;
  const auto now = options_.clock();
  std::lock_guard lock(rate_mutex_);
  auto it = windows_.find(client_ip);
  if (it == windows_.end()) {
    if (windows_.size() >= options_.max_clients) {
      std::erase_if(windows_,
                    [&](const auto& entry) { return now - entry.second.start >= options_.window; });
      if (windows_.size() >= options_.max_clients) return false;
    }
    it = windows_.emplace(std::string(client_ip), Window{now, 0}).first;
  }
  Window& w = it->second;
  if (now - w.start >= options_.window) w = Window{now, 0};
  if (w.attempts >= options_.max_attempts) return false;
  ++w.attempts;
  return true;
}

HttpAnswer KeyInjector::failure(int status, std::string_view code, std::string_view message,
                                std::string_view client_ip) const {
  logging::log_warn(kComponent, "operator key injection refused",
                    {{"client", client_ip}, {"error", code}, {"status", status}});
  json::object o;
  o["success"] = false;
  o["error"] = code;
  o["message"] = message;
  o["timestamp"] = now_ms();
  return {status, json::serialize(o)};
}

HttpAnswer KeyInjector::handle_set_operator_key(std::string_view body, std::string_view client_ip) {
  if (!allow_attempt(client_ip)) {
    return failure(429, "rate_limited",
                   "Too many key injection attempts from this client; wait and try again.",
                   client_ip);
  }
  // One injection at a time: whoever holds the lock decides, the next sees closed_.
  std::lock_guard lock(inject_mutex_);
  if (closed_) {
    return failure(403, "already_set",
                   "An operator key is already installed; it can be set only once per process.",
                   client_ip);
  }

  boost::system::error_code ec;
  const json::value doc = json::parse(body, ec);
  const json::value* field =
      !ec && doc.is_object() ? doc.as_object().if_contains("encrypted_private_key") : nullptr;
  if (field == nullptr || !field->is_string()) {
    return failure(400, "invalid_request",
                   "Send a JSON object {\"encrypted_private_key\": \"<base64>\"}.", client_ip);
  }
  const json::string& encoded = field->as_string();
  if (encoded.size() > kMaxEncodedSize) {
    return failure(400, "invalid_length", "The encrypted key is far too long.", client_ip);
  }
  const auto message = base64_decode(std::string_view(encoded.data(), encoded.size()));
  if (!message) {
    return failure(400, "invalid_base64",
                   "encrypted_private_key is not valid standard base64 (with padding).", client_ip);
  }

  auto decrypted = ecies_decrypt(keys_, *message, 128);
  if (const auto* error = std::get_if<EciesError>(&decrypted)) {
    std::string_view text;
    switch (*error) {
      case EciesError::kInvalidLength:
        text =
            "The encrypted key has the wrong length for ephemeral key, nonce, ciphertext, tag "
            "and HMAC.";
        break;
      case EciesError::kInvalidEphemeralKey:
        text = "The ephemeral public key is not an uncompressed secp384r1 point.";
        break;
      case EciesError::kAuthenticationFailed:
        text =
            "The HMAC does not match: the message was altered or encrypted to another key "
            "(fetch /api/get_pub_key again).";
        break;
      case EciesError::kDecryptionFailed:
        text = "The ciphertext does not decrypt (GCM tag mismatch).";
        break;
    }
    return failure(400, ecies_error_code(*error), text, client_ip);
  }
  const SecretBytes plaintext = std::move(std::get<SecretBytes>(decrypted));
  const auto raw = parse_key_text(plaintext);
  if (!raw) {
    return failure(400, "invalid_key_format",
                   "The decrypted key must be \"0x\" followed by 64 hex digits.", client_ip);
  }
  auto key = eth::PrivateKey::from_bytes(raw->view());
  if (!key) {
    return failure(400, "invalid_key", "The decrypted value is not a valid secp256k1 private key.",
                   client_ip);
  }
  const eth::Address address = key->address();

  std::optional<eth::Address> expected = options_.operator_address;
  if (!expected && options_.contract_operator) expected = options_.contract_operator();
  if (!expected) {
    return failure(503, "operator_unknown",
                   "The operator address is not known yet (no BLOCKCHAIN_OPERATOR_ADDRESS and the "
                   "contract has not been read); try again shortly.",
                   client_ip);
  }
  if (*expected != address) {
    return failure(
        400, "wrong_key",
        "The key does not belong to the operator address " + eth::to_checksum(*expected) + ".",
        client_ip);
  }

  try {
    if (options_.sink) options_.sink(std::move(*key));
  } catch (const std::exception&) {
    return failure(500, "install_failed", "The key could not be installed; try again.", client_ip);
  }
  closed_ = true;
  logging::log_info(kComponent, "operator key injected",
                    {{"address", eth::to_checksum(address)}, {"client", client_ip}});
  json::object o;
  o["success"] = true;
  o["operator_address"] = eth::to_checksum(address);
  o["message"] = "Operator key installed; the operator is now active.";
  o["timestamp"] = now_ms();
  return {200, json::serialize(o)};
}

}  // namespace lottery::custody
