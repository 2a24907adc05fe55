// HttpStatusServer: sipregd's HTTP side on `httpbindaddr` (cpp-httplib):
//   GET /           the status page (status_page.h)
//   GET /api/peers  `sip show peers --json`: [{name, username, host, port, dynamic,
//                   nat, acl, status, contacts: [{uri, received, transport,
//                   expires, user_agent, rtt_ms, status}]}]
//   GET /metrics    Prometheus text (metrics.h)
// Read-only; anything else is 404 (405 for other methods on these paths).
//
// Thread affinity: cpp-httplib serves on its own threads; every handler runs
// its query on the io thread (posted, then waited for up to 5 s; 503 if the io
// loop does not answer), so the registrar's state is only touched there.
// Start() and Stop() are called from the io thread's owner (main).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <asio/io_context.hpp>

#include "common/status.h"
#include "sip/endpoint.h"

namespace httplib {
class Server;
}

namespace sipreg::registrar {

struct HttpQueries {
  std::function<std::string()> status_page;  // text/html
  std::function<std::string()> peers_json;   // application/json
  std::function<std::string()> metrics;      // text/plain; version=0.0.4
};

class HttpStatusServer {
 public:
  HttpStatusServer(asio::io_context& io, HttpQueries queries);
  ~HttpStatusServer();  // stops serving
  HttpStatusServer(const HttpStatusServer&) = delete;
  HttpStatusServer& operator=(const HttpStatusServer&) = delete;

  // Binds ip:port now (port 0: any free port) and starts serving on a thread.
  Result<sip::Endpoint> Start(const sip::Endpoint& bind);
  void Stop();

 private:
  asio::io_context& io_;
  HttpQueries queries_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace sipreg::registrar
