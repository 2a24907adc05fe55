#include "registrar/proxy_message.h"

#include <charconv>

#include <fmt/format.h>

#include "sip/cseq.h"
#include "sip/header_list.h"
#include "sip/serializer.h"

namespace sipreg::registrar {
namespace {

std::string ContentType(const sip::Message& m) {
  return std::string(m.Value(sip::HeaderId::kContentType));
}

// Re-adds the header line `h` minus its first comma-separated value (if any remain).
void AddWithoutFirstValue(sip::MessageBuilder& b, const sip::Header& h) {
  auto values = sip::SplitListValues(h.value);
  if (values.size() <= 1) return;
  std::string rest;
  for (size_t i = 1; i < values.size(); ++i) {
    if (!rest.empty()) rest += ", ";
    rest += values[i];
  }
  b.AddHeader(h.name, rest);
}

}  // namespace

std::optional<uint32_t> MaxForwards(const sip::Message& request) {
  const sip::Header* h = request.Find(sip::HeaderId::kMaxForwards);
  if (h == nullptr) return 70;
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(h->value.data(), h->value.data() + h->value.size(), v);
  if (ec != std::errc() || p != h->value.data() + h->value.size() || v > 255) return std::nullopt;
  return v;
}

Result<std::string> ForwardRequest(const sip::Message& request, const ForwardSpec& spec) {
  auto mf = MaxForwards(request);
  if (!mf) return Status::InvalidArgument("unparsable Max-Forwards");
  if (*mf == 0) return Status::InvalidArgument("Max-Forwards is 0");
  auto b = sip::MessageBuilder::Request(
      request.method_name(), spec.request_uri ? std::string_view(*spec.request_uri)
                                              : request.request_uri());
  b.AddHeader("Via", spec.via);
  if (!spec.record_route.empty()) b.AddHeader("Record-Route", spec.record_route);
  bool route_popped = !spec.pop_route;
  bool max_forwards_seen = false;
  for (const sip::Header& h : request.headers()) {
    switch (h.id) {
      case sip::HeaderId::kContentLength: continue;  // recomputed by Build()
      case sip::HeaderId::kMaxForwards:
        b.AddHeader("Max-Forwards", std::to_string(*mf - 1));
        max_forwards_seen = true;
        continue;
      case sip::HeaderId::kRoute:
        if (!route_popped) {
          route_popped = true;
          AddWithoutFirstValue(b, h);
          continue;
        }
        break;
      default: break;
    }
    b.AddHeader(h.name, h.value);
  }
  if (!max_forwards_seen) b.AddHeader("Max-Forwards", std::to_string(*mf - 1));
  if (!request.body().empty()) {
    // AddHeader above kept Content-Type; SetBody would add a second one.
    b.RemoveHeader("Content-Type");
    b.SetBody(ContentType(request), request.body());
  }
  return b.Build();
}

Result<std::string> StripTopVia(const sip::Message& response) {
  auto b = sip::MessageBuilder::Response(response.status_code(), response.reason_phrase());
  bool stripped = false;
  for (const sip::Header& h : response.headers()) {
    if (h.id == sip::HeaderId::kContentLength) continue;
    if (h.id == sip::HeaderId::kVia && !stripped) {
      stripped = true;
      AddWithoutFirstValue(b, h);
      continue;
    }
    b.AddHeader(h.name, h.value);
  }
  if (!stripped) return Status::InvalidArgument("response without Via");
  if (!response.body().empty()) {
    b.RemoveHeader("Content-Type");
    b.SetBody(ContentType(response), response.body());
  }
  return b.Build();
}

Result<std::string> BuildCancel(const sip::Message& invite) {
  auto cseq = sip::ParseCSeq(invite.cseq());
  if (!cseq.ok()) return cseq.status();
  auto vias = invite.Values(sip::HeaderId::kVia);
  if (vias.empty()) return Status::InvalidArgument("INVITE without Via");
  auto b = sip::MessageBuilder::Request("CANCEL", invite.request_uri());
  b.AddHeader("Via", vias.front());
  for (const sip::Header& h : invite.headers()) {
    switch (h.id) {
      case sip::HeaderId::kFrom:
      case sip::HeaderId::kTo:
      case sip::HeaderId::kCallId:
      case sip::HeaderId::kRoute:
      case sip::HeaderId::kMaxForwards: b.AddHeader(h.name, h.value); break;
      default: break;
    }
  }
  b.AddHeader("CSeq", fmt::format("{} CANCEL", cseq->number));
  return b.Build();
}

std::string_view TopRoute(const sip::Message& request) {
  const sip::Header* h = request.Find(sip::HeaderId::kRoute);
  if (h == nullptr) return {};
  auto values = sip::SplitListValues(h->value);
  return values.empty() ? std::string_view{} : values.front();
}

}  // namespace sipreg::registrar
