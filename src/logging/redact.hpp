// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lottery::logging {

/// What a redacted secret is replaced with, everywhere.
inline constexpr std::string_view kRedacted = "[REDACTED]";

/// Secrets shorter than this are ignored by `register_secret`: redacting every
/// occurrence of a 3-character string would mangle ordinary output.
inline constexpr std::size_t kMinSecretLength = 8;

/// Adds `secret` to the process-wide registry. From then on `redact` (and so
/// every log line) replaces each occurrence of it with `kRedacted`.
///
/// Hex secrets (optionally "0x"-prefixed, e.g. a private key) are matched
/// case-insensitively and with or without the "0x" prefix, so "0xABcd…",
/// "abcd…" and "0XABCD…" are all caught. Other secrets (passwords, tokens) are
/// matched exactly. Registering the same secret twice is harmless; secrets
/// shorter than `kMinSecretLength` are ignored. Thread-safe; never throws
/// except std::bad_alloc.
void register_secret(std::string_view secret);

/// Returns `text` with every registered secret replaced by `kRedacted`.
/// Cheap when no secret is registered (one atomic load and a copy). Thread-safe.
std::string redact(std::string_view text);

/// True when `text` contains a registered secret (case-insensitively for hex
/// secrets). For tests and defensive checks.
bool contains_secret(std::string_view text);

/// Number of distinct secrets registered.
std::size_t secret_count() noexcept;

/// Forgets every registered secret. Only for tests: production code never
/// "un-registers" a secret.
void clear_secrets_for_testing();

}  // namespace lottery::logging
