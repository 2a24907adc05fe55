#include "sip/framer.h"

#include <cstring>
#include <optional>

#include "sip/grammar.h"

namespace sipreg::sip {

namespace {

constexpr size_t kCompactThreshold = 4096;

// Length of the line break at d: 2 for CRLF, 1 for a bare LF (accepted
// leniently), 0 if d does not start with a break, -1 if more bytes are needed
// to tell, -2 for a CR followed by something other than LF.
int LineBreak(const char* d, size_t avail) {
  if (avail == 0) return -1;
  if (d[0] == '\n') return 1;
  if (d[0] != '\r') return 0;
  if (avail < 2) return -1;
  return d[1] == '\n' ? 2 : -2;
}

std::string_view TrimLws(std::string_view s) {
  auto lws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && lws(s.front())) s.remove_prefix(1);
  while (!s.empty() && lws(s.back())) s.remove_suffix(1);
  return s;
}

// Content-Length of a complete header section (start line through the empty
// line). Required on streams (RFC 3261 §18.3); several must agree.
Result<size_t> StreamContentLength(std::string_view block) {
  std::optional<uint32_t> found;
  size_t p = block.find('\n');
  p = (p == std::string_view::npos) ? block.size() : p + 1;
  while (p < block.size()) {
    size_t end = block.find('\n', p);
    if (end == std::string_view::npos) end = block.size();
    while (end + 1 < block.size() && grammar::IsWs(block[end + 1])) {  // folded continuation
      end = block.find('\n', end + 1);
      if (end == std::string_view::npos) end = block.size();
    }
    std::string_view line = block.substr(p, end - p);
    p = end + 1;
    if (line.empty() || line == "\r") break;  // the empty line
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // Parse() reports it
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && grammar::IsWs(name.back())) name.remove_suffix(1);
    if (LookupHeaderId(name) != HeaderId::kContentLength) continue;
    std::optional<uint32_t> value = grammar::ParseUint32(TrimLws(line.substr(colon + 1)));
    if (!value) return Status::InvalidArgument("malformed Content-Length");
    if (found && *found != *value)
      return Status::InvalidArgument("conflicting Content-Length headers");
    found = value;
  }
  if (!found)
    return Status::InvalidArgument("missing Content-Length (required on stream transports)");
  return static_cast<size_t>(*found);
}

}  // namespace

void StreamFramer::Feed(std::string_view bytes) {
  if (broken_ || bytes.empty()) return;
  Compact();
  buf_.append(bytes);
}

void StreamFramer::Compact() {
  if (pos_ == 0) return;
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ >= kCompactThreshold || pos_ * 2 >= buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
}

StreamFramer::Event StreamFramer::Fail(Status status) {
  broken_ = true;
  error_ = status;
  buf_.clear();
  pos_ = 0;
  Event ev;
  ev.kind = Kind::kError;
  ev.status = std::move(status);
  return ev;
}

StreamFramer::Event StreamFramer::Next() {
  Event ev;
  if (broken_) {
    ev.kind = Kind::kError;
    ev.status = error_;
    return ev;
  }
  const char* d = buf_.data() + pos_;
  const size_t avail = buf_.size() - pos_;
  if (avail == 0) return ev;

  // Between messages: CRLF keep-alives (RFC 5626 §4.4.1).
  if (message_size_ == 0 && scanned_ == 0 && (d[0] == '\r' || d[0] == '\n')) {
    const int first = LineBreak(d, avail);
    if (first == -1) return ev;
    if (first == -2) return Fail(Status::InvalidArgument("stray CR between messages"));
    const size_t rest = avail - static_cast<size_t>(first);
    const int second = LineBreak(d + first, rest);
    if (second > 0) {  // CRLFCRLF: a ping
      pos_ += static_cast<size_t>(first + second);
      pending_crlf_ = false;
      ev.kind = Kind::kKeepAlive;
      return ev;
    }
    if (second == -1 && rest > 0) return ev;  // "CRLF CR": wait for the LF
    // A lone CRLF. If it ends the buffer it might be half of a ping split
    // across reads; a CRLF that follows such a one completes the ping.
    pos_ += static_cast<size_t>(first);
    if (pending_crlf_) {
      pending_crlf_ = false;
      ev.kind = Kind::kKeepAlive;
    } else {
      pending_crlf_ = rest == 0 && !expect_pongs_;
      ev.kind = Kind::kPong;
    }
    return ev;
  }
  pending_crlf_ = false;

  if (message_size_ == 0) {
    size_t header_end = 0;
    size_t i = scanned_;
    while (i < avail) {
      const auto* nl = static_cast<const char*>(std::memchr(d + i, '\n', avail - i));
      if (nl == nullptr) {
        i = avail;
        break;
      }
      const size_t k = static_cast<size_t>(nl - d);
      const int brk = LineBreak(d + k + 1, avail - k - 1);
      if (brk > 0) {
        header_end = k + 1 + static_cast<size_t>(brk);
        break;
      }
      if (brk == -1) {  // cannot tell yet whether an empty line follows
        i = k;
        break;
      }
      i = k + 1;
    }
    if (header_end == 0) {
      scanned_ = i;
      if (avail > limits_.max_message_bytes) {
        return Fail(Status::LimitExceeded("header section exceeds max_message_bytes (" +
                                          std::to_string(limits_.max_message_bytes) +
                                          ") without an empty line"));
      }
      return ev;
    }
    Result<size_t> content_length = StreamContentLength(std::string_view(d, header_end));
    if (!content_length.ok()) return Fail(content_length.status());
    const size_t total = header_end + *content_length;
    if (total > limits_.max_message_bytes) {
      return Fail(Status::LimitExceeded("message of " + std::to_string(total) +
                                        " bytes exceeds max_message_bytes (" +
                                        std::to_string(limits_.max_message_bytes) + ")"));
    }
    message_size_ = total;
    scanned_ = 0;
  }
  if (avail < message_size_) return ev;

  Result<Message> parsed = Parse(std::string_view(d, message_size_), limits_);
  pos_ += message_size_;
  message_size_ = 0;
  if (!parsed.ok()) return Fail(parsed.status());
  ev.kind = Kind::kMessage;
  ev.message = std::move(parsed).value();
  return ev;
}

}  // namespace sipreg::sip
