// SPDX-License-Identifier: Apache-2.0
#pragma once
// The built web UI from a directory: SPA fallback to index.html, content
// types, strong ETags with 304, long-lived caching for hashed assets, and
// precompressed `.br` / `.gz` siblings chosen by Accept-Encoding.

#include "server/http.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace lottery::server {

/// The Content-Type for a file name by extension ("application/octet-stream"
/// when unknown; text types carry "; charset=utf-8").
std::string_view content_type_for(std::string_view file_name) noexcept;

/// A strong ETag for content: "\"<16 hex digits of FNV-1a 64>-<size hex>\"".
std::string make_etag(std::string_view content);

/// The file a decoded URL path names inside `root`, or nullopt when the path
/// is unsafe (.., ., empty or hidden segments, NUL, backslash) or resolves
/// outside `root` (symlinks included). Does not check that the file exists.
std::optional<std::filesystem::path> safe_join(const std::filesystem::path& root,
                                               std::string_view url_path);

/// One file's bytes with its validators, shared by every response.
struct FileEntry {
  std::shared_ptr<const std::string> content;
  std::string etag;
  std::filesystem::file_time_type mtime{};
  std::uintmax_t size = 0;
};

/// A FileEntry for bytes that live in memory rather than in a file.
FileEntry make_entry(std::string content);

/// Loads files into memory on first use and re-reads them when their size or
/// modification time changes. Thread-safe. Files larger than `max_file_bytes`
/// are refused (nullopt).
class FileCache {
 public:
  explicit FileCache(std::uintmax_t max_file_bytes = std::uintmax_t{32} << 20);
  std::shared_ptr<const FileEntry> load(const std::filesystem::path& file);

 private:
  std::uintmax_t max_file_bytes_;
  std::mutex mutex_;
  std::map<std::filesystem::path, std::shared_ptr<const FileEntry>> entries_;
};

/// Serves a directory as a single-page app.
class StaticFiles {
 public:
  /// `root` may not exist (then every request is answered 404).
  explicit StaticFiles(std::filesystem::path root);

  bool enabled() const;

  /// Answers GET/HEAD for a decoded `path` that no API route matched.
  /// `/` and unknown paths outside /assets/ get index.html (no-cache); a
  /// missing file under /assets/ is 404 (so a stale page does not cache HTML
  /// as a script). `accept_encoding` and `if_none_match` are the request's headers.
  Response serve(std::string_view path, std::string_view accept_encoding,
                 std::string_view if_none_match);

  /// Serves one file outside the UI directory (e.g. the contract ABI) with
  /// ETag/304 and `Cache-Control: no-cache`; 404 when it cannot be read.
  Response serve_file(const std::filesystem::path& file, std::string_view content_type,
                      std::string_view if_none_match);

  /// Serves bytes held in memory (e.g. the ABI built into the binary) the same
  /// way as serve_file.
  static Response serve_entry(const FileEntry& entry, std::string_view content_type,
                              std::string_view if_none_match);

 private:
  Response respond(const std::filesystem::path& file, std::string_view name,
                   std::string_view cache_control, std::string_view accept_encoding,
                   std::string_view if_none_match);

  std::filesystem::path root_;
  FileCache cache_;
};

}  // namespace lottery::server
