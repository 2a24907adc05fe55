// WebPage: the files of sipreg-device's web interface, compiled into the binary
// (plain HTML, CSS and vanilla JS; no external resources, no build step).
//
// The interface follows Algo's tab layout so installers find the fields where a
// SIP registration guide says they are: Status; Basic Settings → SIP; Advanced
// Settings → Advanced SIP; Additional Features → More Page Extensions, More Ring
// Extensions, Emergency Alerts; System → System Log.
//
// Placeholders the server fills in (HTML-escaped) before sending a page:
//   WebPageHtml():   {{CSRF}}     the session's CSRF token (<meta name="csrf-token">
//                                 and the logout form's hidden field); app.js
//                                 sends it as X-CSRF-Token on PUT /api/config.
//   LoginPageHtml(): {{MESSAGE}}  "", "Wrong password", or the rate-limit notice.
//
// The script puts every value it receives into the DOM with textContent or
// .value, never as markup, so a hostile reason phrase or extension name stays
// text. The Content-Security-Policy (script-src 'self', no inline script) backs
// that up.
#pragma once

#include <string_view>

namespace sipreg::device {

inline constexpr std::string_view kCsrfPlaceholder = "{{CSRF}}";
inline constexpr std::string_view kMessagePlaceholder = "{{MESSAGE}}";

std::string_view WebPageHtml();    // GET / with a session
std::string_view LoginPageHtml();  // GET / without one, and POST /login answers
std::string_view AppJs();          // GET /app.js
std::string_view AppCss();         // GET /app.css

}  // namespace sipreg::device
