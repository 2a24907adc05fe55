#!/usr/bin/env bash
# sipreg-device against real servers nobody here wrote (Kamailio, demo/kamailio.cfg) and
# against sipregd: extensions become Successful, a wrong password shows Rejected by Server
# (and turns Successful once fixed through PUT /api/config), a server that is gone shows
# No reply from server, double-CRLF keep-alives reach a UDP socket standing in as server at
# the configured interval, sipregd's qualify is answered, SIGTERM unregisters every
# extension within 5 s, and a broken config is refused with FILE:LINE.
source "$(dirname "$0")/lib.sh"

show() { sed 's/^/    | /' "$1"; }

# ---------------------------------------------------------------------------------------
# Config errors: refused with FILE:LINE and a non-zero exit.
BAD="$WORK/bad.conf"
printf '[sip]\nserver = 127.0.0.1\nexpire = 60\n[web]\nlisten = off\n' >"$BAD"
"$DEVICE" -c "$BAD" >"$WORK/bad.out" 2>&1
rc=$?
check "bad config: non-zero exit" test "$rc" -ne 0
check "bad config: names FILE:LINE and the key" contains "$WORK/bad.out" "$BAD:3:"
[ "$rc" -ne 0 ] || show "$WORK/bad.out"

# ---------------------------------------------------------------------------------------
# A UDP server that never answers: No reply from server after timer F (32 s). Started
# first so its wait overlaps with the other checks.
DEAD=$(free_port)
DEADWEB=$(free_port)
cat >"$WORK/dead.conf" <<EOF
[sip]
server = 127.0.0.1:$DEAD
local_port = 0
[web]
listen = 127.0.0.1:$DEADWEB
password = webpass
[page]
extension = demo-alice
password = verysecretpassword
EOF
start_device dead "$WORK/dead.conf"
DEAD_PID=$DEVICE_PID
DEAD_STARTED=$(date +%s)

# ---------------------------------------------------------------------------------------
# Kamailio: three extensions (one with an Authentication ID that differs) become Successful.
KPORT=$(free_port)
start_kamailio "$KPORT" || exit 1
KAMAILIO_PID=${PIDS[-1]}
KWEB=$(free_port)
cat >"$WORK/kam.conf" <<EOF
[sip]
server = 127.0.0.1:$KPORT
local_port = 0
expires = 300
[web]
listen = 127.0.0.1:$KWEB
password = webpass
[page]
extension = demo-alice
password = verysecretpassword
[page.2]
extension = page-100
auth_id = pageauth100
password = pagesecret
[ring]
extension = demo-bob
password = wrongpassword
EOF
start_device kam "$WORK/kam.conf"
KAM_PID=$DEVICE_PID
check "kamailio: page (demo-alice) Successful" wait_device_field "$KWEB" page status Successful 10
check "kamailio: page.2 (auth ID pageauth100) Successful" wait_device_field "$KWEB" page.2 status Successful 5
check "kamailio: ring with a wrong password -> Rejected by Server" \
  wait_device_field "$KWEB" ring status "Rejected by Server" 5
device_api "$KWEB" /api/status >"$WORK/kam-status.json"
check "kamailio: status JSON carries code, detail, expires and server" python3 -c '
import json, sys
regs = {r["id"]: r for r in json.load(open(sys.argv[1]))["registrations"]}
p = regs["page"]
assert p["code"] == 200 and p["reason"] == "OK", p
assert 0 < p["expires_in"] <= 300, p
assert p["server"] == "udp:127.0.0.1:" + sys.argv[2], p
assert p["type"] == "page" and p["extension"] == "demo-alice" and p["auth_id"] == "demo-alice", p
assert regs["page.2"]["auth_id"] == "pageauth100", regs["page.2"]
r = regs["ring"]
assert r["code"] == 401 and "Password" in r["detail"], r
' "$WORK/kam-status.json" "$KPORT"
check "kamailio: system log shows the challenge and the 200" python3 -c '
import json, sys
texts = [e["text"] for e in json.load(sys.stdin)["entries"]]
assert any("401 Unauthorized" in t for t in texts), texts
assert any("200 OK" in t for t in texts), texts
assert any("status Successful" in t for t in texts), texts
' < <(device_api "$KWEB" /api/log)
check "kamailio: the log also goes to stdout" contains "$WORK/kam.out" "status Rejected by Server"

# Fix the password through the API (what the web page's Save does): only ring re-registers.
device_api "$KWEB" /api/config >"$WORK/kam-config.json"
python3 - "$WORK/kam-config.json" >"$WORK/kam-config-fixed.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for e in c["extensions"]:
    if e["id"] == "ring":
        e["password"] = "othersecretpassword"
print(json.dumps(c))
PY
code=$(device_api "$KWEB" /api/config -X PUT -H 'Content-Type: application/json' \
  --data-binary @"$WORK/kam-config-fixed.json" -o "$WORK/put.out" -w '%{http_code}')
check "kamailio: PUT /api/config accepted" equals "$code" 200
[ "$code" = 200 ] || show "$WORK/put.out"
check "kamailio: ring Successful after the password fix" wait_device_field "$KWEB" ring status Successful 10
check "kamailio: the config file now holds the right password" \
  contains "$WORK/kam.conf" "othersecretpassword"
check "kamailio: page was not re-registered by the change" test \
  "$(grep -c 'page demo-alice: REGISTER sent' "$WORK/kam.out")" -le 2

# A flow setting changes (transport udp -> tcp): every extension unregisters, then
# registers again on the new flow.
python3 - "$WORK/kam-config-fixed.json" >"$WORK/kam-config-tcp.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["sip"]["transport"] = "tcp"
print(json.dumps(c))
PY
code=$(device_api "$KWEB" /api/config -X PUT -H 'Content-Type: application/json' \
  --data-binary @"$WORK/kam-config-tcp.json" -o "$WORK/put2.out" -w '%{http_code}')
check "kamailio: PUT with transport = tcp accepted" equals "$code" 200
tcp_server() {
  device_api "$KWEB" /api/status | python3 -c '
import json, sys
regs = json.load(sys.stdin)["registrations"]
ok = [r for r in regs if r["status"] == "Successful" and r["server"].startswith("tcp:")]
print(len(ok))' 2>/dev/null
}
for _ in $(seq 1 100); do [ "$(tcp_server)" = 3 ] && break; sleep 0.1; done
check "kamailio: all three Successful again, now over TCP" equals "$(tcp_server)" 3
check "kamailio: the old flow was unregistered first" \
  contains "$WORK/kam.out" "page.2 page-100: unregistered: 200 OK"

# Outbound proxy: the SIP domain does not resolve; every request goes to the proxy (here
# Kamailio itself) with a loose Route, and the Request-URI and AOR keep the domain.
PWEB=$(free_port)
cat >"$WORK/proxy.conf" <<EOF
[sip]
server = pbx.example.invalid
outbound_proxy = 127.0.0.1:$KPORT
local_port = 0
[web]
listen = 127.0.0.1:$PWEB
password = webpass
[page]
extension = demo-bob
password = othersecretpassword
EOF
start_device proxy "$WORK/proxy.conf"
check "outbound proxy: Successful through the proxy" wait_device_field "$PWEB" page status Successful 10
check "outbound proxy: the server column shows the proxy" \
  contains <(device_api "$PWEB" /api/status) "udp:127.0.0.1:$KPORT"
stop_pid "$DEVICE_PID"

# The server goes away under a TCP flow: the extension stops being Successful.
TWEB=$(free_port)
cat >"$WORK/tcp.conf" <<EOF
[sip]
server = 127.0.0.1:$KPORT
transport = tcp
local_port = 0
[web]
listen = 127.0.0.1:$TWEB
password = webpass
[page]
extension = demo-bob
password = othersecretpassword
EOF
start_device tcp "$WORK/tcp.conf"
check "tcp: Successful over TCP" wait_device_field "$TWEB" page status Successful 10
check "tcp: server label says tcp" contains <(device_api "$TWEB" /api/status) "tcp:127.0.0.1:$KPORT"
stop_pid "$KAMAILIO_PID"  # kamailio ends its worker processes too
check "tcp: server killed -> No reply from server" wait_device_field "$TWEB" page status "No reply from server" 10
device_api "$TWEB" /api/status >"$WORK/tcp-status.json"
check "tcp: detail says what to check" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["registrations"][0]
assert "SIP Domain" in r["detail"] or "connection" in r["detail"], r
' "$WORK/tcp-status.json"
stop_pid "$DEVICE_PID"
stop_pid "$KAM_PID"

# ---------------------------------------------------------------------------------------
# Keep-alive: a UDP socket standing in as the server answers REGISTER with 200 OK and
# records every double CRLF with its arrival time.
KA=$(free_port)
python3 "$SIPREG_SOURCE_DIR/tests/integration/sip_stand_in_server.py" "$KA" "$WORK/ka.log" \
  >"$WORK/ka-server.out" 2>&1 &
PIDS+=($!)
wait_for_text "$WORK/ka.log" LISTENING 10 || echo "stand-in server did not start"
KAWEB=$(free_port)
cat >"$WORK/ka.conf" <<EOF
[sip]
server = 127.0.0.1:$KA
local_port = 0
keepalive = double-crlf
keepalive_interval = 1
[web]
listen = 127.0.0.1:$KAWEB
password = webpass
[page]
extension = 100
password = x
EOF
start_device ka "$WORK/ka.conf"
check "keep-alive: registered with the stand-in server" wait_device_field "$KAWEB" page status Successful 5
sleep 4.5
check "keep-alive: double CRLFs arrive once a second" python3 -c '
import sys
t = [float(l.split()[1]) for l in open(sys.argv[1]) if l.startswith("CRLFCRLF")]
assert len(t) >= 3, t
gaps = [b - a for a, b in zip(t, t[1:])]
assert all(0.7 <= g <= 1.5 for g in gaps), gaps
' "$WORK/ka.log"
stop_pid "$DEVICE_PID"

# ---------------------------------------------------------------------------------------
# sipregd: qualify sees the device; SIGTERM unregisters every extension within 5 s.
SPORT=$(free_port)
STATE="$WORK/state"
cat >"$WORK/sip.conf" <<EOF
[general]
udpbindaddr=127.0.0.1:$SPORT
statedir=$STATE
qualifyfreq=1

EOF
demo_peers >>"$WORK/sip.conf"
printf '%s\n' "qualify=yes" "" "[page-300]" "type=friend" "host=dynamic" "secret=pagesecret" \
  >>"$WORK/sip.conf"
start_sipregd "$STATE" "$WORK/sip.conf" || exit 1
SWEB=$(free_port)
cat >"$WORK/sipregd-device.conf" <<EOF
[sip]
server = 127.0.0.1:$SPORT
local_port = 0
[web]
listen = 127.0.0.1:$SWEB
password = webpass
[page]
extension = demo-alice
password = verysecretpassword
[ring]
extension = demo-bob
password = othersecretpassword
[alert.1]
extension = page-300
password = pagesecret
EOF
start_device sipregd "$WORK/sipregd-device.conf"
check "sipregd: page Successful" wait_device_field "$SWEB" page status Successful 10
check "sipregd: ring Successful" wait_device_field "$SWEB" ring status Successful 5
check "sipregd: alert.1 Successful" wait_device_field "$SWEB" alert.1 status Successful 5
admin "$STATE" sip show peers >"$WORK/peers-on.txt" 2>&1
check "sipregd: all three peers online" contains "$WORK/peers-on.txt" "3 sip peers [Monitored: 1 online, 0 offline Unmonitored: 2 online, 0 offline]"
grep -q "Monitored: 1 online" "$WORK/peers-on.txt" || show "$WORK/peers-on.txt"
check "sipregd: qualify of demo-bob answered" \
  wait_for_text "$STATE.stderr" "Peer 'demo-bob' is now Reachable" 5
start=$(date +%s%N)
stop_pid "$DEVICE_PID"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "sigterm: clean exit" equals "$STOP_RC" 0
check "sigterm: done within 5 s (took ${elapsed_ms} ms)" test "$elapsed_ms" -lt 5000
admin "$STATE" sip show peers >"$WORK/peers-off.txt" 2>&1
check "sigterm: every extension unregistered" contains "$WORK/peers-off.txt" "3 sip peers [Monitored: 0 online, 1 offline Unmonitored: 0 online, 2 offline]"
grep -q "Monitored: 0 online" "$WORK/peers-off.txt" || show "$WORK/peers-off.txt"
check "sigterm: the log says unregistered" contains "$WORK/sipregd.out" "unregistered: 200 OK"

# ---------------------------------------------------------------------------------------
# Back to the dead server: timer F (32 s) has had time to expire.
left=$(( 34 - ($(date +%s) - DEAD_STARTED) ))
[ "$left" -gt 0 ] && sleep "$left"
check "no server: No reply from server" wait_device_field "$DEADWEB" page status "No reply from server" 5
check "no server: detail names the server address to check" python3 -c '
import json, sys
r = json.load(sys.stdin)["registrations"][0]
assert "SIP Domain" in r["detail"] and r["code"] == 0, r
' < <(device_api "$DEADWEB" /api/status)
stop_pid "$DEAD_PID"

finish
