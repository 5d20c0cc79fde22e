// SPDX-License-Identifier: Apache-2.0
#include "server/static_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace lottery::server {
namespace {

namespace fs = std::filesystem;

TEST(ContentType, ByExtension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("app-1a2b.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("style.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("logo.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("font.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("Lottery.abi"), "application/json");
  EXPECT_EQ(content_type_for("manifest.webmanifest"), "application/manifest+json");
  EXPECT_EQ(content_type_for("README"), "application/octet-stream");
  EXPECT_EQ(content_type_for("archive.xyz"), "application/octet-stream");
}

TEST(MakeEtag, StrongStableAndContentDependent) {
  const auto a = make_etag("hello");
  EXPECT_EQ(a, make_etag("hello"));
  EXPECT_NE(a, make_etag("hellp"));
  EXPECT_EQ(a.front(), '"');
  EXPECT_EQ(a.back(), '"');
  EXPECT_NE(a.substr(0, 2), "W/");
  // FNV-1a 64 of "" is the offset basis.
  EXPECT_EQ(make_etag(""), "\"cbf29ce484222325-0\"");
}

class StaticDir : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("lottery-unit-static-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "www" / "assets");
    write("www/index.html", "<html>");
    write("www/assets/a-1.js", "js");
    write("www/assets/a-1.js.gz", "gz");
    write("secret.txt", "secret");
    fs::create_symlink(root_ / "secret.txt", root_ / "www" / "link.txt");
    files_ = std::make_unique<StaticFiles>(root_ / "www");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& name, const std::string& content) {
    std::ofstream(root_ / name, std::ios::binary) << content;
  }
  fs::path root_;
  std::unique_ptr<StaticFiles> files_;
};

TEST_F(StaticDir, SafeJoinRefusesEscapes) {
  const fs::path www = root_ / "www";
  EXPECT_EQ(*safe_join(www, "/assets/a-1.js"), www / "assets" / "a-1.js");
  EXPECT_TRUE(safe_join(www, "/does/not/exist.js"));
  for (const char* bad : {"/../secret.txt", "/assets/../../secret.txt", "/.env", "/assets/.hidden",
                          "//etc/passwd", "/a//b", "relative", "", "/a\\b"}) {
    EXPECT_FALSE(safe_join(www, bad)) << bad;
  }
  // A symlink that points outside the root.
  EXPECT_FALSE(safe_join(www, "/link.txt"));
}

TEST_F(StaticDir, ServesFilesWithValidators) {
  auto res = files_->serve("/assets/a-1.js", "", "");
  ASSERT_EQ(res.status, http::status::ok);
  EXPECT_EQ(*res.body, "js");
  EXPECT_EQ(res.header("Cache-Control"), "public, max-age=31536000, immutable");
  const std::string etag(res.header("ETag"));
  EXPECT_EQ(files_->serve("/assets/a-1.js", "", etag).status, http::status::not_modified);
  res = files_->serve("/assets/a-1.js", "gzip", "");
  EXPECT_EQ(*res.body, "gz");
  EXPECT_EQ(res.header("Content-Encoding"), "gzip");
  EXPECT_NE(std::string(res.header("ETag")), etag);
  // br asked but absent: gzip is not acceptable either -> identity.
  res = files_->serve("/assets/a-1.js", "br", "");
  EXPECT_EQ(*res.body, "js");
  EXPECT_TRUE(res.header("Content-Encoding").empty());
}

TEST_F(StaticDir, SpaFallbackAndMissingAssets) {
  auto res = files_->serve("/some/page", "", "");
  ASSERT_EQ(res.status, http::status::ok);
  EXPECT_EQ(*res.body, "<html>");
  EXPECT_EQ(res.header("Cache-Control"), "no-cache");
  EXPECT_EQ(files_->serve("/assets/gone.js", "", "").status, http::status::not_found);
  EXPECT_EQ(files_->serve("/../secret.txt", "", "").status, http::status::bad_request);
  EXPECT_EQ(files_->serve("/link.txt", "", "").status, http::status::bad_request);
}

TEST_F(StaticDir, ReloadsChangedFiles) {
  EXPECT_EQ(*files_->serve("/", "", "").body, "<html>");
  write("www/index.html", "<html>v2, longer");
  EXPECT_EQ(*files_->serve("/", "", "").body, "<html>v2, longer");
}

TEST(StaticFilesDisabled, MissingRootIs404) {
  StaticFiles files("/nonexistent/lottery/dir");
  EXPECT_FALSE(files.enabled());
  EXPECT_EQ(files.serve("/", "", "").status, http::status::not_found);
}

}  // namespace
}  // namespace lottery::server
