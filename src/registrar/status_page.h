// StatusPage: the HTML page sipregd serves at / on httpbindaddr — the admin's
// `sip show peers` in a browser, with each account's contacts (where it is
// registered, over what, for how long, its qualify state). Pure formatting;
// every value from config or from phones is HTML-escaped. Reloads itself every
// 5 seconds.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "registrar/peer_table.h"

namespace sipreg::registrar {

// &, <, >, " and ' as entities.
std::string HtmlEscape(std::string_view text);

// The whole page: a peers table (the columns of `sip show peers`) and a contacts table.
std::string FormatStatusPage(const std::vector<PeerView>& peers, WallTime now);

}  // namespace sipreg::registrar
