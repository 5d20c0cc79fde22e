// SPDX-License-Identifier: Apache-2.0
#include "logging/redact.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace lottery::logging {
namespace {

struct Secret {
  std::string needle;  // lower-case hex body without "0x" when `hex`, else the exact text
  bool hex = false;
};

struct Registry {
  std::shared_mutex mutex;
  std::vector<Secret> secrets;
  // Read without the lock so that `redact` costs almost nothing in the usual
  // case of a process that has no secret (or before the key is loaded).
  std::atomic<std::size_t> count{0};
};

Registry& registry() {
  // Function-local so that logging from static initialisers elsewhere is safe.
  static Registry instance;
  return instance;
}

bool is_hex_digit(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

char to_lower_ascii(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower_copy(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), to_lower_ascii);
  return out;
}

std::string_view strip_hex_prefix(std::string_view text) noexcept {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
  }
  return text;
}

Secret make_secret(std::string_view raw) {
  const std::string_view body = strip_hex_prefix(raw);
  if (body.size() >= kMinSecretLength && std::all_of(body.begin(), body.end(), is_hex_digit)) {
    return Secret{lower_copy(body), true};
  }
  return Secret{std::string(raw), false};
}

// Replaces every hit of `secret` in `text`. For hex secrets the search runs on
// a lower-cased copy (same length, so offsets carry over) and a "0x" right
// before a hit is swallowed too, so the output never shows a dangling prefix.
std::string replace_all(std::string_view text, const Secret& secret) {
  const std::string lowered = secret.hex ? lower_copy(text) : std::string();
  const std::string_view haystack = secret.hex ? std::string_view(lowered) : text;
  std::string out;
  std::size_t last = 0;
  std::size_t pos = haystack.find(secret.needle);
  if (pos == std::string_view::npos) return std::string(text);
  while (pos != std::string_view::npos) {
    std::size_t start = pos;
    if (secret.hex && start >= last + 2 && haystack.substr(start - 2, 2) == "0x") start -= 2;
    out.append(text.substr(last, start - last));
    out.append(kRedacted);
    last = pos + secret.needle.size();
    pos = haystack.find(secret.needle, last);
  }
  out.append(text.substr(last));
  return out;
}

}  // namespace

void register_secret(std::string_view secret) {
  Secret entry = make_secret(secret);
  if (entry.needle.size() < kMinSecretLength) return;
  Registry& reg = registry();
  const std::unique_lock lock(reg.mutex);
  for (const Secret& s : reg.secrets) {
    if (s.hex == entry.hex && s.needle == entry.needle) return;
  }
  reg.secrets.push_back(std::move(entry));
  // Longer secrets first: if one secret contains another, the longer one must
  // be replaced whole before the shorter one cuts it apart.
  std::stable_sort(reg.secrets.begin(), reg.secrets.end(), [](const Secret& a, const Secret& b) {
    return a.needle.size() > b.needle.size();
  });
  reg.count.store(reg.secrets.size(), std::memory_order_release);
}

std::string redact(std::string_view text) {
  Registry& reg = registry();
  if (reg.count.load(std::memory_order_acquire) == 0) return std::string(text);
  const std::shared_lock lock(reg.mutex);
  std::string out(text);
  for (const Secret& s : reg.secrets) out = replace_all(out, s);
  return out;
}

bool contains_secret(std::string_view text) {
  Registry& reg = registry();
  if (reg.count.load(std::memory_order_acquire) == 0) return false;
  const std::shared_lock lock(reg.mutex);
  std::string lowered;
  for (const Secret& s : reg.secrets) {
    if (s.hex) {
      if (lowered.empty()) lowered = lower_copy(text);
      if (lowered.find(s.needle) != std::string::npos) return true;
    } else if (text.find(s.needle) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

std::size_t secret_count() noexcept {
  return registry().count.load(std::memory_order_acquire);
}

void clear_secrets_for_testing() {
  Registry& reg = registry();
  const std::unique_lock lock(reg.mutex);
  reg.secrets.clear();
  reg.count.store(0, std::memory_order_release);
}

}  // namespace lottery::logging
