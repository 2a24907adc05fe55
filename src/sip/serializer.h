// MessageBuilder: builds requests and responses as text with a correct
// Content-Length. Serialize(const Message&) re-emits a parsed message so that
// Parse(Serialize(m)) is equivalent to m. MakeResponse() copies Via, From, To
// (adding a To tag when asked), Call-ID and CSeq from a request (RFC 3261 §8.2.6).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sip/message.h"

namespace sipreg::sip {

class MessageBuilder {
 public:
  static MessageBuilder Request(std::string_view method, std::string_view request_uri);
  static MessageBuilder Response(int status_code, std::string_view reason);
  // A builder holding every line of `m` (Content-Length is recomputed on Build()).
  static MessageBuilder From(const Message& m);

  MessageBuilder& AddHeader(std::string_view name, std::string_view value);
  // Inserts before all other headers (e.g. a new top Via).
  MessageBuilder& PrependHeader(std::string_view name, std::string_view value);
  // Removes every header with this name (case-insensitive, compact forms match).
  MessageBuilder& RemoveHeader(std::string_view name);
  // Replaces the value of every header with this name, or adds one.
  MessageBuilder& SetHeader(std::string_view name, std::string_view value);
  MessageBuilder& SetBody(std::string_view content_type, std::string_view body);

  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }

  // Start line, headers (Content-Length last, computed from the body), CRLF, body.
  std::string Build() const;

 private:
  std::string start_line_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_;
};

std::string Serialize(const Message& m);

// Standard reason phrase for a status code ("OK", "Unauthorized", ...); "" if unknown.
std::string_view DefaultReason(int status_code);

// Response to `request` per RFC 3261 §8.2.6: copies every Via (in order), From,
// To, Call-ID and CSeq. If `to_tag` is non-empty and To has no tag, appends ";tag=to_tag".
// reason empty -> DefaultReason(code).
MessageBuilder MakeResponse(const Message& request, int status_code, std::string_view reason = {},
                            std::string_view to_tag = {});

}  // namespace sipreg::sip
