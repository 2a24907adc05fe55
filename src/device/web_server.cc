// WebServer's implementation. Decisions beyond the header:
//  - Sessions: 64 hex characters from OpenSslRandom, kept in memory (at most 64,
//    least recently used dropped first), ended after 1 h idle, on logout, and
//    when the password changes (except the session that changed it).
//  - CSRF: each session has its own random token, written server-side into the
//    page (<meta name="csrf-token">, HTML-escaped) and sent back by app.js as
//    X-CSRF-Token; the logout form posts it as field "csrf". The session cookie
//    is HttpOnly, so script never sees it. Basic-authenticated requests need no
//    token: the only state change reachable with Basic is PUT, which a foreign
//    page cannot send cross-origin without a CORS preflight this server refuses.
//  - Passwords are compared as SHA-256 digests with CRYPTO_memcmp (constant time
//    whatever the lengths). 5 wrong passwords (form or Basic) from one address
//    within 60 s lock that address out of password checks for 60 s (429);
//    sessions it already holds keep working.
//  - 401 answers carry WWW-Authenticate: Basic unless the request says
//    X-Requested-With (the page's own fetches), so an expired session sends the
//    page back to its login form instead of raising the browser's Basic dialog.
//  - JSON answers escape '<', '>' and '&' as \u sequences and replace invalid
//    UTF-8, so nothing a SIP peer sends can break them or read as markup.
//  - Every response: nosniff, X-Frame-Options DENY, Cache-Control no-store and a
//    CSP of default-src 'none' plus 'self' for script/style/connect (app.js and
//    app.css are separate routes; nothing inline).
#include "device/web_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <strings.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <ctime>
#include <deque>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common/random.h"
#include "device/web_page.h"

namespace sipreg::device {
namespace {

using json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kUser = "admin";
constexpr std::string_view kRealm = "sipreg-device";
constexpr std::string_view kCookieName = "sipreg_session";
constexpr auto kSessionIdle = std::chrono::hours(1);
constexpr size_t kMaxSessions = 64;
constexpr size_t kMaxFailures = 5;  // wrong passwords per address per window...
constexpr auto kFailureWindow = std::chrono::seconds(60);
constexpr auto kLockout = std::chrono::seconds(60);  // ...then 429 for this long
constexpr size_t kMaxTrackedAddresses = 4096;
constexpr size_t kMaxBody = 1 << 20;
constexpr size_t kMaxLogEntries = 1000;
constexpr int kThreads = 8;

const char* const kHtml = "text/html; charset=utf-8";
const char* const kJson = "application/json";

// sha256(a) == sha256(b) in constant time, whatever the lengths.
bool SecretsEqual(std::string_view a, std::string_view b) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> da{}, db{};
  unsigned int la = 0, lb = 0;
  if (EVP_Digest(a.data(), a.size(), da.data(), &la, EVP_sha256(), nullptr) != 1 ||
      EVP_Digest(b.data(), b.size(), db.data(), &lb, EVP_sha256(), nullptr) != 1 || la != lb) {
    return false;
  }
  return CRYPTO_memcmp(da.data(), db.data(), la) == 0;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string HtmlEscape(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string Fill(std::string_view page, std::string_view placeholder, std::string_view value) {
  std::string out(page);
  const std::string escaped = HtmlEscape(value);
  for (size_t at = out.find(placeholder); at != std::string::npos;
       at = out.find(placeholder, at + escaped.size())) {
    out.replace(at, placeholder.size(), escaped);
  }
  return out;
}

// The value of cookie `name` in a Cookie header ("a=1; sipreg_session=…").
std::optional<std::string> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view part = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
  }
  return std::nullopt;
}

// Invalid UTF-8 (a reason phrase off the wire) is replaced, not thrown about.
// '<', '>' and '&' can only occur inside JSON strings; writing them as \u escapes
// keeps a hostile value from ever reading as markup, whatever sniffs the body.
std::string Dump(const json& j) {
  const std::string raw = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(Dump(body), kJson);
}

void SendError(httplib::Response& res, int status, std::string_view message) {
  SendJson(res, status, json{{"error", std::string(message)}});
}

std::string Iso8601Utc(WallTime t) {
  using namespace std::chrono;
  const auto ms = time_point_cast<milliseconds>(t).time_since_epoch().count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  const long long frac = ((ms % 1000) + 1000) % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

json RegistrationJson(const RegistrationView& r) {
  return json{{"id", r.id},
              {"type", r.type},
              {"extension", r.extension},
              {"auth_id", r.auth_id},
              {"status", r.status},
              {"code", r.code},
              {"reason", r.reason},
              {"detail", r.detail},
              {"expires_in", r.expires_in ? json(*r.expires_in) : json(nullptr)},
              {"server", r.server}};
}

std::optional<uint64_t> ParseSeq(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

struct WebServer::Impl {
  enum class AuthKind { kSession, kBasic };
  struct Auth {
    AuthKind kind;
    std::string session;  // kSession: the token
    std::string csrf;     // kSession: its CSRF token
  };
  struct Session {
    std::string csrf;
    SteadyClock::time_point last_use;
  };
  struct Failures {
    std::deque<SteadyClock::time_point> times;  // within the window, oldest first
    SteadyClock::time_point blocked_until{};
  };

  Impl(DeviceControl& c, std::string pw) : control_(c), password_(std::move(pw)) {}

  void Routes();
  std::optional<Auth> Authenticate(const httplib::Request& req, httplib::Response& res);
  bool CheckCsrf(const Auth& auth, const httplib::Request& req, httplib::Response& res);

  // Session and rate-limit bookkeeping; each takes mu_.
  std::optional<Auth> FindSession(const httplib::Request& req);
  std::pair<std::string, std::string> NewSession();  // {token, csrf}
  void EndSession(const std::string& token);
  bool Blocked(const std::string& addr);
  void RecordFailure(const std::string& addr);
  void ClearFailures(const std::string& addr);
  bool PasswordMatches(std::string_view given);
  void ChangePassword(std::string pw, const std::string* keep_session);

  void GetRoot(const httplib::Request& req, httplib::Response& res);
  void PostLogin(const httplib::Request& req, httplib::Response& res);
  void PostLogout(const httplib::Request& req, httplib::Response& res);
  void GetStatus(const httplib::Request& req, httplib::Response& res);
  void GetConfig(const httplib::Request& req, httplib::Response& res);
  void PutConfig(const httplib::Request& req, httplib::Response& res);
  void GetLog(const httplib::Request& req, httplib::Response& res);

  DeviceControl& control_;
  httplib::Server server_;
  std::thread thread_;
  bool started_ = false;  // Start/Stop are called from the owner's thread only
  std::atomic<bool> listen_returned_{false};

  std::mutex mu_;
  std::string password_;                                // guarded by mu_
  std::unordered_map<std::string, Session> sessions_;   // guarded by mu_
  std::unordered_map<std::string, Failures> failures_;  // guarded by mu_; key: address
};

std::optional<WebServer::Impl::Auth> WebServer::Impl::FindSession(const httplib::Request& req) {
  auto token = CookieValue(req.get_header_value("Cookie"), kCookieName);
  if (!token || token->empty()) return std::nullopt;
  const auto now = SteadyClock::now();
  std::lock_guard lock(mu_);
  auto it = sessions_.find(*token);
  if (it == sessions_.end()) return std::nullopt;
  if (now - it->second.last_use > kSessionIdle) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_use = now;
  return Auth{AuthKind::kSession, *token, it->second.csrf};
}

std::pair<std::string, std::string> WebServer::Impl::NewSession() {
  std::string token = OpenSslRandom::Instance().HexToken(64);
  std::string csrf = OpenSslRandom::Instance().HexToken(64);
  const auto now = SteadyClock::now();
  std::lock_guard lock(mu_);
  std::erase_if(sessions_, [&](const auto& s) { return now - s.second.last_use > kSessionIdle; });
  if (sessions_.size() >= kMaxSessions) {  // forget the least recently used
    auto oldest = std::min_element(
        sessions_.begin(), sessions_.end(),
        [](const auto& a, const auto& b) { return a.second.last_use < b.second.last_use; });
    sessions_.erase(oldest);
  }
  sessions_[token] = Session{csrf, now};
  return {token, csrf};
}

void WebServer::Impl::EndSession(const std::string& token) {
  std::lock_guard lock(mu_);
  sessions_.erase(token);
}

bool WebServer::Impl::Blocked(const std::string& addr) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(addr);
  return it != failures_.end() && SteadyClock::now() < it->second.blocked_until;
}

void WebServer::Impl::RecordFailure(const std::string& addr) {
  spdlog::warn("web: wrong password from {}", addr);
  const auto now = SteadyClock::now();
  std::lock_guard lock(mu_);
  if (failures_.size() >= kMaxTrackedAddresses && !failures_.contains(addr)) {
    std::erase_if(failures_, [&](const auto& f) {
      return now >= f.second.blocked_until &&
             (f.second.times.empty() || now - f.second.times.back() > kFailureWindow);
    });
    if (failures_.size() >= kMaxTrackedAddresses) failures_.erase(failures_.begin());
  }
  Failures& f = failures_[addr];
  while (!f.times.empty() && now - f.times.front() > kFailureWindow) f.times.pop_front();
  f.times.push_back(now);
  if (f.times.size() >= kMaxFailures) {
    f.blocked_until = now + kLockout;
    f.times.clear();
    spdlog::warn("web: {} wrong passwords from {}; refusing it for {} s", kMaxFailures, addr,
                 std::chrono::duration_cast<std::chrono::seconds>(kLockout).count());
  }
}

void WebServer::Impl::ClearFailures(const std::string& addr) {
  std::lock_guard lock(mu_);
  failures_.erase(addr);
}

bool WebServer::Impl::PasswordMatches(std::string_view given) {
  std::string expected;
  {
    std::lock_guard lock(mu_);
    expected = password_;
  }
  // An unset password never matches (the config parser requires one anyway).
  return !expected.empty() && SecretsEqual(given, expected);
}

void WebServer::Impl::ChangePassword(std::string pw, const std::string* keep_session) {
  std::lock_guard lock(mu_);
  if (pw == password_) return;
  password_ = std::move(pw);
  std::erase_if(sessions_,
                [&](const auto& s) { return !keep_session || s.first != *keep_session; });
}

// Fills `res` (401 or 429) and returns nullopt when the request is not allowed.
std::optional<WebServer::Impl::Auth> WebServer::Impl::Authenticate(const httplib::Request& req,
                                                                   httplib::Response& res) {
  if (auto session = FindSession(req)) return session;
  auto unauthorized = [&](std::string_view message) {
    // The page's own fetches say who they are, so an expired session sends the
    // page back to its login form instead of raising the browser's Basic dialog.
    if (!req.has_header("X-Requested-With")) {
      res.set_header("WWW-Authenticate", fmt::format("Basic realm=\"{}\"", kRealm));
    }
    SendError(res, 401, message);
    return std::nullopt;
  };
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBasic = "Basic ";
  if (header.size() < kBasic.size() ||
      strncasecmp(header.c_str(), kBasic.data(), kBasic.size()) != 0) {
    return unauthorized("log in first");
  }
  if (Blocked(req.remote_addr)) {
    res.set_header("Retry-After", std::to_string(kLockout.count()));
    SendError(res, 429, "too many wrong passwords; try again in a minute");
    return std::nullopt;
  }
  auto decoded = Base64Decode(std::string_view(header).substr(kBasic.size()));
  const size_t colon = decoded ? decoded->find(':') : std::string::npos;
  bool ok = false;
  if (colon != std::string::npos) {
    const bool user_ok = std::string_view(*decoded).substr(0, colon) == kUser;
    const bool password_ok = PasswordMatches(std::string_view(*decoded).substr(colon + 1));
    ok = user_ok && password_ok;
  }
  if (!ok) {
    RecordFailure(req.remote_addr);
    return unauthorized("wrong user or password");
  }
  return Auth{AuthKind::kBasic, {}, {}};
}

// Session-authenticated state changes must carry the session's CSRF token.
bool WebServer::Impl::CheckCsrf(const Auth& auth, const httplib::Request& req,
                                httplib::Response& res) {
  if (auth.kind != AuthKind::kSession) return true;
  std::string given = req.get_header_value("X-CSRF-Token");
  if (given.empty()) given = req.get_param_value("csrf");
  if (!given.empty() && SecretsEqual(given, auth.csrf)) return true;
  SendError(res, 403, "missing or wrong CSRF token; reload the page");
  return false;
}

void WebServer::Impl::GetRoot(const httplib::Request& req, httplib::Response& res) {
  if (auto session = FindSession(req)) {
    res.set_content(Fill(WebPageHtml(), kCsrfPlaceholder, session->csrf), kHtml);
  } else {
    res.set_content(Fill(LoginPageHtml(), kMessagePlaceholder, ""), kHtml);
  }
}

void WebServer::Impl::PostLogin(const httplib::Request& req, httplib::Response& res) {
  if (Blocked(req.remote_addr)) {
    res.status = 429;
    res.set_header("Retry-After", std::to_string(kLockout.count()));
    res.set_content(Fill(LoginPageHtml(), kMessagePlaceholder,
                         "Too many wrong passwords. Try again in a minute."),
                    kHtml);
    return;
  }
  if (!PasswordMatches(req.get_param_value("password"))) {
    RecordFailure(req.remote_addr);
    res.status = 401;  // no WWW-Authenticate: this is the form, not Basic
    res.set_content(Fill(LoginPageHtml(), kMessagePlaceholder, "Wrong password"), kHtml);
    return;
  }
  ClearFailures(req.remote_addr);
  auto [token, csrf] = NewSession();
  res.set_header("Set-Cookie",
                 fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/", kCookieName, token));
  res.set_redirect("/", 303);
}

void WebServer::Impl::PostLogout(const httplib::Request& req, httplib::Response& res) {
  if (auto session = FindSession(req)) {
    if (!CheckCsrf(*session, req, res)) return;
    EndSession(session->session);
  }
  res.set_header("Set-Cookie",
                 fmt::format("{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0", kCookieName));
  res.set_redirect("/", 303);
}

void WebServer::Impl::GetStatus(const httplib::Request& req, httplib::Response& res) {
  if (!Authenticate(req, res)) return;
  json rows = json::array();
  for (const RegistrationView& r : control_.Registrations()) rows.push_back(RegistrationJson(r));
  SendJson(res, 200, json{{"registrations", std::move(rows)}});
}

void WebServer::Impl::GetConfig(const httplib::Request& req, httplib::Response& res) {
  if (!Authenticate(req, res)) return;
  SendJson(res, 200, ConfigToJson(control_.CurrentConfig(), /*with_secrets=*/true));
}

void WebServer::Impl::PutConfig(const httplib::Request& req, httplib::Response& res) {
  auto auth = Authenticate(req, res);
  if (!auth || !CheckCsrf(*auth, req, res)) return;
  json body;
  try {  // nlohmann reports where the text went wrong only by exception; caught here
    body = json::parse(req.body);
  } catch (const json::exception& e) {
    SendError(res, 400, std::string("bad JSON: ") + e.what());
    return;
  }
  Result<DeviceConfig> config = Status::Internal("unset");
  try {
    config = ConfigFromJson(body, control_.CurrentConfig());
  } catch (const json::exception& e) {  // a wrongly typed field the reader did not check
    SendError(res, 400, std::string("config: ") + e.what());
    return;
  }
  if (!config.ok()) {
    SendError(res, 400, config.status().message());
    return;
  }
  std::string new_password = config->web.password;
  Status applied = control_.ApplyConfig(std::move(*config));
  if (!applied.ok()) {
    SendError(res, 500, applied.message());
    return;
  }
  // The session that changed the password stays logged in; all others end.
  ChangePassword(std::move(new_password),
                 auth->kind == AuthKind::kSession ? &auth->session : nullptr);
  SendJson(res, 200, json{{"ok", true}});
}

void WebServer::Impl::GetLog(const httplib::Request& req, httplib::Response& res) {
  if (!Authenticate(req, res)) return;
  uint64_t after = 0;
  if (req.has_param("after")) {
    auto seq = ParseSeq(req.get_param_value("after"));
    if (!seq) {
      SendError(res, 400, "after: expected a sequence number (digits)");
      return;
    }
    after = *seq;
  }
  json entries = json::array();
  for (const LogEntry& e : control_.Log().Since(after, kMaxLogEntries)) {
    entries.push_back(
        json{{"seq", e.seq}, {"time", Iso8601Utc(e.time)}, {"level", e.level}, {"text", e.text}});
  }
  SendJson(res, 200, json{{"entries", std::move(entries)}});
}

void WebServer::Impl::Routes() {
  using Handler = httplib::Server::Handler;
  auto bind = [this](void (Impl::*h)(const httplib::Request&, httplib::Response&)) -> Handler {
    return [this, h](const httplib::Request& req, httplib::Response& res) { (this->*h)(req, res); };
  };
  auto text = [](std::string_view (*body)(), const char* type) -> Handler {
    return [body, type](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(body()), type);
    };
  };
  struct Route {
    const char* path;
    Handler get, post, put;
  };
  const Route routes[] = {
      {"/", bind(&Impl::GetRoot), {}, {}},
      {"/app.js", text(&AppJs, "text/javascript; charset=utf-8"), {}, {}},
      {"/app.css", text(&AppCss, "text/css; charset=utf-8"), {}, {}},
      {"/favicon.ico",
       [](const httplib::Request&, httplib::Response& res) { res.status = 204; },
       {},
       {}},
      {"/login", {}, bind(&Impl::PostLogin), {}},
      {"/logout", {}, bind(&Impl::PostLogout), {}},
      {"/api/status", bind(&Impl::GetStatus), {}, {}},
      {"/api/config", bind(&Impl::GetConfig), {}, bind(&Impl::PutConfig)},
      {"/api/log", bind(&Impl::GetLog), {}, {}},
  };
  for (const Route& r : routes) {
    std::string allow;
    auto add = [&allow](std::string_view m) {
      allow += (allow.empty() ? "" : ", ") + std::string(m);
    };
    if (r.get) add("GET, HEAD");
    if (r.post) add("POST");
    if (r.put) add("PUT");
    Handler not_allowed = [allow](const httplib::Request&, httplib::Response& res) {
      res.set_header("Allow", allow);
      SendError(res, 405, "method not allowed");
    };
    server_.Get(r.path, r.get ? r.get : not_allowed);
    server_.Post(r.path, r.post ? r.post : not_allowed);
    server_.Put(r.path, r.put ? r.put : not_allowed);
    server_.Delete(r.path, not_allowed);
    server_.Patch(r.path, not_allowed);
    server_.Options(r.path, not_allowed);
  }

  server_.set_default_headers({
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-store"},
  });
  // 404 for unknown paths, 413 for oversized bodies, 400 for garbage: say so in JSON.
  server_.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        SendError(res, res.status,
                  res.status == 404   ? "not found"
                  : res.status == 413 ? "request body too large"
                                      : "bad request");
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("web: {} {} failed: {}", req.method, req.path, what);
        SendError(res, 500, "internal error");
      });
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, which would let
  // a second device bind the same port and silently share its requests.
  server_.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server_.set_payload_max_length(kMaxBody);
  server_.set_read_timeout(10);
  server_.set_write_timeout(10);
  server_.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
}

WebServer::WebServer(DeviceControl& control, std::string password)
    : impl_(std::make_unique<Impl>(control, std::move(password))) {}

WebServer::~WebServer() { Stop(); }

Result<uint16_t> WebServer::Start(const std::string& host, uint16_t port) {
  if (impl_->started_) return Status::AlreadyExists("web server already started");
  impl_->Routes();
  int bound = 0;
  if (port == 0) {
    bound = impl_->server_.bind_to_any_port(host);
  } else {
    bound = impl_->server_.bind_to_port(host, port) ? port : -1;
  }
  if (bound <= 0) {
    return Status::IoError(fmt::format("cannot listen for HTTP on {}:{}", host, port));
  }
  impl_->started_ = true;
  Impl* impl = impl_.get();
  impl->thread_ = std::thread([impl] {
    impl->server_.listen_after_bind();
    impl->listen_returned_ = true;
  });
  // httplib's stop() does nothing until the listen loop has marked itself
  // running; wait for that so a Stop() right after Start() cannot hang.
  while (!impl->server_.is_running() && !impl->listen_returned_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return static_cast<uint16_t>(bound);
}

void WebServer::Stop() {
  if (!impl_->thread_.joinable()) return;
  impl_->server_.stop();
  impl_->thread_.join();
}

void WebServer::SetPassword(std::string password) {
  impl_->ChangePassword(std::move(password), nullptr);
}

}  // namespace sipreg::device
