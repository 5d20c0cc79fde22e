// SPDX-License-Identifier: Apache-2.0
#include "config/render.hpp"

#include "logging/redact.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace lottery::config {
namespace {

namespace json = boost::json;

std::string source_note(const SettingDescriptor& d, Source source) {
  std::string note(to_string(source));
  if (source == Source::kEnv) note += " " + std::string(d.env);
  return note;
}

std::string render_text(const LoadResult& loaded) {
  std::size_t width = 0;
  for (const auto& d : settings_table()) width = std::max(width, d.key.size());
  std::string out = "# Effective configuration of lottery; secrets are shown as [REDACTED].\n";
  out += "# Precedence: default < file < env < flag. Config file: ";
  out += loaded.config_file.empty() ? std::string("none") : loaded.config_file;
  out += "\n";
  for (const auto& d : settings_table()) {
    out += d.key;
    out.append(width - d.key.size(), ' ');
    out += " = ";
    const auto value = d.show(loaded.settings);
    out += !value ? std::string("(not set)") : value->empty() ? std::string("\"\"") : *value;
    out += "  # ";
    out += source_note(d, loaded.source_of(d.key));
    out += "\n";
  }
  return out;
}

std::string render_json(const LoadResult& loaded) {
  json::object settings;
  json::object sources;
  for (const auto section : kSections) settings[section] = json::object();
  for (const auto& d : settings_table()) {
    settings[d.section()].as_object()[d.name()] = d.to_json(loaded.settings);
    sources[d.key] = to_string(loaded.source_of(d.key));
  }
  json::object root;
  root["config_file"] =
      loaded.config_file.empty() ? json::value(nullptr) : json::value(loaded.config_file);
  root["settings"] = std::move(settings);
  root["sources"] = std::move(sources);
  return json::serialize(root) + "\n";
}

// Markdown cells may not contain '|' or newlines.
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c != '\n') {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string describe_settings_markdown() {
  std::string out =
      "| Setting (file / --set) | Environment | Type | Default | Description |\n"
      "|---|---|---|---|---|\n";
  for (const auto& d : settings_table()) {
    const std::string def = d.default_text();
    out += "| `" + std::string(d.key) + "` | `" + std::string(d.env) + "` | " +
           std::string(d.type) + " | " + (def.empty() ? std::string() : "`" + cell(def) + "`") +
           " | " + cell(d.description) + (d.secret ? " Secret: never shown." : "") + " |\n";
  }
  return out;
}

std::string render_effective(const LoadResult& loaded, RenderFormat format) {
  // The table never shows secrets; redacting the whole output as well guards
  // against a secret that slipped into a non-secret value (e.g. a URL path).
  return logging::redact(format == RenderFormat::kJson ? render_json(loaded) : render_text(loaded));
}

}  // namespace lottery::config
