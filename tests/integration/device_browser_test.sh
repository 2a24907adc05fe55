#!/usr/bin/env bash
# The installer's fix in a real browser: headless Chromium (Debian's, driven by
# playwright-core, tests/browser/device_ui.mjs) logs in to sipreg-device's web interface,
# finds the primary page extension Rejected by Server, reveals and replaces the wrong
# password on Basic Settings → SIP, saves, and watches the Status tab turn Successful while
# sipregd sees the registration (an alert and its cancel extension register beside them).
# The screenshot is kept as a test artefact ($SIPREG_ARTIFACT_DIR, default
# build/artifacts/device-ui.png).
source "$(dirname "$0")/lib.sh"

DEVICE_WEBPASS=installer-pw
ARTIFACTS="${SIPREG_ARTIFACT_DIR:-$SIPREG_BIN_DIR/../artifacts}"
mkdir -p "$ARTIFACTS"
SHOT="$ARTIFACTS/device-ui.png"
rm -f "$SHOT"
[ -d "$SIPREG_SOURCE_DIR/tests/browser/node_modules/playwright-core" ] ||
  { echo "playwright-core missing: run scripts/install-deps.sh"; exit 1; }

SPORT=$(free_port)
STATE="$WORK/state"
{
  printf '%s\n' "[general]" "udpbindaddr=127.0.0.1:$SPORT" "statedir=$STATE" ""
  demo_peers
  printf '%s\n' "" "[alert-300]" "type=friend" "host=dynamic" "secret=alertpw" \
    "" "[alert-301]" "type=friend" "host=dynamic" "secret=cancelpw"
} >"$WORK/sip.conf"
start_sipregd "$STATE" "$WORK/sip.conf" || exit 1

WEB=$(free_port)
CONF="$WORK/device.conf"
cat >"$CONF" <<EOF
[sip]
server = 127.0.0.1:$SPORT
local_port = 0
[web]
listen = 127.0.0.1:$WEB
password = installer-pw
[page]
extension = demo-alice
password = autofilled-wrong
[ring]
extension = demo-bob
password = othersecretpassword
[alert.1]
extension = alert-300
password = alertpw
duration = until-cancelled
cancel_extension = alert-301
cancel_password = cancelpw
EOF
start_device device "$CONF"

for _ in $(seq 1 100); do
  [ "$(device_field "$WEB" page status)" = "Rejected by Server" ] && break
  sleep 0.1
done
check "before: page is Rejected by Server" equals "$(device_field "$WEB" page status)" "Rejected by Server"
check "before: the alert's cancel extension registers too" \
  wait_device_field "$WEB" alert.1.cancel status Successful 5
check "before: ... shown as type alert-cancel" equals "$(device_field "$WEB" alert.1.cancel type)" alert-cancel
check "before: ring is Successful" equals "$(device_field "$WEB" ring status)" "Successful"

DEVICE_URL="http://127.0.0.1:$WEB/" DEVICE_PASSWORD=installer-pw \
  RIGHT_PASSWORD=verysecretpassword EXTENSION_ID=page SCREENSHOT="$SHOT" \
  timeout 90 node "$SIPREG_SOURCE_DIR/tests/browser/device_ui.mjs" >"$WORK/browser.out" 2>&1
rc=$?
check "browser: logged in, fixed the password, saw Successful" equals "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/    | /' "$WORK/browser.out"
check "browser: screenshot kept at $SHOT" test -s "$SHOT"
check "after: the API agrees" equals "$(device_field "$WEB" page status)" "Successful"
check "after: the file was saved with the new password" contains "$CONF" "verysecretpassword"
admin "$STATE" sip show peers >"$WORK/peers.txt" 2>&1
check "after: sipregd has demo-alice online" grep -qE "^demo-alice +127\.0\.0\.1 " "$WORK/peers.txt"
grep -qE "^demo-alice +127\.0\.0\.1 " "$WORK/peers.txt" || sed 's/^/    | /' "$WORK/peers.txt"

# The login is required: no session, no Basic -> 401 from the API, login form from /.
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$WEB/api/status")
check "no credentials: /api/status is 401" equals "$code" 401
code=$(curl -s -o /dev/null -w '%{http_code}' -u admin:wrong "http://127.0.0.1:$WEB/api/config")
check "wrong Basic password: /api/config is 401" equals "$code" 401

stop_pid "$DEVICE_PID"
check "device exits cleanly on SIGTERM" equals "$STOP_RC" 0
finish
