// Micro benchmarks for the SIP parser and serializer. The target is >= 1,000,000
// Parse() calls per second per core on a typical ~550-byte REGISTER carrying
// digest credentials. "Full" adds the per-header grammars a registrar runs
// afterwards (Via, From, To, Contact, CSeq).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/contact.h"
#include "sip/cseq.h"
#include "sip/name_addr.h"
#include "sip/parser.h"
#include "sip/serializer.h"
#include "sip/via.h"

namespace sipreg::sip {
namespace {

constexpr std::string_view kRegister =
    "REGISTER sip:registrar.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: \"Alice\" <sip:alice@example.com>\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
    "CSeq: 314160 REGISTER\r\n"
    "Contact: <sip:alice@192.0.2.10:5060;transport=udp>;expires=3600;"
    "+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";reg-id=1\r\n"
    "Authorization: Digest username=\"alice\", realm=\"example.com\", "
    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:registrar.example.com\", "
    "response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, qop=auth, nc=00000001, "
    "cnonce=\"0a4f113b\"\r\n"
    "User-Agent: sipreg-bench/1.0\r\n"
    "Expires: 3600\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

constexpr std::string_view kOk =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060;received=192.0.2.10\r\n"
    "To: \"Alice\" <sip:alice@example.com>;tag=a6c85cf\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
    "CSeq: 314160 REGISTER\r\n"
    "Contact: <sip:alice@192.0.2.10:5060;transport=udp>;expires=3600, "
    "<sip:alice@198.51.100.7:5062>;expires=1200;q=0.5\r\n"
    "Contact: <sip:alice@203.0.113.9>;expires=60\r\n"
    "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n"
    "Server: sipreg/0.1\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

Message MustParse(std::string_view text) {
  Result<Message> m = Parse(text);
  if (!m.ok()) std::abort();
  return std::move(m).value();
}

void BM_ParseRegister(benchmark::State& state) {
  for (auto _ : state) {
    Result<Message> m = Parse(kRegister);
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kRegister.size()));
  state.SetLabel(std::to_string(kRegister.size()) + " bytes");
}
BENCHMARK(BM_ParseRegister);

void BM_Parse200Ok(benchmark::State& state) {
  for (auto _ : state) {
    Result<Message> m = Parse(kOk);
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(kOk.size()) + " bytes");
}
BENCHMARK(BM_Parse200Ok);

// Parse() plus the header grammars a registrar needs before acting.
void BM_ParseRegisterFull(benchmark::State& state) {
  for (auto _ : state) {
    Result<Message> m = Parse(kRegister);
    Result<Via> via = ParseVia(m->top_via());
    Result<NameAddr> from = ParseNameAddr(m->from());
    Result<NameAddr> to = ParseNameAddr(m->to());
    Result<ContactList> contacts = ParseContacts(m->Value(HeaderId::kContact));
    Result<CSeq> cseq = ParseCSeq(m->cseq());
    benchmark::DoNotOptimize(via);
    benchmark::DoNotOptimize(from);
    benchmark::DoNotOptimize(to);
    benchmark::DoNotOptimize(contacts);
    benchmark::DoNotOptimize(cseq);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseRegisterFull);

void BM_ParseVia(benchmark::State& state) {
  Message m = MustParse(kRegister);
  for (auto _ : state) {
    Result<Via> via = ParseVia(m.top_via());
    benchmark::DoNotOptimize(via);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseVia);

void BM_ParseNameAddr(benchmark::State& state) {
  Message m = MustParse(kRegister);
  for (auto _ : state) {
    Result<NameAddr> from = ParseNameAddr(m.from());
    benchmark::DoNotOptimize(from);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseNameAddr);

void BM_CheckHeaderSyntax(benchmark::State& state) {
  Message m = MustParse(kRegister);
  for (auto _ : state) {
    Status st = CheckHeaderSyntax(m);
    benchmark::DoNotOptimize(st);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckHeaderSyntax);

void BM_Serialize(benchmark::State& state) {
  Message m = MustParse(kRegister);
  for (auto _ : state) {
    std::string out = Serialize(m);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Serialize);

void BM_MakeResponse(benchmark::State& state) {
  Message m = MustParse(kRegister);
  for (auto _ : state) {
    std::string out = MakeResponse(m, 200, {}, "a6c85cf").Build();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MakeResponse);

}  // namespace
}  // namespace sipreg::sip

BENCHMARK_MAIN();
