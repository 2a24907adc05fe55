#!/usr/bin/env bash
# `sipreg probe` against a real Kamailio (demo/kamailio.cfg) over UDP and TCP:
# every verdict of the Algo guide, exit codes, JSON output, 423 handling.
source "$(dirname "$0")/lib.sh"

PORT=$(free_port)
start_kamailio "$PORT" || exit 1
SRV="127.0.0.1:$PORT"

show() { sed 's/^/    | /' "$1"; }

for t in udp tcp; do
  out="$WORK/ok-$t.txt"
  run_probe "$out" --server "$SRV" --transport "$t" --user demo-alice --password verysecretpassword
  check "$t: right password -> exit 0" equals "$PROBE_RC" 0
  check "$t: says Successful" contains "$out" "SIP Registration: Successful"
  check "$t: shows the 401 challenge step" contains "$out" "401 Unauthorized"
  check "$t: shows the granted expiry" contains "$out" "Granted expiry: 3600 s"
  [ "$PROBE_RC" -eq 0 ] || show "$out"

  out="$WORK/bad-$t.txt"
  run_probe "$out" --server "$SRV" --transport "$t" --user demo-alice --password wrong
  check "$t: wrong password -> exit 1" equals "$PROBE_RC" 1
  check "$t: says Rejected by Server" contains "$out" "SIP Registration: Rejected by Server"
  check "$t: names the wrong password as likely cause" contains "$out" "Wrong password"
  [ "$PROBE_RC" -eq 1 ] || show "$out"
done

# An authentication ID that differs from the extension (hosted-PBX style).
out="$WORK/authid.txt"
run_probe "$out" --server "$SRV" --user page-100 --auth-id pageauth100 --password pagesecret
check "auth-id: separate authentication ID -> Successful" equals "$PROBE_RC" 0
[ "$PROBE_RC" -eq 0 ] || show "$out"
out="$WORK/authid-missing.txt"
run_probe "$out" --server "$SRV" --user page-100 --password pagesecret
check "auth-id: extension used as auth ID -> Rejected by Server" equals "$PROBE_RC" 1
check "auth-id: hints at the Authentication ID" contains "$out" "Authentication ID"

# Outbound proxy: the SIP domain is a name that does not resolve; every request goes
# to the proxy address instead, and the AOR keeps the domain.
out="$WORK/proxy.txt"
run_probe "$out" --server pbx.example.invalid --outbound-proxy "$SRV" --user demo-alice \
  --password verysecretpassword --json
check "outbound proxy: registers through the proxy" equals "$PROBE_RC" 0
check "outbound proxy: AOR keeps the SIP domain" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["aor"] == "sip:demo-alice@pbx.example.invalid", j
assert "outbound proxy" in j["server"], j
' "$out"
[ "$PROBE_RC" -eq 0 ] || show "$out"

# Unregister.
out="$WORK/unreg.txt"
run_probe "$out" --server "$SRV" --user demo-alice --password verysecretpassword --unregister
check "unregister -> exit 0" equals "$PROBE_RC" 0
check "unregister: says the registration was removed" contains "$out" "removed the registration"

# JSON for scripts.
out="$WORK/json.txt"
run_probe "$out" --server "$SRV" --user demo-bob --password othersecretpassword --json
check "json: exit 0" equals "$PROBE_RC" 0
check "json: verdict and granted expiry" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["verdict"] == "Successful", j
assert j["exit_code"] == 0 and j["granted_expires"] == 3600, j
assert j["realm"] == "127.0.0.1" and j["algorithm"] == "MD5", j
assert any("401" in s["what"] for s in j["steps"]), j
' "$out"

# 423 Interval Too Brief: a second Kamailio with Min-Expires 300; the probe retries with it.
PORT2=$(free_port)
start_kamailio "$PORT2" -A "MIN_EXPIRES=300" || exit 1
out="$WORK/423.txt"
run_probe "$out" --server "127.0.0.1:$PORT2" --user demo-bob --password othersecretpassword --expires 60
check "423: retried with Min-Expires -> Successful" equals "$PROBE_RC" 0
check "423: shows the 423 step" contains "$out" "423"
check "423: granted the server's minimum" contains "$out" "Granted expiry: 300 s"
[ "$PROBE_RC" -eq 0 ] || show "$out"

# No reply: nothing listens (UDP port closed), within the UDP timeout.
DEAD=$(free_port)
out="$WORK/dead-udp.txt"
start=$(date +%s)
run_probe "$out" --server "127.0.0.1:$DEAD" --user demo-alice --password x --timeout 2
elapsed=$(( $(date +%s) - start ))
check "closed udp port -> exit 2" equals "$PROBE_RC" 2
check "closed udp port: says No reply from server" contains "$out" "SIP Registration: No reply from server"
check "closed udp port: answers within the timeout (${elapsed}s)" test "$elapsed" -le 4
check "closed udp port: suggests checking address and port" contains "$out" "correct server address and port"
out="$WORK/dead-tcp.txt"
run_probe "$out" --server "127.0.0.1:$DEAD" --transport tcp --user demo-alice --password x --timeout 2
check "closed tcp port -> exit 2" equals "$PROBE_RC" 2
check "closed tcp port: connection refused is explained" contains "$out" "connection refused"

# Usage errors -> exit 3.
run_probe "$WORK/usage.txt" --server "$SRV" --password x
check "missing --user -> exit 3" equals "$PROBE_RC" 3
run_probe "$WORK/usage2.txt" --server "$SRV" --user a --password x --transport carrier-pigeon
check "bad --transport -> exit 3" equals "$PROBE_RC" 3

finish
