// Pjsip views: `pjsip show endpoints`, `pjsip show aors` and `pjsip show
// contacts` laid out as Asterisk's res_pjsip CLI formatters print them (the
// column widths of res_pjsip_cli.h: CLI_MAX_WIDTH 90, CLI_LAST_TABSTOP 62,
// two spaces of indent per level), for every account whatever its dialect:
//
//    Endpoint:  demo-bob/6002                                        Not in use    0 of inf
//        InAuth:  demo-bob/demo-bob
//           Aor:  demo-bob                                                1
//         Contact:  demo-bob/sip:demo-bob@127.0.0.1:5062      8e3a0f9c1d Avail         3.000
//
// Contact status words are res_pjsip's short labels: Avail, Unavail, Unknown
// (qualify on, no answer yet), NonQual (qualify off); RTT in ms, "nan" unless
// Avail. The hash is the first 10 hex digits of MD5(contact URI), standing in
// for Asterisk's contact-id hash. Endpoint state: "Not in use" when a contact
// is usable, else "Unavailable"; channels "0 of inf" (sipregd holds no calls).
// The Transport, Identify and Channel child rows are printed in the header only.
#pragma once

#include <string>
#include <vector>

#include "registrar/peer_table.h"

namespace sipreg::registrar {

std::string FormatPjsipShowEndpoints(const std::vector<PeerView>& peers);
std::string FormatPjsipShowAors(const std::vector<PeerView>& peers);
std::string FormatPjsipShowContacts(const std::vector<PeerView>& peers);

}  // namespace sipreg::registrar
