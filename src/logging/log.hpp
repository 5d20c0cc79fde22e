// SPDX-License-Identifier: Apache-2.0
#pragma once
// The process-wide logger: one line per event, text or JSON, to stderr and
// optionally a file, with registered secrets redacted (see redact.hpp).
//
//   logging::log_info("follower", "new head", {{"block", block_num}, {"hash", hash_hex}});
//
// Calls are thread-safe and cheap when the level is off (one relaxed atomic
// load; fields are views, nothing is formatted or allocated).

#include "logging/redact.hpp"

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace lottery::logging {

/// Severity, in increasing order. `kOff` as a threshold disables all output.
enum class Level : std::uint8_t { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

/// Output line format: human text or one JSON object per line.
enum class Format : std::uint8_t { kText, kJson };

/// "debug", "info", "warn", "error", "off".
std::string_view to_string(Level level) noexcept;
/// "text" or "json".
std::string_view to_string(Format format) noexcept;
/// Parses the lower-case names above ("warning" is accepted for kWarn); nullopt otherwise.
std::optional<Level> parse_level(std::string_view text) noexcept;
/// Parses "text" or "json"; nullopt otherwise.
std::optional<Format> parse_format(std::string_view text) noexcept;

/// One key=value pair attached to a log line. The key and string values are
/// views: they must outlive the logging call (temporaries in the call
/// expression do). Numbers and booleans are stored by value and written as
/// JSON numbers/booleans in the json format.
class Field {
 public:
  using Value = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;

  Field(std::string_view key, std::string_view value) noexcept : key_(key), value_(value) {}
  Field(std::string_view key, const char* value) noexcept
      : key_(key), value_(std::string_view(value == nullptr ? "" : value)) {}
  Field(std::string_view key, const std::string& value) noexcept
      : key_(key), value_(std::string_view(value)) {}
  Field(std::string_view key, bool value) noexcept : key_(key), value_(value) {}
  Field(std::string_view key, double value) noexcept : key_(key), value_(value) {}
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>) Field(std::string_view key, T value)
  noexcept : key_(key), value_(widen(value)) {}

  std::string_view key() const noexcept { return key_; }
  const Value& value() const noexcept { return value_; }
  /// The value as text ("123", "true", "1.5", or the string itself).
  std::string value_text() const;

 private:
  template <std::integral T>
  static Value widen(T value) noexcept {
    if constexpr (std::is_signed_v<T>) {
      return static_cast<std::int64_t>(value);
    } else {
      return static_cast<std::uint64_t>(value);
    }
  }

  std::string_view key_;
  Value value_;
};

using Fields = std::initializer_list<Field>;

/// Where and how the global logger writes.
struct LogOptions {
  Level level = Level::kInfo;  ///< lines below this level are dropped
  Format format = Format::kText;
  bool to_stderr = true;  ///< write to stderr
  std::string file;       ///< also append to this file when not empty (APP_LOG_FILE)
  /// Also hand every finished line (without the trailing newline) to this
  /// callback, under the logger's lock. For tests and embedding; must not log.
  std::function<void(std::string_view line)> sink;
};

/// Replaces the global logger's options. Throws std::runtime_error naming the
/// file and the OS reason when `options.file` cannot be opened for appending;
/// the previous options stay in force then.
void configure(LogOptions options);

/// Back to the defaults (info, text, stderr only, no file, no sink).
void reset();

namespace detail {
// The threshold lives in a global atomic so `enabled` can be inlined.
inline std::atomic<std::uint8_t> g_threshold{static_cast<std::uint8_t>(Level::kInfo)};
}  // namespace detail

/// True when a line of `level` would be written. Use it to skip building
/// expensive messages: `if (logging::enabled(Level::kDebug)) { ... }`.
inline bool enabled(Level level) noexcept {
  return static_cast<std::uint8_t>(level) >= detail::g_threshold.load(std::memory_order_relaxed);
}

/// Formats one line (no trailing newline) exactly as the logger writes it,
/// with secrets redacted from the message and field values. Pure apart from
/// the redaction registry; exposed for tests and for tools that print logs.
///   text: 2024-05-01T12:34:56.789Z INFO  [follower] new head block=123 note="two words"
///   json: {"ts":"2024-05-01T12:34:56.789Z","level":"info","component":"follower","msg":"new
///   head","block":123}
std::string format_line(Format format, std::chrono::system_clock::time_point time, Level level,
                        std::string_view component, std::string_view message, Fields fields);

/// ISO-8601 UTC with milliseconds: "2024-05-01T12:34:56.789Z".
std::string format_time(std::chrono::system_clock::time_point time);

/// Writes one line when `level` is enabled. Never throws: a failure to write
/// is ignored (there is nowhere left to report it).
void log(Level level, std::string_view component, std::string_view message, Fields fields = {});

inline void log_debug(std::string_view component, std::string_view message, Fields fields = {}) {
  if (enabled(Level::kDebug)) log(Level::kDebug, component, message, fields);
}
inline void log_info(std::string_view component, std::string_view message, Fields fields = {}) {
  if (enabled(Level::kInfo)) log(Level::kInfo, component, message, fields);
}
inline void log_warn(std::string_view component, std::string_view message, Fields fields = {}) {
  if (enabled(Level::kWarn)) log(Level::kWarn, component, message, fields);
}
inline void log_error(std::string_view component, std::string_view message, Fields fields = {}) {
  if (enabled(Level::kError)) log(Level::kError, component, message, fields);
}

}  // namespace lottery::logging
