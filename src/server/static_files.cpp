// SPDX-License-Identifier: Apache-2.0
#include "server/static_files.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

namespace lottery::server {

namespace fs = std::filesystem;

namespace {

struct TypeEntry {
  std::string_view extension;
  std::string_view type;
};

constexpr std::array<TypeEntry, 23> kTypes{{
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".abi", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".avif", "image/avif"},
    {".ico", "image/x-icon"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".ttf", "font/ttf"},
    {".txt", "text/plain; charset=utf-8"},
    {".wasm", "application/wasm"},
    {".xml", "application/xml"},
}};

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kNoCache = "no-cache";

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

Response not_found() {
  return error_response(http::status::not_found, "not_found", "No such file.");
}

}  // namespace

std::string_view content_type_for(std::string_view file_name) noexcept {
  const std::size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string_view ext = file_name.substr(dot);
  for (const auto& entry : kTypes) {
    if (entry.extension.size() != ext.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < ext.size(); ++i) {
      const char c =
          ext[i] >= 'A' && ext[i] <= 'Z' ? static_cast<char>(ext[i] - 'A' + 'a') : ext[i];
      if (c != entry.extension[i]) same = false;
    }
    if (same) return entry.type;
  }
  return "application/octet-stream";
}

std::string make_etag(std::string_view content) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : content) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "\"%016llx-%zx\"", static_cast<unsigned long long>(hash),
                content.size());
  return buf;
}

std::optional<fs::path> safe_join(const fs::path& root, std::string_view url_path) {
  if (url_path.empty() || url_path.front() != '/') return std::nullopt;
  fs::path out = root;
  std::string_view rest = url_path.substr(1);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    // Hidden files (".env", ".git") are never part of a built UI.
    if (segment.empty() || segment.front() == '.') return std::nullopt;
    if (segment.find('\0') != std::string_view::npos ||
        segment.find('\\') != std::string_view::npos) {
      return std::nullopt;
    }
    out /= fs::path(std::string(segment));
  }
  // Symlinks pointing outside the root are refused too.
  std::error_code ec;
  const fs::path real_root = fs::weakly_canonical(root, ec);
  if (ec) return std::nullopt;
  const fs::path real = fs::weakly_canonical(out, ec);
  if (ec) return std::nullopt;
  auto r = real_root.begin();
  auto p = real.begin();
  for (; r != real_root.end(); ++r, ++p) {
    if (r->empty()) continue;  // trailing separator of the root
    if (p == real.end() || *p != *r) return std::nullopt;
  }
  return out;
}

FileCache::FileCache(std::uintmax_t max_file_bytes) : max_file_bytes_(max_file_bytes) {}

std::shared_ptr<const FileEntry> FileCache::load(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return nullptr;
  const auto size = fs::file_size(file, ec);
  if (ec || size > max_file_bytes_) return nullptr;
  const auto mtime = fs::last_write_time(file, ec);
  if (ec) return nullptr;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(file);
    if (it != entries_.end() && it->second->size == size && it->second->mtime == mtime) {
      return it->second;
    }
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return nullptr;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  auto entry = std::make_shared<FileEntry>();
  auto content = std::make_shared<std::string>(std::move(buffer).str());
  entry->etag = make_etag(*content);
  entry->size = content->size();
  entry->content = std::move(content);
  entry->mtime = mtime;
  std::lock_guard lock(mutex_);
  entries_[file] = entry;
  return entry;
}

StaticFiles::StaticFiles(fs::path root) : root_(std::move(root)) {}

bool StaticFiles::enabled() const {
  std::error_code ec;
  return !root_.empty() && fs::is_directory(root_, ec);
}

Response StaticFiles::respond(const fs::path& file, std::string_view name,
                              std::string_view cache_control, std::string_view accept_encoding,
                              std::string_view if_none_match) {
  auto entry = cache_.load(file);
  if (!entry) return not_found();
  const std::string_view type = content_type_for(name);

  // A precompressed sibling is served only when it is at least as new as the file.
  std::shared_ptr<const FileEntry> variant;
  std::string encoding;
  bool considered = false;
  if (!accept_encoding.empty()) {
    fs::path br = file;
    br += ".br";
    fs::path gz = file;
    gz += ".gz";
    std::error_code ec;
    const bool have_br = fs::is_regular_file(br, ec);
    const bool have_gz = fs::is_regular_file(gz, ec);
    considered = have_br || have_gz;
    switch (choose_encoding(accept_encoding, have_br, have_gz)) {
      case Encoding::kBrotli:
        variant = cache_.load(br);
        encoding = "br";
        break;
      case Encoding::kGzip:
        variant = cache_.load(gz);
        encoding = "gzip";
        break;
      case Encoding::kIdentity:
        break;
    }
    if (!variant) encoding.clear();
  }
  const FileEntry& chosen = variant ? *variant : *entry;
  Response response;
  response.content_type = std::string(type);
  response.headers.emplace_back("ETag", chosen.etag);
  response.headers.emplace_back("Cache-Control", std::string(cache_control));
  if (considered) response.headers.emplace_back("Vary", "Accept-Encoding");
  if (!encoding.empty()) response.headers.emplace_back("Content-Encoding", encoding);
  if (!if_none_match.empty() && etag_matches(if_none_match, chosen.etag)) {
    response.status = http::status::not_modified;
    return response;
  }
  response.body = chosen.content;
  return response;
}

Response StaticFiles::serve(std::string_view path, std::string_view accept_encoding,
                            std::string_view if_none_match) {
  if (!enabled()) return not_found();
  const fs::path index = root_ / "index.html";
  if (path == "/" || path == "/index.html") {
    return respond(index, "index.html", kNoCache, accept_encoding, if_none_match);
  }
  auto file = safe_join(root_, path);
  if (!file) {
    return error_response(http::status::bad_request, "invalid_path", "The path is not allowed.");
  }
  std::error_code ec;
  const bool is_asset = starts_with(path, "/assets/");
  if (fs::is_regular_file(*file, ec)) {
    return respond(*file, file->filename().string(), is_asset ? kImmutable : kNoCache,
                   accept_encoding, if_none_match);
  }
  if (is_asset) return not_found();
  return respond(index, "index.html", kNoCache, accept_encoding, if_none_match);
}

Response StaticFiles::serve_file(const fs::path& file, std::string_view content_type,
                                 std::string_view if_none_match) {
  auto entry = cache_.load(file);
  if (!entry) return not_found();
  return serve_entry(*entry, content_type, if_none_match);
}

Response StaticFiles::serve_entry(const FileEntry& entry, std::string_view content_type,
                                  std::string_view if_none_match) {
  Response response;
  response.content_type = std::string(content_type);
  response.headers.emplace_back("ETag", entry.etag);
  response.headers.emplace_back("Cache-Control", std::string(kNoCache));
  if (!if_none_match.empty() && etag_matches(if_none_match, entry.etag)) {
    response.status = http::status::not_modified;
    return response;
  }
  response.body = entry.content;
  return response;
}

FileEntry make_entry(std::string content) {
  FileEntry entry;
  entry.etag = make_etag(content);
  entry.size = content.size();
  entry.content = std::make_shared<const std::string>(std::move(content));
  return entry;
}

}  // namespace lottery::server
