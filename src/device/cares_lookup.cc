#include "device/cares_lookup.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <sys/select.h>

#include <ares.h>
#include <algorithm>
#include <mutex>

#include <fmt/format.h>

namespace sipreg::device {
namespace {

struct QueryState {
  bool done = false;
  int status = ARES_SUCCESS;
  std::vector<unsigned char> answer;
};

void OnAnswer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  auto* st = static_cast<QueryState*>(arg);
  st->done = true;
  st->status = status;
  if (status == ARES_SUCCESS && abuf != nullptr && alen > 0) st->answer.assign(abuf, abuf + alen);
}

Status FromAres(int status, const std::string& what) {
  if (status == ARES_ENODATA || status == ARES_ENOTFOUND) {
    return Status::NotFound(fmt::format("{}: no records", what));
  }
  return Status::Unavailable(fmt::format("{}: {}", what, ares_strerror(status)));
}

}  // namespace

struct CaresLookup::Channel {
  ares_channel channel = nullptr;
  ~Channel() {
    if (channel != nullptr) ares_destroy(channel);
  }
};

Result<std::unique_ptr<CaresLookup>> CaresLookup::Create(const HostPort& server,
                                                         std::chrono::milliseconds timeout) {
  static std::once_flag init;
  static int init_status = ARES_SUCCESS;
  std::call_once(init, [] { init_status = ares_library_init(ARES_LIB_INIT_ALL); });
  if (init_status != ARES_SUCCESS) return FromAres(init_status, "c-ares init");

  auto ch = std::make_unique<Channel>();
  ares_options opts{};
  opts.timeout = static_cast<int>(timeout.count());
  opts.tries = 2;
  int rc = ares_init_options(&ch->channel, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
  if (rc != ARES_SUCCESS) return FromAres(rc, "c-ares init");
  if (!server.empty()) {
    const bool v6 = server.host.find(':') != std::string::npos;
    const std::string csv = fmt::format("{}{}{}:{}", v6 ? "[" : "", server.host, v6 ? "]" : "",
                                        server.port.value_or(53));
    rc = ares_set_servers_ports_csv(ch->channel, csv.c_str());
    if (rc != ARES_SUCCESS) return FromAres(rc, "dns_server " + server.ToString());
  }
  return std::unique_ptr<CaresLookup>(new CaresLookup(std::move(ch), server.empty()));
}

CaresLookup::CaresLookup(std::unique_ptr<Channel> channel, bool system_resolver)
    : channel_(std::move(channel)), system_resolver_(system_resolver) {}

CaresLookup::~CaresLookup() = default;

Result<std::vector<unsigned char>> CaresLookup::Query(const std::string& name, int type) {
  QueryState st;
  ares_query(channel_->channel, name.c_str(), ns_c_in, type, OnAnswer, &st);
  while (!st.done) {
    fd_set readers, writers;
    FD_ZERO(&readers);
    FD_ZERO(&writers);
    const int nfds = ares_fds(channel_->channel, &readers, &writers);
    if (nfds == 0) break;
    timeval tv{};
    timeval* tvp = ares_timeout(channel_->channel, nullptr, &tv);
    select(nfds, &readers, &writers, nullptr, tvp);
    ares_process(channel_->channel, &readers, &writers);
  }
  if (!st.done) {
    // The query still points at `st`: cancel it (its callback runs now, while
    // `st` is alive) before this frame goes away.
    ares_cancel(channel_->channel);
    return Status::Unavailable(name + ": the DNS query did not finish");
  }
  if (st.status != ARES_SUCCESS) return FromAres(st.status, name);
  return std::move(st.answer);
}

Result<std::vector<NaptrRecord>> CaresLookup::Naptr(const std::string& name) {
  auto answer = Query(name, ns_t_naptr);
  if (!answer.ok()) return answer.status();
  ares_naptr_reply* reply = nullptr;
  const int rc = ares_parse_naptr_reply(answer->data(), static_cast<int>(answer->size()), &reply);
  if (rc != ARES_SUCCESS) return FromAres(rc, "NAPTR " + name);
  std::vector<NaptrRecord> out;
  for (auto* r = reply; r != nullptr; r = r->next) {
    NaptrRecord n;
    n.order = r->order;
    n.preference = r->preference;
    n.flags = reinterpret_cast<const char*>(r->flags);
    n.service = reinterpret_cast<const char*>(r->service);
    n.regexp = reinterpret_cast<const char*>(r->regexp);
    n.replacement = r->replacement != nullptr ? r->replacement : "";
    out.push_back(std::move(n));
  }
  ares_free_data(reply);
  if (out.empty()) return Status::NotFound("NAPTR " + name + ": no records");
  return out;
}

Result<std::vector<SrvRecord>> CaresLookup::Srv(const std::string& name) {
  auto answer = Query(name, ns_t_srv);
  if (!answer.ok()) return answer.status();
  ares_srv_reply* reply = nullptr;
  const int rc = ares_parse_srv_reply(answer->data(), static_cast<int>(answer->size()), &reply);
  if (rc != ARES_SUCCESS) return FromAres(rc, "SRV " + name);
  std::vector<SrvRecord> out;
  for (auto* r = reply; r != nullptr; r = r->next) {
    out.push_back({r->priority, r->weight, r->port, r->host != nullptr ? r->host : ""});
  }
  ares_free_data(reply);
  if (out.empty()) return Status::NotFound("SRV " + name + ": no records");
  return out;
}

Result<std::vector<std::string>> CaresLookup::Addresses(const std::string& name) {
  std::vector<std::string> out;
  if (system_resolver_) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* res = nullptr;
    const int rc = getaddrinfo(name.c_str(), nullptr, &hints, &res);
    if (rc != 0) {
      return rc == EAI_NONAME || rc == EAI_NODATA
                 ? Status::NotFound(name + ": no address")
                 : Status::Unavailable(fmt::format("{}: {}", name, gai_strerror(rc)));
    }
    // IPv4 first, then IPv6, each in the resolver's order.
    for (int family : {AF_INET, AF_INET6}) {
      for (auto* a = res; a != nullptr; a = a->ai_next) {
        if (a->ai_family != family) continue;
        char buf[INET6_ADDRSTRLEN] = {};
        const void* src = family == AF_INET
                              ? static_cast<const void*>(
                                    &reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                              : static_cast<const void*>(
                                    &reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
        if (inet_ntop(family, src, buf, sizeof(buf)) == nullptr) continue;
        if (std::find(out.begin(), out.end(), buf) == out.end()) out.emplace_back(buf);
      }
    }
    freeaddrinfo(res);
  } else {
    Status last = Status::NotFound(name + ": no address");
    for (int type : {ns_t_a, ns_t_aaaa}) {
      auto answer = Query(name, type);
      if (!answer.ok()) {
        if (answer.status().code() != StatusCode::kNotFound) last = answer.status();
        continue;
      }
      hostent* host = nullptr;
      const int len = static_cast<int>(answer->size());
      const int rc = type == ns_t_a ? ares_parse_a_reply(answer->data(), len, &host, nullptr, nullptr)
                                    : ares_parse_aaaa_reply(answer->data(), len, &host, nullptr,
                                                            nullptr);
      if (rc != ARES_SUCCESS || host == nullptr) continue;
      for (char** p = host->h_addr_list; *p != nullptr; ++p) {
        char buf[INET6_ADDRSTRLEN] = {};
        if (inet_ntop(host->h_addrtype, *p, buf, sizeof(buf)) != nullptr) out.emplace_back(buf);
      }
      ares_free_hostent(host);
    }
    if (out.empty()) return last;
  }
  if (out.empty()) return Status::NotFound(name + ": no address");
  return out;
}

}  // namespace sipreg::device
