// Message: one parsed SIP request or response. It owns a copy of the bytes it
// was parsed from; every string_view it hands out points into that buffer and
// stays valid as long as the Message lives (moving a Message keeps them valid;
// Messages are move-only). Built by Parse() in parser.h; immutable afterwards.
// To change a message, copy it into a MessageBuilder (serializer.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/header_id.h"
#include "sip/method.h"

namespace sipreg::sip {

struct Header {
  HeaderId id = HeaderId::kOther;
  std::string_view name;   // as written (may be a compact form such as "v")
  std::string_view value;  // trimmed; obsolete line folding replaced by spaces
};

class Message {
 public:
  Message() = default;
  Message(Message&&) noexcept = default;
  Message& operator=(Message&&) noexcept = default;
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;

  bool is_request() const { return is_request_; }
  bool is_response() const { return !is_request_; }

  // Request line. Method() is kUnknown for extension methods; method_name() always works.
  Method method() const { return method_; }
  std::string_view method_name() const { return method_name_; }
  std::string_view request_uri() const { return request_uri_; }

  // Status line.
  int status_code() const { return status_code_; }
  std::string_view reason_phrase() const { return reason_; }

  std::string_view version() const { return version_; }  // "SIP/2.0"

  // Every header line in order (a header line may hold several comma-separated values).
  const std::vector<Header>& headers() const { return headers_; }

  // The first header with this id, or nullptr.
  const Header* Find(HeaderId id) const;
  // The first header with this name (case-insensitive; compact forms match their full name).
  const Header* Find(std::string_view name) const;
  // Value of the first header with this id, or empty.
  std::string_view Value(HeaderId id) const;
  // Number of header lines with this id.
  size_t Count(HeaderId id) const;
  // All values with this id. List headers (IsListHeader) are split at top-level
  // commas, so "Via: a, b" + "Via: c" gives {a, b, c}; other headers give one
  // entry per header line.
  std::vector<std::string_view> Values(HeaderId id) const;

  std::string_view body() const { return body_; }
  // The whole message as received (after line-folding normalisation).
  std::string_view raw() const { return std::string_view(buf_.get(), size_); }

  // Convenience accessors for the mandatory headers (empty if absent).
  std::string_view call_id() const { return Value(HeaderId::kCallId); }
  std::string_view from() const { return Value(HeaderId::kFrom); }
  std::string_view to() const { return Value(HeaderId::kTo); }
  std::string_view cseq() const { return Value(HeaderId::kCSeq); }
  // Top-most Via value (the first entry of the first Via header), or empty.
  std::string_view top_via() const;

 private:
  friend class MessageParser;

  std::unique_ptr<char[]> buf_;
  size_t size_ = 0;
  bool is_request_ = false;
  Method method_ = Method::kUnknown;
  std::string_view method_name_;
  std::string_view request_uri_;
  int status_code_ = 0;
  std::string_view reason_;
  std::string_view version_;
  std::vector<Header> headers_;
  std::string_view body_;
};

}  // namespace sipreg::sip
