// Writes a fresh self-signed EC P-256 certificate and key (PEM) into a new
// temporary directory, for TLS tests. The certificate names 127.0.0.1, ::1 and
// "localhost" in subjectAltName and is valid for one day. Built with the
// OpenSSL API, no external tools.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace sipreg::transport::testing {

struct SelfSignedCert {
  std::string dir;
  std::string cert_file;
  std::string key_file;
};

// Empty paths on failure.
inline SelfSignedCert MakeSelfSignedCert() {
  SelfSignedCert out;
  std::string templ = "/tmp/sipreg-tls-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) return out;

  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) return out;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("sipreg test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::pair<int, const char*> extensions[] = {
      {NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost"},
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,digitalSignature,keyCertSign"},
  };
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return out;
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return out;

  const std::string cert_file = templ + "/cert.pem";
  const std::string key_file = templ + "/key.pem";
  FILE* f = std::fopen(cert_file.c_str(), "w");
  if (f == nullptr) return out;
  const bool cert_ok = PEM_write_X509(f, cert.get()) == 1;
  std::fclose(f);
  f = std::fopen(key_file.c_str(), "w");
  if (f == nullptr) return out;
  const bool key_ok =
      PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  if (!cert_ok || !key_ok) return out;
  out.dir = templ;
  out.cert_file = cert_file;
  out.key_file = key_file;
  return out;
}

inline void RemoveSelfSignedCert(const SelfSignedCert& c) {
  if (c.dir.empty()) return;
  std::remove(c.cert_file.c_str());
  std::remove(c.key_file.c_str());
  std::remove(c.dir.c_str());
}

}  // namespace sipreg::transport::testing
