#!/usr/bin/env bash
# A real softphone registers to sipregd: baresip 1.0 (headless, private config dir)
# registers demo-bob; `sipreg sip show peers` shows it the way the Asterisk guide does
# (Host 127.0.0.1, Dyn D, counted online); qualify pings it with OPTIONS (OK (N ms),
# UNREACHABLE while the process is stopped, Reachable again after), and a clean baresip exit
# unregisters it.
#
# baresip 1.0 (libre 1.x) answers only MD5 challenges, and gives up ("Register: Function
# not implemented") when the first WWW-Authenticate it reads has another algorithm, so this
# sipregd offers md5 alone (auth_algorithms=md5).
source "$(dirname "$0")/lib.sh"
command -v baresip >/dev/null || { echo "baresip not installed"; exit 1; }

PORT=$(free_port)
BPORT=$(free_port)
STATE="$WORK/state"
CONF="$WORK/sip.conf"
cat >"$CONF" <<EOF
[general]
udpbindaddr=127.0.0.1:$PORT
statedir=$STATE
auth_algorithms=md5

[demo-alice]
type=friend
host=dynamic
secret=verysecretpassword

[demo-bob]
type=friend
host=dynamic
secret=othersecretpassword
qualify=500
qualifyfreq=1
EOF
start_sipregd "$STATE" "$CONF" || exit 1

peers() { admin "$STATE" sip show peers >"$WORK/$1" 2>&1; }
show() { sed 's/^/    | /' "$1"; }

peers before.txt
check "before: demo-bob is (Unspecified)" grep -qE "^demo-bob +\(Unspecified\) " "$WORK/before.txt"
check "before: nobody online" \
  contains "$WORK/before.txt" "2 sip peers [Monitored: 0 online, 1 offline Unmonitored: 0 online, 1 offline]"

# baresip with only the account module: no audio, no UI, SIP on 127.0.0.1:BPORT.
BDIR="$WORK/baresip"
mkdir -p "$BDIR"
MODDIR=
for d in /usr/lib/baresip/modules /usr/local/lib/baresip/modules /usr/lib/*/baresip/modules; do
  [ -f "$d/account.so" ] && { MODDIR=$d; break; }
done
[ -n "$MODDIR" ] || { echo "baresip modules not found"; exit 1; }
cat >"$BDIR/config" <<EOF
sip_listen		127.0.0.1:$BPORT
module_path		$MODDIR
module			account.so
EOF
echo "<sip:demo-bob@127.0.0.1:$PORT>;auth_pass=othersecretpassword;regint=120" >"$BDIR/accounts"
baresip -f "$BDIR" >"$WORK/baresip.out" 2>&1 </dev/null &
BARESIP_PID=$!
PIDS+=("$BARESIP_PID")

registered=no
for _ in $(seq 1 100); do
  if admin "$STATE" sip show peers 2>/dev/null | grep -qE "^demo-bob +127\.0\.0\.1 "; then
    registered=yes; break
  fi
  sleep 0.05
done
check "baresip registered demo-bob within 5 s" equals "$registered" yes
[ "$registered" = yes ] || show "$WORK/baresip.out"
check "baresip reports 200 OK from sipreg" wait_for_text "$WORK/baresip.out" "200 OK (sipreg)" 2
check "stderr: VERBOSE Registered SIP 'demo-bob' at 127.0.0.1:$BPORT" \
  wait_for_text "$STATE.stderr" "Registered SIP 'demo-bob' at 127.0.0.1:$BPORT" 2
check "messages log: the same line, within 2 s (tail -f / fail2ban read it live)" \
  wait_for_text "$STATE/messages" "Registered SIP 'demo-bob' at 127.0.0.1:$BPORT" 2
check "qualify: NOTICE Peer 'demo-bob' is now Reachable. (Nms / 500ms)" \
  wait_for_text "$STATE.stderr" "Peer 'demo-bob' is now Reachable. (" 3
check "qualify: the NOTICE names the LAGGED threshold" \
  grep -qE "NOTICE\[[0-9]+\]: [a-z_]+\.cc:[0-9]+ sip_poke_peer: Peer 'demo-bob' is now Reachable\. \([0-9]+ms / 500ms\)$" "$STATE.stderr"

peers after.txt
check "sip show peers: header in Asterisk's layout" equals "$(head -1 "$WORK/after.txt")" \
  "Name/username             Host                                    Dyn NAT ACL Port     Status"
check "sip show peers: demo-bob at Host 127.0.0.1, Dyn D, port $BPORT, under the header columns" \
  python3 - "$WORK/after.txt" "$BPORT" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
head = lines[0]
row = next(l for l in lines if l.startswith("demo-bob "))
def col(name):  # the text of a row under a header column, up to the next column
    names = ["Name/username", "Host", "Dyn", "NAT", "ACL", "Port", "Status"]
    i = head.index(name)
    nxt = names.index(name) + 1
    j = head.index(names[nxt]) if nxt < len(names) else len(row)
    return row[i:j].strip()
assert col("Name/username") == "demo-bob", row
assert col("Host") == "127.0.0.1", row
assert col("Dyn") == "D", row
assert col("Port") == sys.argv[2], row
import re
assert re.fullmatch(r"OK \([0-9]+ ms\)", col("Status")), row
alice = next(l for l in lines if l.startswith("demo-alice "))
assert alice[head.index("Status"):].strip() == "Unmonitored", alice
PY
check "sip show peers: demo-alice still (Unspecified)" grep -qE "^demo-alice +\(Unspecified\) " "$WORK/after.txt"
check "sip show peers: summary counts demo-bob online and monitored" \
  contains "$WORK/after.txt" "2 sip peers [Monitored: 1 online, 0 offline Unmonitored: 0 online, 1 offline]"
[ "$FAILURES" -eq 0 ] || show "$WORK/after.txt"

admin "$STATE" sip show peer demo-bob >"$WORK/peer.txt" 2>&1
check "sip show peer: user agent is baresip" grep -qE "Useragent +: baresip v1\.0\.0" "$WORK/peer.txt"
check "sip show peer: baresip's contact on port $BPORT" \
  grep -qE "sip:demo-bob[^@ ]*@127\.0\.0\.1:$BPORT via UDP 127\.0\.0\.1:$BPORT expires in (1[01][0-9]|120) s" "$WORK/peer.txt"
admin "$STATE" sip show peers --json >"$WORK/peers.json" 2>&1
check "sip show peers --json: demo-bob dynamic with one contact granted 120 s" python3 -c '
import json, sys
p = {x["name"]: x for x in json.load(open(sys.argv[1]))}
b = p["demo-bob"]
assert b["dynamic"] and b["host"] == "127.0.0.1" and len(b["contacts"]) == 1, b
assert 110 <= b["contacts"][0]["expires"] <= 120, b
assert b["contacts"][0]["user_agent"].startswith("baresip"), b
assert isinstance(b["contacts"][0]["rtt_ms"], int) and b["status"].startswith("OK ("), b
assert p["demo-alice"]["contacts"] == [], p
' "$WORK/peers.json"

# A phone that stops answering: SIGSTOP freezes baresip (its binding stays), the pings go
# unanswered for 2 x 500 ms, and the peer is UNREACHABLE; SIGCONT brings it back.
kill -STOP "$BARESIP_PID"
check "qualify: NOTICE Peer 'demo-bob' is now UNREACHABLE! while baresip is stopped" \
  wait_for_text "$STATE.stderr" "Peer 'demo-bob' is now UNREACHABLE!  Last qualify: " 5
peers frozen.txt
check "sip show peers: demo-bob UNREACHABLE, counted offline" \
  grep -qE "^demo-bob +127\.0\.0\.1 +D +N +$BPORT +UNREACHABLE$" "$WORK/frozen.txt"
check "sip show peers: summary counts the unreachable peer offline" \
  contains "$WORK/frozen.txt" "[Monitored: 0 online, 1 offline Unmonitored: 0 online, 1 offline]"
[ "$FAILURES" -eq 0 ] || show "$WORK/frozen.txt"
kill -CONT "$BARESIP_PID"
check "qualify: Reachable again once baresip answers" \
  wait_for_text_count "$STATE.stderr" "Peer 'demo-bob' is now Reachable. (" 2 5

# baresip unregisters on SIGTERM (Expires 0): demo-bob goes back to (Unspecified).
stop_pid "$BARESIP_PID"
check "stderr: Unregistered SIP 'demo-bob' after baresip exits" \
  wait_for_text "$STATE.stderr" "Unregistered SIP 'demo-bob'" 3
peers gone.txt
check "after baresip exits: demo-bob is (Unspecified) again" \
  grep -qE "^demo-bob +\(Unspecified\) " "$WORK/gone.txt"
check "after baresip exits: nobody online" \
  contains "$WORK/gone.txt" "[Monitored: 0 online, 1 offline Unmonitored: 0 online, 1 offline]"

stop_pid "$SIPREGD_PID"
check "sipregd exits 0 on SIGTERM" equals "$STOP_RC" 0
finish
