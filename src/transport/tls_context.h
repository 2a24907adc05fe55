// TLS configuration and the OpenSSL contexts (via asio::ssl) built from it.
// Server side: a certificate chain and private key (PEM files). Client side:
// peer verification is ON by default against the system CA store (or a given
// CA file); turning it off is an explicit choice for probing test servers.
// Per-connection client setup (SNI, host name / IP check) is in
// PrepareTlsClient. Minimum protocol version is TLS 1.2.
#pragma once

#include <asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace sipreg::transport {

struct TlsServerConfig {
  std::string certificate_chain_file;  // PEM, leaf first
  std::string private_key_file;        // PEM
};

struct TlsClientConfig {
  bool verify_peer = true;
  std::string ca_file;  // PEM bundle; empty: the system default CA paths
};

// Shared because every TLS connection keeps its context alive.
using TlsContextPtr = std::shared_ptr<asio::ssl::context>;

Result<TlsContextPtr> MakeTlsServerContext(const TlsServerConfig& config);
Result<TlsContextPtr> MakeTlsClientContext(const TlsClientConfig& config);

// Sets SNI (only for a non-IP `server_name`) and, if `verify_peer`, what the
// certificate must name: `server_name`, or `peer_ip` when no name is given.
// `ssl` is the native handle of a client-side stream before its handshake.
Status PrepareTlsClient(SSL* ssl, std::string_view server_name, std::string_view peer_ip,
                        bool verify_peer);

}  // namespace sipreg::transport
