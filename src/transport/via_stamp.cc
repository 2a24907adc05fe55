#include "transport/via_stamp.h"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sip/via.h"
#include "transport/ip_address.h"

namespace sipreg::transport {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Offset of `part` inside `whole`, or nullopt if `part` does not point into it.
std::optional<size_t> OffsetIn(std::string_view whole, std::string_view part) {
  const char* begin = whole.data();
  const char* end = begin + whole.size();
  if (part.data() == nullptr || part.data() < begin || part.data() + part.size() > end) {
    return std::nullopt;
  }
  return static_cast<size_t>(part.data() - begin);
}

// Position of the ';' that introduces the parameter whose name starts at `name_pos`.
std::optional<size_t> SemicolonBefore(std::string_view text, size_t name_pos) {
  size_t i = name_pos;
  while (i > 0) {
    --i;
    const char c = text[i];
    if (c == ';') return i;
    if (c != ' ' && c != '\t') return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> StampVia(std::string_view via_value, const sip::Endpoint& source) {
  Result<sip::Via> parsed = sip::ParseVia(via_value);
  if (!parsed.ok()) return Status::InvalidArgument("bad Via: " + parsed.status().message());
  const sip::Via& via = *parsed;

  // Where each parameter's text (";name=value", with its leading ';') starts.
  const std::vector<sip::Param>& params = via.params.items();
  std::vector<size_t> starts;
  starts.reserve(params.size());
  for (const sip::Param& p : params) {
    std::optional<size_t> name_pos = OffsetIn(via_value, p.name);
    std::optional<size_t> semi = name_pos ? SemicolonBefore(via_value, *name_pos) : std::nullopt;
    if (!semi || (!starts.empty() && *semi <= starts.back())) {
      return Status::Internal("Via parameters do not point into the entry");
    }
    starts.push_back(*semi);
  }

  const bool rport = via.has_rport();
  const bool add_received = rport || !SameIp(via.host, source.ip);

  std::string received_param;
  if (add_received) {
    std::optional<asio::ip::address> ip = ParseIpLiteral(source.ip);
    received_param = ";received=" + (ip ? IpToString(*ip) : source.ip);
  }

  // Rebuild: sent-protocol and sent-by, then the parameters in their order
  // with received/rport dropped, except that the first rport becomes
  // ";received=IP;rport=PORT" in place (the layout of RFC 3581 §4's example).
  std::string out;
  out.reserve(via_value.size() + 64);
  out.append(via_value.substr(0, starts.empty() ? via_value.size() : starts.front()));
  bool stamped = false;
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string_view name = params[i].name;
    if (EqualsIgnoreCase(name, "received")) continue;
    if (EqualsIgnoreCase(name, "rport")) {
      if (!stamped) {
        out += received_param;
        out += ";rport=";
        out += std::to_string(source.port);
        stamped = true;
      }
      continue;
    }
    const size_t end = i + 1 < starts.size() ? starts[i + 1] : via_value.size();
    out.append(via_value.substr(starts[i], end - starts[i]));
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  if (!stamped) out += received_param;
  return out;
}

Status StampTopVia(sip::Message& request, const sip::Endpoint& source,
                   const sip::ParseLimits& limits) {
  const std::string_view top = request.top_via();
  if (top.empty()) return Status::InvalidArgument("request has no Via");
  Result<std::string> stamped = StampVia(top, source);
  if (!stamped.ok()) return stamped.status();
  if (*stamped == top) return Status::Ok();

  const std::string_view raw = request.raw();
  std::optional<size_t> at = OffsetIn(raw, top);
  if (!at) return Status::Internal("top Via does not point into the message");
  std::string bytes;
  bytes.reserve(raw.size() + stamped->size());
  bytes.append(raw.substr(0, *at));
  bytes.append(*stamped);
  bytes.append(raw.substr(*at + top.size()));

  // The message grew by a few header bytes; the limits were already checked on
  // what the peer sent.
  sip::ParseLimits relaxed = limits;
  const size_t growth = stamped->size() > top.size() ? stamped->size() - top.size() : 0;
  relaxed.max_message_bytes += growth;
  relaxed.max_line_bytes += growth;
  Result<sip::Message> reparsed = sip::Parse(bytes, relaxed);
  if (!reparsed.ok()) return Status::Internal("stamped request no longer parses");
  request = std::move(reparsed).value();
  return Status::Ok();
}

}  // namespace sipreg::transport
