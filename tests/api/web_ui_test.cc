// WebUi: which file answers which path, with what type and headers, and that nothing outside the
// UI's files can be named.
#include "api/web_ui.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

namespace pipedeck {
namespace {

std::string Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

class WebUiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pipedeck_web_ui_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "assets");
    Write("index.html", "<!doctype html><script src=\"/assets/app.js\"></script>");
    Write("assets/app.js", "console.log('pipedeck')");
    Write("assets/app.css", "body{}");
    // Outside the UI's files: must never be served.
    std::ofstream(dir_.parent_path() / "pipedeck_web_ui_secret.txt") << "secret";
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    std::filesystem::remove(dir_.parent_path() / "pipedeck_web_ui_secret.txt");
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  std::filesystem::path dir_;
};

TEST_F(WebUiTest, FilesAssetsAndClientRoutes) {
  const WebUi ui = WebUi::FromDirectory(dir_.string());
  struct Row {
    const char* path;
    int status;
    std::string content_type;
    std::string body_prefix;
  };
  const Row rows[] = {
      {"/", 200, "text/html; charset=utf-8", "<!doctype html>"},
      {"/board/3", 200, "text/html; charset=utf-8", "<!doctype html>"},  // a client-side route
      {"/deals/42", 200, "text/html; charset=utf-8", "<!doctype html>"},
      {"/assets/app.js", 200, "text/javascript; charset=utf-8", "console.log"},
      {"/assets/app.css", 200, "text/css; charset=utf-8", "body{}"},
      {"/assets/missing.js", 404, "application/json; charset=utf-8", "{\"error\""},
      {"/assets/../../pipedeck_web_ui_secret.txt", 404, "application/json; charset=utf-8",
       "{\"error\""},
      {"/assets/%2e%2e/x", 404, "application/json; charset=utf-8", "{\"error\""},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.path);
    HttpResponse response = ui.Serve(r.path);
    EXPECT_EQ(response.status, r.status);
    EXPECT_EQ(response.content_type, r.content_type);
    EXPECT_EQ(response.body.substr(0, r.body_prefix.size()), r.body_prefix);
  }
}

TEST_F(WebUiTest, TheAppPageCarriesItsSecurityHeaders) {
  const WebUi ui = WebUi::FromDirectory(dir_.string());
  HttpResponse page = ui.Serve("/");
  EXPECT_NE(Header(page, "Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_NE(Header(page, "Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(Header(page, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Header(page, "Cache-Control"), "no-cache");
  EXPECT_EQ(Header(ui.Serve("/assets/app.js"), "X-Content-Type-Options"), "nosniff");
}

TEST_F(WebUiTest, ADirectoryIsReadOnEveryRequest) {
  const WebUi ui = WebUi::FromDirectory(dir_.string());
  Write("assets/app.js", "rebuilt()");
  EXPECT_EQ(ui.Serve("/assets/app.js").body, "rebuilt()");
}

TEST_F(WebUiTest, WithoutAnIndexTheAnswerSaysSo) {
  std::filesystem::remove(dir_ / "index.html");
  HttpResponse response = WebUi::FromDirectory(dir_.string()).Serve("/");
  EXPECT_EQ(response.status, 404);
  EXPECT_NE(response.body.find("no index.html"), std::string::npos);
}

TEST(ContentTypeTest, ByExtension) {
  EXPECT_EQ(ContentTypeOf("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeOf("/assets/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeOf("/assets/logo.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeOf("/assets/blob"), "application/octet-stream");
}

}  // namespace
}  // namespace pipedeck
