#!/usr/bin/env bash
# sipregd's HTTP side on httpbindaddr, read by real clients: curl for /api/peers (JSON) and
# /metrics (Prometheus text), headless Chromium for the status page. A phone's User-Agent is
# hostile markup: the browser must show it as text, never run it.
source "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null || { echo "chromium not installed"; exit 1; }
command -v curl >/dev/null || { echo "curl not installed"; exit 1; }

PORT=$(free_port)
HPORT=$(free_port)
STATE="$WORK/state"
cat >"$WORK/sip.conf" <<EOF
[general]
udpbindaddr=127.0.0.1:$PORT
httpbindaddr=127.0.0.1:$HPORT
statedir=$STATE
auth_algorithms=md5
maxretry=0

EOF
demo_peers >>"$WORK/sip.conf"
start_sipregd "$STATE" "$WORK/sip.conf" || exit 1
check "stderr: NOTICE with the HTTP address" \
  wait_for_text "$STATE.stderr" "HTTP status on http://127.0.0.1:$HPORT/" 2
URL="http://127.0.0.1:$HPORT"

# demo-bob registers from sipp with a User-Agent that is a script.
EVIL='<script>document.title="pwned"</script>'
sed "s|User-Agent: sipp-sipreg-test|User-Agent: $EVIL|" \
  "$SIPREG_SOURCE_DIR/tests/integration/sipp/register.xml" >"$WORK/register_evil.xml"
(cd "$WORK" && timeout 30 sipp -sf "$WORK/register_evil.xml" -i 127.0.0.1 -p "$(free_port)" \
   -nostdin -timeout 10 -timeout_error -m 1 -s demo-bob -au demo-bob -ap othersecretpassword \
   -key expires 300 "127.0.0.1:$PORT" >"$WORK/sipp.out" 2>&1)
check "sipp registers demo-bob" equals "$?" 0
run_probe "$WORK/wrong.txt" --server "127.0.0.1:$PORT" --user demo-alice --password nope --timeout 3
check "a wrong password is Rejected by Server" equals "$PROBE_RC" 1

# --- /api/peers ------------------------------------------------------------------------------
curl -sf "$URL/api/peers" -o "$WORK/peers.json"
check "GET /api/peers answers" equals "$?" 0
check "/api/peers: the fields of sip show peers, contacts with their details" python3 - "$WORK/peers.json" "$EVIL" <<'PY'
import json, sys
peers = {p["name"]: p for p in json.load(open(sys.argv[1]))}
assert set(peers) == {"demo-alice", "demo-bob"}, peers
bob = peers["demo-bob"]
for k in ("name", "username", "host", "port", "dynamic", "nat", "acl", "status", "contacts"):
    assert k in bob, k
assert bob["host"] == "127.0.0.1" and bob["dynamic"] and bob["status"] == "Unmonitored", bob
(c,) = bob["contacts"]
for k in ("uri", "received", "transport", "expires", "user_agent", "rtt_ms"):
    assert k in c, k
assert c["transport"] == "UDP" and 290 <= c["expires"] <= 300, c
assert c["user_agent"] == sys.argv[2], c
assert peers["demo-alice"]["host"] == "(Unspecified)" and peers["demo-alice"]["contacts"] == []
PY
check "/api/peers is application/json" \
  grep -qi "^content-type: application/json" <(curl -s -D - -o /dev/null "$URL/api/peers")

# --- /metrics --------------------------------------------------------------------------------
curl -sf "$URL/metrics" -o "$WORK/metrics.txt"
check "GET /metrics answers" equals "$?" 0
check "/metrics: one binding" grep -qx "sipreg_bindings 1" "$WORK/metrics.txt"
check "/metrics: one successful registration" \
  grep -qx 'sipreg_registrations_total{result="ok"} 1' "$WORK/metrics.txt"
check "/metrics: the wrong password counted as an auth failure" \
  grep -qx 'sipreg_auth_failures_total{reason="wrong_password"} 1' "$WORK/metrics.txt"
check "/metrics: no blocked address" grep -qx "sipreg_blocked_addresses 0" "$WORK/metrics.txt"
check "/metrics: request duration histogram counted every answered request" python3 - "$WORK/metrics.txt" <<'PY'
import sys
v = {}
for line in open(sys.argv[1]):
    if line.startswith("#"): continue
    k, _, n = line.rpartition(" ")
    v[k] = float(n)
count = v["sipreg_request_duration_seconds_count"]
assert count >= 4, count   # 401 + 200 for sipp, 401 + 401 for the probe
assert v['sipreg_request_duration_seconds_bucket{le="+Inf"}'] == count
PY
check "the same metrics from the CLI (sipreg metrics)" \
  grep -qx "sipreg_bindings 1" <(admin "$STATE" metrics)

# --- status page in a real browser -----------------------------------------------------------
timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$WORK/chromium" --dump-dom "$URL/" >"$WORK/page.html" 2>"$WORK/chromium.err"
check "chromium renders the status page" grep -q '<table id="peers">' "$WORK/page.html"
check "status page: demo-bob at 127.0.0.1, demo-alice (Unspecified)" python3 - "$WORK/page.html" <<'PY'
import re, sys
html = open(sys.argv[1]).read()
bob = re.search(r'<tr data-peer="demo-bob">(.*?)</tr>', html, re.S).group(1)
assert '<td class="mono">127.0.0.1</td>' in bob, bob
alice = re.search(r'<tr data-peer="demo-alice">(.*?)</tr>', html, re.S).group(1)
assert "(Unspecified)" in alice, alice
PY
check "status page: the browser kept the page title (the User-Agent did not run)" \
  grep -q "<title>sipregd: SIP peers</title>" "$WORK/page.html"
check "status page: the User-Agent is shown as text" \
  contains "$WORK/page.html" '&lt;script&gt;document.title="pwned"&lt;/script&gt;'
check "status page: no script element at all" equals "$(grep -c '<script' "$WORK/page.html")" 0

# --- read-only -------------------------------------------------------------------------------
check "POST /api/peers is 405" \
  equals "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "$URL/api/peers")" 405
check "an unknown path is 404" equals "$(curl -s -o /dev/null -w '%{http_code}' "$URL/etc/passwd")" 404

stop_pid "$SIPREGD_PID"
check "sipregd exits 0 on SIGTERM with the HTTP server running" equals "$STOP_RC" 0
finish
