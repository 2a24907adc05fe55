// Digest computations shared by the client and the server side (RFC 2617 §3.2.2,
// RFC 7616 §3.4, RFC 8760): algorithm names, H(), HA1, the request-digest, and
// DigestSecret, which is what one side knows about a user's password (the
// password itself or pre-computed HA1 values such as Asterisk's md5secret or
// pjsip's md5_cred). Hashing uses OpenSSL 3 EVP; every function is pure and
// thread-safe. Hex output is lowercase.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace sipreg::sip {

enum class DigestAlgorithm : uint8_t {
  kMd5,
  kMd5Sess,
  kSha256,
  kSha256Sess,
  kSha512_256,
  kSha512_256Sess,
};
inline constexpr size_t kDigestAlgorithmCount = 6;

// "MD5", "MD5-sess", "SHA-256", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess".
// Case-insensitive. An empty name is NOT accepted here; callers that handle an
// absent algorithm parameter use DigestAlgorithmOrMd5().
std::optional<DigestAlgorithm> ParseDigestAlgorithm(std::string_view name);
// An absent (empty) algorithm parameter means MD5 (RFC 2617 §3.2.1).
std::optional<DigestAlgorithm> DigestAlgorithmOrMd5(std::string_view name);
std::string_view DigestAlgorithmName(DigestAlgorithm alg);
bool IsSessionAlgorithm(DigestAlgorithm alg);
// The non-session algorithm with the same hash (kSha256Sess -> kSha256).
DigestAlgorithm BaseAlgorithm(DigestAlgorithm alg);
// Length of H() output in hex characters: 32 for MD5, 64 otherwise.
size_t DigestHexLength(DigestAlgorithm alg);

// A small set of algorithms (e.g. what a server allows).
class DigestAlgorithmSet {
 public:
  constexpr DigestAlgorithmSet() = default;
  constexpr DigestAlgorithmSet(std::initializer_list<DigestAlgorithm> algs) {
    for (DigestAlgorithm a : algs) Add(a);
  }
  static constexpr DigestAlgorithmSet All() {
    DigestAlgorithmSet s;
    s.bits_ = (1u << kDigestAlgorithmCount) - 1;
    return s;
  }
  constexpr void Add(DigestAlgorithm a) { bits_ |= 1u << static_cast<unsigned>(a); }
  constexpr bool Contains(DigestAlgorithm a) const {
    return (bits_ >> static_cast<unsigned>(a)) & 1u;
  }
  constexpr bool empty() const { return bits_ == 0; }

 private:
  unsigned bits_ = 0;
};

// Quality of protection (RFC 7616 §3.3). kNone is the RFC 2069 compatible form.
enum class Qop : uint8_t { kNone, kAuth, kAuthInt };
// "auth" / "auth-int" (case-insensitive) ; empty -> kNone; anything else -> nullopt.
std::optional<Qop> ParseQop(std::string_view name);
std::string_view QopName(Qop qop);  // "", "auth", "auth-int"

// H(data) in lowercase hex, using the hash of `alg` (session variants use
// their base hash). Internal error only if OpenSSL cannot provide the hash
// (e.g. MD5 under a FIPS-only provider).
Result<std::string> DigestHash(DigestAlgorithm alg, std::string_view data);

// H(username ":" realm ":" password): the HA1 stored by registrars. For -sess
// algorithms this is still the plain value; ComputeResponse() applies the
// session step.
Result<std::string> ComputeHa1(DigestAlgorithm alg, std::string_view username,
                               std::string_view realm, std::string_view password);

// H(username ":" realm), the hashed username of RFC 7616 §3.4.4.
Result<std::string> ComputeUserhash(DigestAlgorithm alg, std::string_view username,
                                    std::string_view realm);

// The request-digest ("response") of RFC 7616 §3.4.1:
//   HA1' = HA1                             (non-session)
//        = H(HA1 ":" nonce ":" cnonce)     (-sess)
//   HA2  = H(method ":" uri)               (qop none / auth)
//        = H(method ":" uri ":" H(body))   (auth-int)
//   response = H(HA1' ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)  (qop auth / auth-int)
//            = H(HA1' ":" nonce ":" HA2)                            (qop none)
// `ha1` is the hex value from ComputeHa1 (any case; it is lowercased). `nc`
// and `cnonce` are used as written. InvalidArgument if ha1 has the wrong
// length or is not hex, or if cnonce is empty where it is needed (qop or -sess).
Result<std::string> ComputeResponse(DigestAlgorithm alg, std::string_view ha1,
                                    std::string_view nonce, std::string_view nc,
                                    std::string_view cnonce, Qop qop, std::string_view method,
                                    std::string_view uri, std::string_view body);

// What one side knows about a user's password: the password itself and/or
// pre-computed HA1 = H(username:realm:password) per hash. A pre-computed HA1
// is bound to the username and realm it was computed for; that is the
// caller's business.
struct DigestSecret {
  std::optional<std::string> password;
  std::optional<std::string> ha1_md5;         // 32 hex, e.g. Asterisk md5secret
  std::optional<std::string> ha1_sha256;      // 64 hex
  std::optional<std::string> ha1_sha512_256;  // 64 hex

  static DigestSecret FromPassword(std::string password);
  // The HA1 slot for alg's hash (-sess picks the same slot as its base).
  static DigestSecret FromHa1(DigestAlgorithm alg, std::string ha1_hex);

  // True when the password is known or an HA1 for alg's hash is stored.
  bool Supports(DigestAlgorithm alg) const;
  // HA1 for alg: the stored one, else computed from the password. NotFound
  // when neither exists.
  Result<std::string> Ha1For(DigestAlgorithm alg, std::string_view username,
                             std::string_view realm) const;
};

// Lowercase hex of raw bytes.
std::string HexEncode(std::span<const uint8_t> bytes);

}  // namespace sipreg::sip
