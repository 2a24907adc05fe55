// libFuzzer target for StreamFramer. The first bytes choose the limits and how
// the rest is cut into Feed() calls; the same bytes are also fed whole. Both
// runs must produce the same messages and agree on whether the stream broke:
// framing must not depend on how TCP segments the stream.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sip/framer.h"

namespace {

using sipreg::sip::ParseLimits;
using sipreg::sip::StreamFramer;

struct Outcome {
  std::vector<std::string> messages;
  bool error = false;
};

void Drain(StreamFramer& f, Outcome& out) {
  while (true) {
    StreamFramer::Event ev = f.Next();
    if (ev.kind == StreamFramer::Kind::kNeedMore) return;
    if (ev.kind == StreamFramer::Kind::kError) {
      if (ev.status.ok()) __builtin_trap();
      out.error = true;
      return;
    }
    if (ev.kind == StreamFramer::Kind::kMessage) out.messages.emplace_back(ev.message.raw());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  ParseLimits limits;
  if (data[0] & 1) {
    limits.max_message_bytes = 256 + (data[0] >> 1) * 8;
    limits.max_line_bytes = 128;
    limits.max_headers = 16;
  }
  uint32_t rng = 0x9e3779b9u ^ data[1];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

  Outcome whole;
  {
    StreamFramer f(limits);
    f.Feed(stream);
    Drain(f, whole);
  }
  Outcome pieces;
  {
    StreamFramer f(limits);
    size_t pos = 0;
    while (pos < stream.size() && !pieces.error) {
      rng = rng * 1103515245u + 12345u;
      const size_t n = 1 + (rng >> 16) % 97;
      f.Feed(stream.substr(pos, n));
      pos += n;
      Drain(f, pieces);
      if (f.buffered() > limits.max_message_bytes) __builtin_trap();  // bounded buffering
    }
  }
  if (whole.error != pieces.error) __builtin_trap();
  if (whole.messages != pieces.messages) __builtin_trap();
  return 0;
}
