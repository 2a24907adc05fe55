#include "transaction/ack_builder.h"

#include "sip/cseq.h"
#include "sip/header_id.h"
#include "sip/message.h"
#include "sip/parser.h"

namespace sipreg::txn {

namespace {

void AppendHeader(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

}  // namespace

Result<std::string> BuildAckForNon2xx(std::string_view invite, std::string_view response) {
  Result<sip::Message> req = sip::Parse(invite);
  if (!req.ok()) return req.status();
  Result<sip::Message> resp = sip::Parse(response);
  if (!resp.ok()) return resp.status();
  if (!req->is_request() || req->method() != sip::Method::kInvite) {
    return Status::InvalidArgument("ACK needs the INVITE request");
  }
  if (!resp->is_response() || resp->status_code() < 300 || resp->status_code() > 699) {
    return Status::InvalidArgument("ACK is built only for a 300-699 response");
  }

  const std::string_view via = req->top_via();
  const std::string_view from = req->from();
  const std::string_view call_id = req->call_id();
  const std::string_view to = resp->to();
  if (via.empty() || from.empty() || call_id.empty() || to.empty() || req->cseq().empty()) {
    return Status::InvalidArgument("INVITE or response lacks Via, From, To, Call-ID or CSeq");
  }
  Result<sip::CSeq> cseq = sip::ParseCSeq(req->cseq());
  if (!cseq.ok()) return cseq.status();
  std::string_view max_forwards = req->Value(sip::HeaderId::kMaxForwards);
  if (max_forwards.empty()) max_forwards = "70";

  std::string out;
  out.reserve(invite.size() / 2 + to.size() + 64);
  out += "ACK ";
  out += req->request_uri();
  out += " SIP/2.0\r\n";
  AppendHeader(out, "Via", via);
  for (const sip::Header& h : req->headers()) {
    if (h.id == sip::HeaderId::kRoute) AppendHeader(out, "Route", h.value);
  }
  AppendHeader(out, "Max-Forwards", max_forwards);
  AppendHeader(out, "From", from);
  AppendHeader(out, "To", to);
  AppendHeader(out, "Call-ID", call_id);
  AppendHeader(out, "CSeq", std::to_string(cseq->number) + " ACK");
  AppendHeader(out, "Content-Length", "0");
  out += "\r\n";
  return out;
}

}  // namespace sipreg::txn
