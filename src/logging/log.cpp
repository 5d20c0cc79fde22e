// SPDX-License-Identifier: Apache-2.0
#include "logging/log.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <system_error>

namespace lottery::logging {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const noexcept {
    if (f != nullptr) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

struct Logger {
  std::mutex mutex;  // one lock for all outputs, so a line is never interleaved
  LogOptions options;
  FilePtr file;
};

Logger& logger() {
  static Logger instance;
  return instance;
}

constexpr std::array<std::string_view, 5> kLevelNames = {"debug", "info", "warn", "error", "off"};
// Upper-case and padded to one width so text lines align.
constexpr std::array<std::string_view, 5> kLevelTags = {"DEBUG", "INFO ", "WARN ", "ERROR",
                                                        "OFF  "};
constexpr std::array<std::string_view, 4> kReservedKeys = {"ts", "level", "component", "msg"};

constexpr char kHexDigits[] = "0123456789abcdef";

void append_hex_byte(std::string& out, unsigned char c, std::string_view prefix) {
  out.append(prefix);
  out.push_back(kHexDigits[c >> 4U]);
  out.push_back(kHexDigits[c & 0xFU]);
}

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 when the
// bytes there are not valid UTF-8 (overlong forms and surrogates included).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  std::size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

// JSON string body per RFC 8259; invalid UTF-8 becomes U+FFFD so that every
// line stays parseable whatever bytes a peer sent us.
void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(text, i);
      if (len == 0) {
        out.append("\\ufffd");
        ++i;
      } else {
        out.append(text.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          append_hex_byte(out, c, "\\u00");
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

// Text format: control characters are escaped so one event is one line.
void append_text_escaped(std::string& out, std::string_view text, bool in_quotes) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\\':
        out.append(in_quotes ? "\\\\" : "\\");
        break;
      case '"':
        out.append(in_quotes ? "\\\"" : "\"");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          append_hex_byte(out, c, "\\x");
        } else {
          out.push_back(ch);
        }
    }
  }
}

bool needs_quotes(std::string_view value) noexcept {
  if (value.empty()) return true;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7F || ch == '"' || ch == '=' || ch == '\\') return true;
  }
  return false;
}

std::string double_text(double value) {
  if (!std::isfinite(value)) return std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
  std::array<char, 32> buf{};
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  return std::string(buf.data(), res.ptr);
}

template <class T>
std::string integer_text(T value) {
  std::array<char, 24> buf{};
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  return std::string(buf.data(), res.ptr);
}

void append_text_line(std::string& out, Level level, std::string_view component,
                      std::string_view message, Fields fields) {
  out.append(kLevelTags.at(static_cast<std::size_t>(level)));
  out.append(" [");
  append_text_escaped(out, component, false);
  out.append("] ");
  append_text_escaped(out, redact(message), false);
  for (const Field& f : fields) {
    out.push_back(' ');
    out.append(f.key());
    out.push_back('=');
    const std::string value = redact(f.value_text());
    if (needs_quotes(value)) {
      out.push_back('"');
      append_text_escaped(out, value, true);
      out.push_back('"');
    } else {
      out.append(value);
    }
  }
}

void append_json_value(std::string& out, const Field::Value& value) {
  if (const auto* s = std::get_if<std::string_view>(&value)) {
    append_json_string(out, redact(*s));
  } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
    out.append(integer_text(*i));
  } else if (const auto* u = std::get_if<std::uint64_t>(&value)) {
    out.append(integer_text(*u));
  } else if (const auto* d = std::get_if<double>(&value)) {
    if (std::isfinite(*d)) {
      out.append(double_text(*d));
    } else {
      append_json_string(out, double_text(*d));  // JSON has no NaN/Infinity
    }
  } else {
    out.append(std::get<bool>(value) ? "true" : "false");
  }
}

void append_json_line(std::string& out, std::string_view ts, Level level,
                      std::string_view component, std::string_view message, Fields fields) {
  out.append("{\"ts\":");
  append_json_string(out, ts);
  out.append(",\"level\":");
  append_json_string(out, to_string(level));
  out.append(",\"component\":");
  append_json_string(out, component);
  out.append(",\"msg\":");
  append_json_string(out, redact(message));
  for (const Field& f : fields) {
    out.push_back(',');
    // A field may not shadow the fixed members: duplicate keys make JSON
    // parsers disagree, so it gets a leading underscore instead.
    bool reserved = false;
    for (const auto r : kReservedKeys) reserved = reserved || f.key() == r;
    append_json_string(out, reserved ? "_" + std::string(f.key()) : std::string(f.key()));
    out.push_back(':');
    append_json_value(out, f.value());
  }
  out.push_back('}');
}

void write_all(std::FILE* stream, std::string_view data) noexcept {
  // One fwrite per line: with the logger's mutex held this keeps lines whole.
  if (std::fwrite(data.data(), 1, data.size(), stream) == data.size()) {
    std::fflush(stream);
  }
}

}  // namespace

std::string_view to_string(Level level) noexcept {
  const auto i = static_cast<std::size_t>(level);
  return i < kLevelNames.size() ? kLevelNames[i] : "unknown";
}

std::string_view to_string(Format format) noexcept {
  return format == Format::kJson ? "json" : "text";
}

std::optional<Level> parse_level(std::string_view text) noexcept {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (text == kLevelNames[i]) return static_cast<Level>(i);
  }
  if (text == "warning") return Level::kWarn;
  return std::nullopt;
}

std::optional<Format> parse_format(std::string_view text) noexcept {
  if (text == "text") return Format::kText;
  if (text == "json") return Format::kJson;
  return std::nullopt;
}

std::string Field::value_text() const {
  if (const auto* s = std::get_if<std::string_view>(&value_)) return std::string(*s);
  if (const auto* i = std::get_if<std::int64_t>(&value_)) return integer_text(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&value_)) return integer_text(*u);
  if (const auto* d = std::get_if<double>(&value_)) return double_text(*d);
  return std::get<bool>(value_) ? "true" : "false";
}

std::string format_time(std::chrono::system_clock::time_point time) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  const auto since_epoch = time.time_since_epoch();
  auto secs = duration_cast<seconds>(since_epoch);
  auto millis = duration_cast<milliseconds>(since_epoch - secs).count();
  if (millis < 0) {  // times before 1970 round toward the earlier second
    secs -= seconds(1);
    millis += 1000;
  }
  const std::time_t tt = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::array<char, 40> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                              tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                              tm.tm_sec, static_cast<int>(millis));
  return std::string(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0U);
}

std::string format_line(Format format, std::chrono::system_clock::time_point time, Level level,
                        std::string_view component, std::string_view message, Fields fields) {
  std::string out;
  out.reserve(128);
  const std::string ts = format_time(time);
  if (format == Format::kJson) {
    append_json_line(out, ts, level, component, message, fields);
  } else {
    out.append(ts);
    out.push_back(' ');
    append_text_line(out, level, component, message, fields);
  }
  return out;
}

void configure(LogOptions options) {
  FilePtr file;
  if (!options.file.empty()) {
    file.reset(std::fopen(options.file.c_str(), "ae"));
    if (!file) {
      throw std::runtime_error("cannot open log file \"" + options.file +
                               "\": " + std::generic_category().message(errno));
    }
  }
  Logger& lg = logger();
  const std::lock_guard lock(lg.mutex);
  lg.file = std::move(file);
  lg.options = std::move(options);
  detail::g_threshold.store(static_cast<std::uint8_t>(lg.options.level), std::memory_order_relaxed);
}

void reset() {
  configure(LogOptions{});
}

void log(Level level, std::string_view component, std::string_view message, Fields fields) {
  if (!enabled(level) || level == Level::kOff) return;
  try {
    Logger& lg = logger();
    // Read the format under the lock only briefly; formatting happens outside
    // it so that slow redaction never blocks other threads' writes.
    Format format = Format::kText;
    {
      const std::lock_guard lock(lg.mutex);
      format = lg.options.format;
    }
    std::string line =
        format_line(format, std::chrono::system_clock::now(), level, component, message, fields);
    const std::lock_guard lock(lg.mutex);
    if (lg.options.sink) lg.options.sink(line);
    line.push_back('\n');
    if (lg.options.to_stderr) write_all(stderr, line);
    if (lg.file) write_all(lg.file.get(), line);
  } catch (...) {
    // Logging must never take the caller down (e.g. bad_alloc while formatting).
  }
}

}  // namespace lottery::logging
