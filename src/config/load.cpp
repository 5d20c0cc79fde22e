// SPDX-License-Identifier: Apache-2.0
#include "config/load.hpp"

#include "logging/redact.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <system_error>

namespace lottery::config {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxConfigFileBytes = std::size_t{1024} * 1024;
constexpr std::size_t kMaxKeyFileBytes = 4096;
constexpr std::size_t kMaxShownValue = 200;
constexpr std::string_view kKeyName = "blockchain.operator_private_key";
constexpr std::string_view kKeyFileName = "blockchain.operator_private_key_file";
constexpr std::string_view kAbiPathName = "server.abi_path";
constexpr std::size_t kMaxAbiFileBytes = std::size_t{1} << 20;

// Quoted for an error line: escapes keep the line one line, and long values
// are cut so a pasted blob does not flood the terminal.
std::string quote(std::string_view text) {
  std::string out = "\"";
  std::size_t shown = 0;
  for (const char ch : text) {
    if (shown++ == kMaxShownValue) {
      out.append("...");
      break;
    }
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20 || c == 0x7F) {
      constexpr char kHex[] = "0123456789abcdef";
      out.append("\\x");
      out.push_back(kHex[c >> 4U]);
      out.push_back(kHex[c & 0xFU]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
  return out;
}

// "ENV=value", "key=value (in FILE)" or "key=value (from the command line)":
// the setting named the way the user wrote it, so they can find and fix it.
std::string subject(const SettingDescriptor& d, Source source, std::string_view value,
                    const std::string& file) {
  const std::string shown =
      d.secret ? std::string(logging::kRedacted) : quote(logging::redact(value));
  switch (source) {
    case Source::kEnv:
      return std::string(d.env) + "=" + shown;
    case Source::kFile:
      return std::string(d.key) + "=" + shown + " (in " + file + ")";
    case Source::kFlag:
    case Source::kDefault:
      break;
  }
  return std::string(d.key) + "=" + shown + " (from the command line)";
}

std::string name_in(const SettingDescriptor& d, Source source) {
  return std::string(source == Source::kEnv ? d.env : d.key);
}

std::string os_error(int err) {
  return std::generic_category().message(err);
}

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

// Reads at most `limit` + 1 bytes so that callers can tell "too large".
std::optional<std::string> read_small_file(const std::string& path, std::size_t limit,
                                           std::string& error) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rbe"));
  if (!f) {
    error = os_error(errno);
    return std::nullopt;
  }
  std::string data;
  std::array<char, 4096> buf{};
  while (data.size() <= limit) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
    data.append(buf.data(), n);
    if (n < buf.size()) {
      if (std::ferror(f.get()) != 0) {
        error = os_error(errno == 0 ? EIO : errno);
        return std::nullopt;
      }
      break;
    }
  }
  return data;
}

class Loader {
 public:
  explicit Loader(LoadResult& result) : r_(result) {}

  void apply(const SettingDescriptor& d, std::string_view text, Source source) {
    // Registered before validation: even a mistyped key must not be echoed.
    if (d.secret) logging::register_secret(text);
    if (d.assign(r_.settings, text)) {
      r_.sources[std::string(d.key)] = source;
    } else {
      error(subject(d, source, text, r_.config_file) + " is not valid: expected " +
            std::string(d.expected));
    }
  }

  void error(std::string line) { r_.errors.push_back("config: " + std::move(line)); }

  void read_file(const std::string& path) {
    std::string why;
    const auto data = read_small_file(path, kMaxConfigFileBytes, why);
    if (!data) {
      error("cannot read config file " + quote(path) + ": " + why);
      return;
    }
    if (data->size() > kMaxConfigFileBytes) {
      error("config file " + quote(path) + " is larger than 1 MiB");
      return;
    }
    r_.config_file = path;
    json::parse_options opts;
    opts.allow_comments = true;
    opts.allow_trailing_commas = true;
    json::stream_parser parser({}, opts);
    boost::system::error_code ec;
    const std::size_t used = parser.write(data->data(), data->size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) {
      error(path + ":" + position(*data, ec == json::error::incomplete ? data->size() : used) +
            ": not valid JSON: " + ec.message());
      return;
    }
    const json::value root = parser.release();
    if (!root.is_object()) {
      error(path + " must hold a JSON object with the sections " + section_list());
      return;
    }
    for (const auto& [section, body] : root.as_object()) {
      read_section(section, body);
    }
  }

  void read_env(const EnvLookup& env) {
    if (!env) return;
    for (const auto& d : settings_table()) {
      const auto value = env(d.env);
      if (value && !value->empty()) apply(d, *value, Source::kEnv);
    }
  }

  void read_flags(const std::vector<std::pair<std::string, std::string>>& flags) {
    for (const auto& [name, value] : flags) {
      const SettingDescriptor* d = find_setting(name);
      if (d == nullptr) {
        error("unknown setting " + quote(name) + " on the command line" + hint(name));
        continue;
      }
      apply(*d, value, Source::kFlag);
    }
  }

  // A configured ABI file must be readable now: finding out at the first
  // request (a 404) would hide the mistake until a player's wallet asks.
  void check_abi_file() {
    const std::string& path = r_.settings.server.abi_path;
    if (path.empty()) return;
    const SettingDescriptor* row = find_setting(kAbiPathName);
    const std::string who = subject(*row, r_.source_of(kAbiPathName), path, r_.config_file);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      error(who +
            " is not a readable file; point it at contracts/out/Lottery.abi or leave it "
            "empty to serve the ABI built into the binary");
      return;
    }
    std::string why;
    if (!read_small_file(path, kMaxAbiFileBytes, why)) {
      error(who + " cannot be read: " + why);
    }
  }

  void resolve_private_key() {
    const SettingDescriptor* key_row = find_setting(kKeyName);
    const SettingDescriptor* file_row = find_setting(kKeyFileName);
    auto& chain = r_.settings.blockchain;
    const Source key_source = r_.source_of(kKeyName);
    const Source file_source = r_.source_of(kKeyFileName);
    if (!chain.operator_private_key_file) return;
    if (chain.operator_private_key && key_source == file_source) {
      std::string where;
      if (key_source == Source::kFile) where = " in " + r_.config_file;
      if (key_source == Source::kFlag) where = " on the command line";
      error("both " + name_in(*key_row, key_source) + " and " + name_in(*file_row, file_source) +
            " are set" + where + "; set only one of them");
      return;
    }
    // The later source wins, as for every other setting.
    if (chain.operator_private_key && key_source > file_source) return;
    const std::string& path = *chain.operator_private_key_file;
    const std::string who = subject(*file_row, file_source, path, r_.config_file);
    std::string why;
    const auto data = read_small_file(path, kMaxKeyFileBytes, why);
    if (!data) {
      error(who + " cannot be read: " + why);
      return;
    }
    logging::register_secret(*data);
    if (data->size() > kMaxKeyFileBytes) {
      error(who + " is too large to hold a private key");
      return;
    }
    std::string_view content(*data);
    while (!content.empty() &&
           std::string_view(" \t\r\n").find(content.back()) != std::string_view::npos) {
      content.remove_suffix(1);
    }
    while (!content.empty() &&
           std::string_view(" \t\r\n").find(content.front()) != std::string_view::npos) {
      content.remove_prefix(1);
    }
    logging::register_secret(content);
    auto key = normalize_private_key(content);
    if (!key) {
      error(who + " does not hold a valid key: expected " + std::string(key_row->expected));
      return;
    }
    logging::register_secret(*key);
    chain.operator_private_key = std::move(*key);
    r_.sources[std::string(kKeyName)] = file_source;
  }

 private:
  void read_section(std::string_view section, const json::value& body) {
    if (std::find(std::begin(kSections), std::end(kSections), section) == std::end(kSections)) {
      std::string h = hint(section);
      if (h.empty()) h = " (sections are " + section_list() + ")";
      error("unknown section " + quote(section) + " in " + r_.config_file + h);
      return;
    }
    if (!body.is_object()) {
      error("section " + quote(section) + " in " + r_.config_file + " must be a JSON object");
      return;
    }
    for (const auto& [name, value] : body.as_object()) {
      const std::string key = std::string(section) + "." + std::string(name);
      const SettingDescriptor* d = find_setting(key);
      if (d == nullptr || d->key != key) {
        error("unknown setting " + quote(key) + " in " + r_.config_file + hint(key));
        continue;
      }
      if (value.is_null()) continue;  // null = keep the default
      const auto text = json_text(*d, value);
      if (!text) {
        const std::string raw = json::serialize(value);
        if (d->secret) logging::register_secret(raw);
        error(subject(*d, Source::kFile, raw, r_.config_file) + " is not valid: expected " +
              std::string(d->expected));
        continue;
      }
      apply(*d, *text, Source::kFile);
    }
  }

  // A JSON value as the text `assign` parses; nullopt for shapes no setting
  // accepts (objects, arrays for scalars, nested arrays).
  static std::optional<std::string> json_text(const SettingDescriptor& d, const json::value& v) {
    switch (v.kind()) {
      case json::kind::string:
        return std::string(v.get_string());
      case json::kind::bool_:
        return std::string(v.get_bool() ? "true" : "false");
      case json::kind::int64:
        return std::to_string(v.get_int64());
      case json::kind::uint64:
        return std::to_string(v.get_uint64());
      case json::kind::double_: {
        std::array<char, 32> buf{};
        const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v.get_double());
        return std::string(buf.data(), res.ptr);
      }
      case json::kind::array: {
        if (d.type != "list") return std::nullopt;
        std::string out;
        for (const auto& item : v.get_array()) {
          if (!item.is_string()) return std::nullopt;
          if (!out.empty()) out.push_back(',');
          out.append(item.get_string());
        }
        return out;
      }
      case json::kind::null:
      case json::kind::object:
        break;
    }
    return std::nullopt;
  }

  static std::string position(std::string_view data, std::size_t offset) {
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < offset && i < data.size(); ++i) {
      if (data[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return std::to_string(line) + ":" + std::to_string(column);
  }

  static std::string section_list() {
    std::string out;
    for (const auto s : kSections) {
      if (!out.empty()) out.append(", ");
      out.append(s);
    }
    return out;
  }

  static std::string hint(std::string_view name) {
    const std::string best = suggest_key(name);
    return best.empty() ? std::string() : " (did you mean \"" + best + "\"?)";
  }

  LoadResult& r_;
};

}  // namespace

Source LoadResult::source_of(std::string_view key) const {
  const auto it = sources.find(key);
  return it == sources.end() ? Source::kDefault : it->second;
}

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

EnvLookup environment_from(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

LoadResult load(const LoadOptions& options) {
  LoadResult result;
  Loader loader(result);
  if (options.config_file) {
    loader.read_file(*options.config_file);
  } else if (!options.default_config_file.empty()) {
    std::error_code ec;
    if (std::filesystem::exists(options.default_config_file, ec)) {
      loader.read_file(options.default_config_file);
    }
  }
  loader.read_env(options.env);
  loader.read_flags(options.flags);
  loader.resolve_private_key();
  loader.check_abi_file();
  return result;
}

std::optional<std::pair<std::string, std::string>> parse_set_flag(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return std::nullopt;
  return std::make_pair(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

}  // namespace lottery::config
