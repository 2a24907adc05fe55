#include "transport/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <exception>
#include <optional>
#include <string>
#include <system_error>

#include "transport/ip_address.h"

namespace sipreg::transport {
namespace {

Result<TlsContextPtr> NewContext(asio::ssl::context::method method) {
  TlsContextPtr ctx;
  try {
    ctx = std::make_shared<asio::ssl::context>(method);
  } catch (const std::exception& e) {  // only SSL_CTX_new failing (out of memory)
    return Status::Internal(std::string("cannot create TLS context: ") + e.what());
  }
  std::error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression,
                   ec);
  if (ec) return Status::Internal("TLS options: " + ec.message());
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
    return Status::Internal("cannot require TLS 1.2");
  }
  return ctx;
}

}  // namespace

Result<TlsContextPtr> MakeTlsServerContext(const TlsServerConfig& config) {
  Result<TlsContextPtr> made = NewContext(asio::ssl::context::tls_server);
  if (!made.ok()) return made.status();
  TlsContextPtr ctx = std::move(made).value();
  std::error_code ec;
  ctx->use_certificate_chain_file(config.certificate_chain_file, ec);
  if (ec) {
    return Status::InvalidArgument("TLS certificate '" + config.certificate_chain_file +
                                   "': " + ec.message());
  }
  ctx->use_private_key_file(config.private_key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return Status::InvalidArgument("TLS private key '" + config.private_key_file +
                                   "': " + ec.message());
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("TLS private key does not match the certificate");
  }
  return ctx;
}

Result<TlsContextPtr> MakeTlsClientContext(const TlsClientConfig& config) {
  Result<TlsContextPtr> made = NewContext(asio::ssl::context::tls_client);
  if (!made.ok()) return made.status();
  TlsContextPtr ctx = std::move(made).value();
  std::error_code ec;
  if (!config.verify_peer) {
    ctx->set_verify_mode(asio::ssl::verify_none, ec);
    if (ec) return Status::Internal("TLS verify mode: " + ec.message());
    return ctx;
  }
  ctx->set_verify_mode(asio::ssl::verify_peer, ec);
  if (ec) return Status::Internal("TLS verify mode: " + ec.message());
  if (config.ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec) return Status::IoError("system CA store: " + ec.message());
  } else {
    ctx->load_verify_file(config.ca_file, ec);
    if (ec) return Status::InvalidArgument("TLS CA file '" + config.ca_file + "': " + ec.message());
  }
  return ctx;
}

Status PrepareTlsClient(SSL* ssl, std::string_view server_name, std::string_view peer_ip,
                        bool verify_peer) {
  const bool name_is_ip = !server_name.empty() && ParseIpLiteral(server_name).has_value();
  const std::string name(server_name);
  // RFC 6066 §3: SNI carries host names only, never IP literals.
  if (!name.empty() && !name_is_ip && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("bad TLS server name '" + name + "'");
  }
  if (!verify_peer) return Status::Ok();

  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (!name.empty() && !name_is_ip) {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(ssl, name.c_str()) != 1) {
      ERR_clear_error();
      return Status::InvalidArgument("bad TLS server name '" + name + "'");
    }
    return Status::Ok();
  }
  std::optional<asio::ip::address> ip = ParseIpLiteral(name_is_ip ? server_name : peer_ip);
  const std::string ip_text = ip ? ip->to_string() : std::string();
  if (ip_text.empty() || X509_VERIFY_PARAM_set1_ip_asc(param, ip_text.c_str()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("cannot verify the TLS peer by IP '" + std::string(peer_ip) +
                                   "'");
  }
  return Status::Ok();
}

}  // namespace sipreg::transport
