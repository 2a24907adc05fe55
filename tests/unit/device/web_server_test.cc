#include "device/web_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "device/device_config.h"
#include "device/registration_view.h"
#include "device/system_log.h"

namespace sipreg::device {
namespace {

using json = nlohmann::json;

constexpr char kIni[] =
    "[sip]\nserver = 127.0.0.1:5060\n[web]\npassword = secret\n"
    "[page]\nextension = 100\npassword = x\n";

DeviceConfig TestConfig() {
  Result<DeviceConfig> c = ParseDeviceConfig(kIni, "test.conf");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : DeviceConfig{};
}

// What the web interface sees of a device: settable registrations, a config
// that ApplyConfig replaces (or refuses with `apply_result`), and a log.
class FakeControl final : public DeviceControl {
 public:
  FakeControl() : config_(TestConfig()), log_(clock_, 100, /*echo=*/false) {}

  std::vector<RegistrationView> Registrations() override {
    std::lock_guard lock(mu_);
    return registrations_;
  }
  DeviceConfig CurrentConfig() override {
    std::lock_guard lock(mu_);
    return config_;
  }
  Status ApplyConfig(DeviceConfig config) override {
    std::lock_guard lock(mu_);
    ++apply_calls_;
    if (!apply_result_.ok()) return apply_result_;
    config_ = std::move(config);
    return Status::Ok();
  }
  const SystemLog& Log() override { return log_; }

  void SetRegistrations(std::vector<RegistrationView> r) {
    std::lock_guard lock(mu_);
    registrations_ = std::move(r);
  }
  void FailApply(Status s) {
    std::lock_guard lock(mu_);
    apply_result_ = std::move(s);
  }
  int apply_calls() {
    std::lock_guard lock(mu_);
    return apply_calls_;
  }

  FakeClock clock_;
  SystemLog& log() { return log_; }

 private:
  std::mutex mu_;
  DeviceConfig config_;
  std::vector<RegistrationView> registrations_;
  Status apply_result_;
  int apply_calls_ = 0;
  SystemLog log_;
};

RegistrationView View(std::string id, std::string status) {
  RegistrationView v;
  v.id = id;
  v.type = "page";
  v.extension = "100";
  v.auth_id = "100";
  v.status = std::move(status);
  v.code = 200;
  v.reason = "OK";
  v.detail = "registered";
  v.expires_in = 3000;
  v.server = "udp:127.0.0.1:5060";
  return v;
}

struct Session {
  std::string cookie;  // "sipreg_session=..."
  std::string csrf;
};

class WebServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<uint16_t> port = server_.Start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(5);
    c.set_read_timeout(5);
    return c;
  }
  httplib::Client Admin(const std::string& password = "secret") {
    httplib::Client c = Client();
    c.set_basic_auth("admin", password);
    return c;
  }

  // Logs in through the form and reads the CSRF token out of the page.
  Session Login() {
    auto cli = Client();
    auto res =
        cli.Post("/login", "username=admin&password=secret", "application/x-www-form-urlencoded");
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 303);
    const std::string set_cookie = res->get_header_value("Set-Cookie");
    Session s;
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    auto page = cli.Get("/", {{"Cookie", s.cookie}});
    EXPECT_TRUE(page);
    if (!page) return s;
    std::smatch m;
    static const std::regex kMeta(R"re(<meta name="csrf-token" content="([0-9a-f]+)">)re");
    EXPECT_TRUE(std::regex_search(page->body, m, kMeta)) << page->body.substr(0, 400);
    if (!m.empty()) s.csrf = m[1];
    return s;
  }

  json ConfigJson() { return ConfigToJson(control_.CurrentConfig(), /*with_secrets=*/true); }

  FakeControl control_;
  WebServer server_{control_, "secret"};
  uint16_t port_ = 0;
};

TEST_F(WebServerTest, UnauthenticatedApiIs401WithBasicChallenge) {
  auto res = Client().Get("/api/status");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Basic realm=\"sipreg-device\"");
  EXPECT_EQ(json::parse(res->body).value("error", ""), "log in first");
}

TEST_F(WebServerTest, PageFetchesGet401WithoutBasicChallenge) {
  auto res = Client().Get("/api/status", {{"X-Requested-With", "sipreg-ui"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_FALSE(res->has_header("WWW-Authenticate"));
}

TEST_F(WebServerTest, BasicWithRightPasswordReturnsRegistrationsAsJson) {
  RegistrationView idle = View("page.2", kStatusRegistering);
  idle.code = 0;
  idle.reason = "";
  idle.expires_in.reset();
  control_.SetRegistrations({View("page", kStatusSuccessful), idle});
  auto res = Admin().Get("/api/status");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  json j = json::parse(res->body);
  ASSERT_EQ(j["registrations"].size(), 2u);
  const json& r = j["registrations"][0];
  EXPECT_EQ(r["id"], "page");
  EXPECT_EQ(r["type"], "page");
  EXPECT_EQ(r["extension"], "100");
  EXPECT_EQ(r["auth_id"], "100");
  EXPECT_EQ(r["status"], "Successful");
  EXPECT_EQ(r["code"], 200);
  EXPECT_EQ(r["reason"], "OK");
  EXPECT_EQ(r["detail"], "registered");
  EXPECT_EQ(r["expires_in"], 3000);
  EXPECT_EQ(r["server"], "udp:127.0.0.1:5060");
  EXPECT_TRUE(j["registrations"][1]["expires_in"].is_null());
  EXPECT_EQ(j["registrations"][1]["status"], "Registering");
}

TEST_F(WebServerTest, WrongBasicPasswordOrUserIs401) {
  auto res = Admin("nope").Get("/api/status");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Basic realm=\"sipreg-device\"");

  auto cli = Client();
  cli.set_basic_auth("root", "secret");
  res = cli.Get("/api/status");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);

  res = Client().Get("/api/status", {{"Authorization", "Basic !!!not-base64"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(WebServerTest, LoginFormSetsSessionCookieAndRedirects) {
  auto res = Client().Post("/login", "password=secret", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  EXPECT_EQ(res->get_header_value("Location"), "/");
  const std::string cookie = res->get_header_value("Set-Cookie");
  EXPECT_TRUE(std::regex_match(
      cookie, std::regex("sipreg_session=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/")))
      << cookie;

  Session s = Login();
  EXPECT_EQ(s.csrf.size(), 64u);
  auto status = Client().Get("/api/status", {{"Cookie", "other=1; " + s.cookie}});
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
}

TEST_F(WebServerTest, RootWithoutSessionIsTheLoginForm) {
  auto res = Client().Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("action=\"/login\""), std::string::npos);
  EXPECT_EQ(res->body.find("csrf-token"), std::string::npos);
  EXPECT_EQ(res->body.find("{{MESSAGE}}"), std::string::npos);
}

TEST_F(WebServerTest, WrongPasswordInFormShowsTheFormAgain) {
  auto res = Client().Post("/login", "password=wrong", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_FALSE(res->has_header("Set-Cookie"));
  EXPECT_FALSE(res->has_header("WWW-Authenticate"));
  EXPECT_NE(res->body.find("Wrong password"), std::string::npos);
  EXPECT_NE(res->body.find("action=\"/login\""), std::string::npos);
}

TEST_F(WebServerTest, UnknownSessionTokenIsNotLoggedIn) {
  auto res = Client().Get("/api/status", {{"Cookie", "sipreg_session=" + std::string(64, 'a')}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(WebServerTest, PutConfigWithSessionButNoCsrfIs403) {
  Session s = Login();
  auto res =
      Client().Put("/api/config", {{"Cookie", s.cookie}}, ConfigJson().dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(control_.apply_calls(), 0);

  res = Client().Put("/api/config", {{"Cookie", s.cookie}, {"X-CSRF-Token", std::string(64, '0')}},
                     ConfigJson().dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(control_.apply_calls(), 0);
}

TEST_F(WebServerTest, PutConfigWithSessionAndCsrfApplies) {
  Session s = Login();
  json j = ConfigJson();
  j["sip"]["server"] = "192.0.2.7:5080";
  j["extensions"][0]["password"] = "right";
  auto res = Client().Put("/api/config", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, j.dump(),
                          "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body), (json{{"ok", true}}));
  EXPECT_EQ(control_.apply_calls(), 1);
  DeviceConfig now = control_.CurrentConfig();
  EXPECT_EQ(now.sip.server.ToString(), "192.0.2.7:5080");
  ASSERT_NE(now.Find("page"), nullptr);
  EXPECT_EQ(now.Find("page")->password, "right");
}

TEST_F(WebServerTest, BasicAuthenticatedPutNeedsNoCsrf) {
  auto res = Admin().Put("/api/config", ConfigJson().dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(control_.apply_calls(), 1);
}

TEST_F(WebServerTest, GetConfigIncludesSecrets) {
  auto res = Admin().Get("/api/config");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(json::parse(res->body), ConfigJson());
}

TEST_F(WebServerTest, BadJsonIs400) {
  auto res = Admin().Put("/api/config", "{\"sip\": ", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  const std::string error = json::parse(res->body).value("error", "");
  EXPECT_EQ(error.rfind("bad JSON: ", 0), 0u) << error;
  EXPECT_EQ(control_.apply_calls(), 0);
}

TEST_F(WebServerTest, ConfigErrorIs400WithTheParsersMessage) {
  json j = ConfigJson();
  j["sip"]["transport"] = "carrier-pigeon";
  Result<DeviceConfig> expected = ConfigFromJson(j, control_.CurrentConfig());
  ASSERT_FALSE(expected.ok());
  auto res = Admin().Put("/api/config", j.dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body).value("error", ""), expected.status().message());
  EXPECT_EQ(control_.apply_calls(), 0);
}

TEST_F(WebServerTest, ApplyFailureIs500WithItsMessage) {
  control_.FailApply(Status::IoError("cannot write device.conf: disk full"));
  auto res = Admin().Put("/api/config", ConfigJson().dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(json::parse(res->body).value("error", ""), "cannot write device.conf: disk full");
}

TEST_F(WebServerTest, PasswordChangedThroughApiKeepsThisSessionAndEndsOthers) {
  Session mine = Login();
  Session other = Login();
  json j = ConfigJson();
  j["web"]["password"] = "n3w";
  auto res = Client().Put("/api/config", {{"Cookie", mine.cookie}, {"X-CSRF-Token", mine.csrf}},
                          j.dump(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Client().Get("/api/status", {{"Cookie", mine.cookie}})->status, 200);
  EXPECT_EQ(Client().Get("/api/status", {{"Cookie", other.cookie}})->status, 401);
  EXPECT_EQ(Admin("secret").Get("/api/status")->status, 401);
  EXPECT_EQ(Admin("n3w").Get("/api/status")->status, 200);
}

TEST_F(WebServerTest, SetPasswordEndsSessions) {
  Session s = Login();
  server_.SetPassword("changed");
  EXPECT_EQ(Client().Get("/api/status", {{"Cookie", s.cookie}})->status, 401);
  EXPECT_EQ(Admin("changed").Get("/api/status")->status, 200);
}

TEST_F(WebServerTest, LogoutEndsTheSession) {
  Session s = Login();
  auto res = Client().Post("/logout", {{"Cookie", s.cookie}}, "csrf=" + s.csrf,
                           "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  EXPECT_NE(res->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Client().Get("/api/status", {{"Cookie", s.cookie}})->status, 401);
}

TEST_F(WebServerTest, LogoutWithoutCsrfIs403) {
  Session s = Login();
  auto res =
      Client().Post("/logout", {{"Cookie", s.cookie}}, "", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(Client().Get("/api/status", {{"Cookie", s.cookie}})->status, 200);
}

TEST_F(WebServerTest, FiveWrongPasswordsFromOneAddressAre429) {
  for (int i = 0; i < 5; ++i) {
    auto res = Admin("wrong").Get("/api/status");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << "attempt " << i;
  }
  auto res = Admin("secret").Get("/api/status");  // even the right one, for a minute
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(res->get_header_value("Retry-After"), "60");
  res = Client().Post("/login", "password=secret", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_FALSE(res->has_header("Set-Cookie"));
  EXPECT_NE(res->body.find("Too many wrong passwords"), std::string::npos);
}

TEST_F(WebServerTest, WrongFormPasswordsCountTowardsTheLimit) {
  for (int i = 0; i < 5; ++i) {
    auto res = Client().Post("/login", "password=guess", "application/x-www-form-urlencoded");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
  }
  EXPECT_EQ(Admin().Get("/api/status")->status, 429);
}

TEST_F(WebServerTest, ExistingSessionsKeepWorkingDuringALockout) {
  Session s = Login();
  for (int i = 0; i < 5; ++i) (void)Admin("wrong").Get("/api/status");
  EXPECT_EQ(Client().Get("/api/status", {{"Cookie", s.cookie}})->status, 200);
}

TEST_F(WebServerTest, LogAfterReturnsNewerEntriesWithUtcTimes) {
  control_.log().Info("one");
  control_.log().Warning("two");
  control_.log().Error("three");
  auto res = Admin().Get("/api/log?after=1");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  json entries = json::parse(res->body)["entries"];
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0]["seq"], 2);
  EXPECT_EQ(entries[0]["level"], "warning");
  EXPECT_EQ(entries[0]["text"], "two");
  EXPECT_EQ(entries[0]["time"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(entries[1]["seq"], 3);

  res = Admin().Get("/api/log");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["entries"].size(), 3u);
  res = Admin().Get("/api/log?after=3");
  ASSERT_TRUE(res);
  EXPECT_TRUE(json::parse(res->body)["entries"].empty());
}

TEST_F(WebServerTest, LogAfterMustBeDigits) {
  for (const char* bad : {"abc", "-1", "1e3", "", "%20", "99999999999999999999999"}) {
    auto res = Admin().Get(std::string("/api/log?after=") + bad);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << bad;
  }
}

TEST_F(WebServerTest, SecurityHeadersOnEveryResponse) {
  Session s = Login();
  std::vector<httplib::Result> results;
  results.push_back(Client().Get("/"));
  results.push_back(Client().Get("/", {{"Cookie", s.cookie}}));
  results.push_back(Client().Get("/app.js"));
  results.push_back(Client().Get("/app.css"));
  results.push_back(Client().Get("/api/status"));
  results.push_back(Admin().Get("/api/status"));
  results.push_back(Client().Get("/no/such/page"));
  for (const httplib::Result& res : results) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY");
    const std::string csp = res->get_header_value("Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(res->get_header_value_count("Content-Security-Policy"), 1u);
  }
}

TEST_F(WebServerTest, PageHasNoInlineScriptAndServesItsAssets) {
  Session s = Login();
  auto page = Client().Get("/", {{"Cookie", s.cookie}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->body.find("<script>"), std::string::npos);
  EXPECT_NE(page->body.find("<script src=\"/app.js\""), std::string::npos);
  EXPECT_EQ(page->body.find("{{CSRF}}"), std::string::npos);
  auto js = Client().Get("/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(js->body.find("textContent"), std::string::npos);
  EXPECT_EQ(js->body.find("innerHTML"), std::string::npos);
  auto css = Client().Get("/app.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css; charset=utf-8");
}

TEST_F(WebServerTest, UnknownRouteIs404AndWrongMethodIs405) {
  auto res = Admin().Get("/api/nothing");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  res = Admin().Delete("/api/config");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "GET, HEAD, PUT");
  res = Admin().Post("/api/status", "", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  res = Client().Get("/login");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "POST");
}

TEST_F(WebServerTest, OversizedBodyIsRefused) {
  auto res = Admin().Put("/api/config", std::string(2 << 20, ' '), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(control_.apply_calls(), 0);
}

// The page puts values in with textContent (not unit-testable here); the API
// additionally never returns a raw '<', so a hostile reason cannot read as markup.
TEST_F(WebServerTest, HostileStatusTextIsJsonEscaped) {
  RegistrationView v = View("page", kStatusRejected);
  v.reason = "<script>alert(1)</script>";
  v.detail = "a & b > c";
  v.server = std::string("bad utf-8 \xff\xfe");
  control_.SetRegistrations({v});
  auto res = Admin().Get("/api/status");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->body.find('<'), std::string::npos) << res->body;
  EXPECT_EQ(res->body.find('>'), std::string::npos) << res->body;
  EXPECT_NE(res->body.find("\\u003cscript\\u003e"), std::string::npos) << res->body;
  json j = json::parse(res->body);
  EXPECT_EQ(j["registrations"][0]["reason"], "<script>alert(1)</script>");
  EXPECT_EQ(j["registrations"][0]["detail"], "a & b > c");
}

TEST_F(WebServerTest, StartTwiceFailsAndStopIsIdempotent) {
  EXPECT_FALSE(server_.Start("127.0.0.1", 0).ok());
  server_.Stop();
  server_.Stop();
  EXPECT_FALSE(Client().Get("/"));
}

TEST(WebServerStartTest, PortInUseIsAnError) {
  FakeControl control;
  WebServer a(control, "secret");
  Result<uint16_t> port = a.Start("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  WebServer b(control, "secret");
  Result<uint16_t> again = b.Start("127.0.0.1", *port);
  EXPECT_FALSE(again.ok());
}

}  // namespace
}  // namespace sipreg::device
