// StreamFramer: cuts a TCP/TLS byte stream into SIP messages (RFC 3261 §18.3).
// Content-Length is mandatory on streams. Tells "need more bytes" apart from
// "malformed" (after which the connection should be closed), and reports the
// RFC 5626 §4.4.1 keep-alive ping (CRLFCRLF) so the transport can answer CRLF.
// Not thread-safe: one framer per connection, used by that connection's strand.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sip/message.h"
#include "sip/parser.h"

namespace sipreg::sip {

class StreamFramer {
 public:
  enum class Kind {
    kNeedMore,   // no complete message buffered yet
    kMessage,    // `message` holds one complete message
    kKeepAlive,  // a CRLFCRLF ping between messages was consumed: answer with CRLF
    kPong,       // a lone CRLF between messages (keep-alive pong) was consumed. A CRLF
                 // that ends the buffer is reported at once; if the next bytes are another
                 // CRLF, they complete a ping split across reads and give kKeepAlive.
    kError,      // malformed or over limit; `status` says why; the stream is unusable
  };
  struct Event {
    Kind kind = Kind::kNeedMore;
    Message message;
    Status status;
  };

  explicit StreamFramer(ParseLimits limits = {}) : limits_(limits) {}

  // For a connection we opened (we are the client, RFC 5626 §4.4.1): the peer
  // answers our pings and does not ping us, so every lone CRLF is a pong — two
  // pongs in a row are not read as a ping split across reads.
  void set_expect_pongs(bool expect) { expect_pongs_ = expect; }

  // Appends received bytes. Call Next() until it returns kNeedMore or kError.
  void Feed(std::string_view bytes);
  Event Next();
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  // Drops consumed bytes from the front of buf_ once they dominate it.
  void Compact();
  // Marks the stream broken and returns the kError event.
  Event Fail(Status status);

  ParseLimits limits_;
  std::string buf_;
  size_t pos_ = 0;
  bool broken_ = false;
  Status error_;               // why the stream broke (repeated by later Next() calls)
  size_t scanned_ = 0;         // bytes after pos_ already searched for the end of the headers
  size_t message_size_ = 0;    // size of the message at pos_ once its headers are in; 0 = unknown
  bool pending_crlf_ = false;  // last event was a CRLF at the very end of the buffer
  bool expect_pongs_ = false;
};

}  // namespace sipreg::sip
