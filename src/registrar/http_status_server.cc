#include "registrar/http_status_server.h"

#include <chrono>
#include <future>
#include <optional>

#include <asio/post.hpp>
#include <httplib.h>

namespace sipreg::registrar {
namespace {

constexpr auto kIoTimeout = std::chrono::seconds(5);

// Runs `query` on the io thread and waits for its answer; nullopt on timeout.
std::optional<std::string> OnIoThread(asio::io_context& io,
                                      const std::function<std::string()>& query) {
  auto promise = std::make_shared<std::promise<std::string>>();
  auto answer = promise->get_future();
  asio::post(io, [promise, query] { promise->set_value(query()); });
  if (answer.wait_for(kIoTimeout) != std::future_status::ready) return std::nullopt;
  return answer.get();
}

}  // namespace

HttpStatusServer::HttpStatusServer(asio::io_context& io, HttpQueries queries)
    : io_(io), queries_(std::move(queries)), server_(std::make_unique<httplib::Server>()) {}

HttpStatusServer::~HttpStatusServer() { Stop(); }

Result<sip::Endpoint> HttpStatusServer::Start(const sip::Endpoint& bind) {
  auto route = [this](const std::string& path, std::function<std::string()> query,
                      std::string content_type) {
    server_->Get(path, [this, query, content_type](const httplib::Request&,
                                                    httplib::Response& res) {
      auto body = OnIoThread(io_, query);
      if (!body) {
        res.status = 503;
        res.set_content("sipregd is busy\n", "text/plain");
        return;
      }
      res.set_header("Cache-Control", "no-store");
      res.set_content(*body, content_type.c_str());
    });
    auto not_allowed = [](const httplib::Request&, httplib::Response& res) {
      res.status = 405;
      res.set_header("Allow", "GET, HEAD");
      res.set_content("read-only\n", "text/plain");
    };
    server_->Post(path, not_allowed);
    server_->Put(path, not_allowed);
    server_->Delete(path, not_allowed);
  };
  route("/", queries_.status_page, "text/html; charset=utf-8");
  route("/api/peers", queries_.peers_json, "application/json");
  route("/metrics", queries_.metrics, "text/plain; version=0.0.4; charset=utf-8");
  server_->set_default_headers({{"X-Content-Type-Options", "nosniff"},
                                {"Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'"}});
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };

  int port = 0;
  if (bind.port == 0) {
    port = server_->bind_to_any_port(bind.ip);
  } else {
    port = server_->bind_to_port(bind.ip, bind.port) ? bind.port : -1;
  }
  if (port <= 0) {
    return Status::IoError("cannot listen for HTTP on " + bind.ToString());
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  sip::Endpoint bound = bind;
  bound.transport = sip::TransportKind::kTcp;
  bound.port = static_cast<uint16_t>(port);
  return bound;
}

void HttpStatusServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace sipreg::registrar
