// CaresLookup: DnsLookup over c-ares (Debian's libc-ares) — NAPTR, SRV, A and
// AAAA queries to the system's DNS servers (/etc/resolv.conf) or to one given
// server. Without a given server, Addresses() goes through getaddrinfo so that
// /etc/hosts and nsswitch apply as for any other program.
//
// Queries are synchronous (each waits at most `timeout` per try, two tries):
// the engine resolves at start and when a registration is due after a failure.
// Thread affinity: one thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "device/device_config.h"
#include "device/sip_resolver.h"

namespace sipreg::device {

class CaresLookup final : public DnsLookup {
 public:
  // `server`: empty for the system configuration.
  static Result<std::unique_ptr<CaresLookup>> Create(
      const HostPort& server, std::chrono::milliseconds timeout = std::chrono::milliseconds(1500));
  ~CaresLookup() override;
  CaresLookup(const CaresLookup&) = delete;
  CaresLookup& operator=(const CaresLookup&) = delete;

  Result<std::vector<NaptrRecord>> Naptr(const std::string& name) override;
  Result<std::vector<SrvRecord>> Srv(const std::string& name) override;
  Result<std::vector<std::string>> Addresses(const std::string& name) override;

 private:
  struct Channel;
  CaresLookup(std::unique_ptr<Channel> channel, bool system_resolver);
  // One query; the raw answer, or NotFound / Unavailable.
  Result<std::vector<unsigned char>> Query(const std::string& name, int type);

  std::unique_ptr<Channel> channel_;
  bool system_resolver_;
};

}  // namespace sipreg::device
