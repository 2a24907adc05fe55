#!/usr/bin/env bash
# Calls reach the phones that registered: two real softphones (baresip 1.0) register to
# sipregd as demo-alice and demo-bob; alice calls bob by account name and then by number
# (bob's callerid number), authenticating with 407 as chan_sip requires of local peers; bob
# auto-answers; the calls are established end to end through sipregd (Record-Route), shown
# by `sip show channels`, and hung up from either side with the BYE passing through; and a
# third phone on TCP is reached over its own registration connection.
source "$(dirname "$0")/lib.sh"
command -v baresip >/dev/null || { echo "baresip not installed"; exit 1; }
show() { sed 's/^/    | /' "$1"; }

MODDIR=
for d in /usr/lib/baresip/modules /usr/local/lib/baresip/modules /usr/lib/*/baresip/modules; do
  [ -f "$d/account.so" ] && { MODDIR=$d; break; }
done
[ -n "$MODDIR" ] || { echo "baresip modules not found"; exit 1; }

PORT=$(free_port)
STATE="$WORK/state"
cat >"$WORK/sip.conf" <<EOF
[general]
udpbindaddr=127.0.0.1:$PORT
tcpenable=yes
tcpbindaddr=127.0.0.1:$PORT
statedir=$STATE
auth_algorithms=md5

[demo-alice]
type=friend
host=dynamic
secret=verysecretpassword
extension=6001

[demo-bob]
type=friend
host=dynamic
secret=othersecretpassword
callerid="Bob" <6002>

[demo-carol]
type=friend
host=dynamic
secret=carolsecret
EOF
start_sipregd "$STATE" "$WORK/sip.conf" || exit 1
# Every SIP message sipregd reads and sends goes to its log (chan_sip's frames), so the
# test can see each BYE reach the other phone and that phone's 200 OK come back.
check "sip set debug on" equals "$(admin "$STATE" sip set debug on)" "SIP Debugging enabled"

# A tone to send (baresip needs an audio source); received audio is written to a file.
python3 - "$WORK/tone.wav" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000)))
                       for i in range(8000 * 10)))
PY

# start_phone NAME PASSWORD EXTRA-ACCOUNT-PARAMS: baresip with a control port (ctrl_tcp).
# baresip takes its SIP port and the next one (TLS), so both must be free.
start_phone() {  # start_phone NAME PASSWORD ACCOUNT-PARAMS [URI-PARAMS]
  local name=$1 password=$2 extra=$3 sip ctrl
  sip=$(free_port_pair); ctrl=$(free_port)
  mkdir -p "$WORK/$name"
  cat >"$WORK/$name/config" <<EOF
sip_listen		127.0.0.1:$sip
net_interface		127.0.0.1
module_path		$MODDIR
module			account.so
module			g711.so
module			aufile.so
module			menu.so
module			ctrl_tcp.so
audio_source		aufile,$WORK/tone.wav
audio_player		aufile,$WORK/$name-heard.wav
ctrl_tcp_listen		127.0.0.1:$ctrl
EOF
  echo "<sip:$name@127.0.0.1:$PORT${4:-}>;auth_pass=$password;regint=300$extra" >"$WORK/$name/accounts"
  baresip -f "$WORK/$name" >"$WORK/$name.out" 2>&1 </dev/null &
  PIDS+=($!)
  eval "${name//-/_}_CTRL=$ctrl"
  eval "${name//-/_}_SIP=$sip"
}

# bye_answered PHONE-PORT: sipregd relayed a BYE to 127.0.0.1:PHONE-PORT and read the
# phone's 200 OK for it (debug frames in the log); waits up to 5 s.
bye_answered() {
  for _ in $(seq 1 50); do
    python3 - "$STATE.stderr" "$1" <<'PY' && return 0
import re, sys
log, port = open(sys.argv[1], errors="replace").read(), sys.argv[2]
frames = re.findall(r"<--- (SIP read from|Transmitting to) UDP:127\.0\.0\.1:(\d+) --->\n(.*?)\n<-{12,13}>", log, re.S)
sent = any(d == "Transmitting to" and p == port and m.startswith("BYE ") for d, p, m in frames)
answered = any(d == "SIP read from" and p == port and m.startswith("SIP/2.0 200")
               and re.search(r"^CSeq: \d+ BYE", m, re.M) for d, p, m in frames)
sys.exit(0 if sent and answered else 1)
PY
    sleep 0.1
  done
  return 1
}

# ctrl PORT COMMAND [PARAMS]: one baresip command over ctrl_tcp (JSON in a netstring).
ctrl() {
  python3 - "$@" <<'PY'
import json, socket, sys
port, command = int(sys.argv[1]), sys.argv[2]
params = sys.argv[3] if len(sys.argv) > 3 else ""
msg = json.dumps({"command": command, "params": params, "token": "t"}).encode()
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"%d:%s," % (len(msg), msg))
buf = b""
while b'"response":true' not in buf:
    d = s.recv(4096)
    if not d:
        break
    buf += d
ok = b'"ok":true' in buf
sys.exit(0 if ok else 1)
PY
}

start_phone demo-alice verysecretpassword ""
start_phone demo-bob othersecretpassword ";answermode=auto"
registered() {
  admin "$STATE" sip show peers 2>/dev/null | grep -qE "^$1 +127\.0\.0\.1 "
}
for _ in $(seq 1 100); do registered demo-alice && registered demo-bob && break; sleep 0.05; done
check "both phones registered" bash -c "$(declare -f admin registered); STATE='$STATE' SIPREG='$SIPREG'; registered demo-alice && registered demo-bob"

# --- call 1: by account name; the caller hangs up -------------------------------------------
check "alice dials demo-bob" ctrl "$demo_alice_CTRL" dial "sip:demo-bob@127.0.0.1:$PORT"
check "call 1: established at alice" wait_for_text "$WORK/demo-alice.out" "Call established: sip:demo-bob@127.0.0.1:$PORT" 10
check "call 1: established at bob (auto-answer)" \
  wait_for_text "$WORK/demo-bob.out" "Call established: sip:demo-alice@127.0.0.1:$PORT" 5
check "call 1: bob receives alice's audio (RTP flows between the phones)" \
  wait_for_text "$WORK/demo-bob.out" "incoming rtp for 'audio' established" 5
check "call 1: sipregd logs the routed call" \
  wait_for_text "$STATE.stderr" "Call from 'demo-alice' to 'demo-bob' (Call-ID " 2
check "call 1: answered by the callee" \
  grep -qE "Call from 'demo-alice' to 'demo-bob' \(Call-ID [^)]+\): 200 from the callee" "$STATE.stderr"
admin "$STATE" sip show channels >"$WORK/channels1.txt" 2>&1
check "call 1: sip show channels lists it" grep -qE " demo-alice +demo-bob +sip:demo-bob" "$WORK/channels1.txt"
check "call 1: one active call" contains "$WORK/channels1.txt" "1 active SIP call"
[ "$FAILURES" -eq 0 ] || { show "$WORK/channels1.txt"; show "$WORK/demo-alice.out"; }
check "alice hangs up" ctrl "$demo_alice_CTRL" hangup
check "call 1: the BYE reaches bob's phone, which answers 200" bye_answered "$demo_bob_SIP"
check "call 1: sipregd logs the hang-up" wait_for_text "$STATE.stderr" "hung up after" 3
check "call 1: no active call left" contains <(admin "$STATE" sip show channels) "0 active SIP calls"

# --- call 2: by number (bob's callerid number); the callee hangs up --------------------------
check "alice dials 6002" ctrl "$demo_alice_CTRL" dial "sip:6002@127.0.0.1:$PORT"
check "call 2: established at alice" wait_for_text "$WORK/demo-alice.out" "Call established: sip:6002@127.0.0.1:$PORT" 10
check "call 2: established at bob" \
  wait_for_text_count "$WORK/demo-bob.out" "Call established: sip:demo-alice@127.0.0.1:$PORT" 2 5
check "bob hangs up" ctrl "$demo_bob_CTRL" hangup
check "call 2: bob's BYE reaches alice's phone through sipregd, which answers 200" \
  bye_answered "$demo_alice_SIP"

# --- call 3: to a phone registered over TCP (it keeps its connection open) -----------------
# nat=force_rport: sipregd must send the INVITE over the phone's own connection. The REGISTER
# came from an ephemeral port where nothing listens, so opening a new connection there would
# fail: an established call proves the flow was reused.
start_phone demo-carol carolsecret ";answermode=auto" ";transport=tcp"
for _ in $(seq 1 100); do registered demo-carol && break; sleep 0.05; done
check "carol registered over TCP" grep -qE " via TCP 127\.0\.0\.1:[0-9]+ " <(admin "$STATE" sip show peer demo-carol)
CAROL_FLOW=$(admin "$STATE" sip show peer demo-carol | grep -oE "via TCP 127\.0\.0\.1:[0-9]+" | head -1 | cut -d: -f2)
check "carol's flow comes from another port than the one she listens on" \
  test -n "$CAROL_FLOW" -a "$CAROL_FLOW" != "$demo_carol_SIP"
check "alice dials demo-carol" ctrl "$demo_alice_CTRL" dial "sip:demo-carol@127.0.0.1:$PORT"
check "call 3: established at carol (over her TCP connection)" \
  wait_for_text "$WORK/demo-carol.out" "Call established: sip:demo-alice@127.0.0.1:$PORT" 10
check "call 3: the INVITE went to carol's registration flow" \
  grep -q "<--- Transmitting to TCP:127.0.0.1:$CAROL_FLOW --->" "$STATE.stderr"
check "alice hangs up call 3" ctrl "$demo_alice_CTRL" hangup
check "call 3: the BYE reaches carol and she answers" wait_for_text_count "$STATE.stderr" "hung up after" 3 5

admin "$STATE" metrics >"$WORK/metrics.txt"
check "metrics: three calls routed" grep -qx "sipreg_calls_routed_total 3" "$WORK/metrics.txt"
check "metrics: three answered (2xx)" grep -qx 'sipreg_call_answers_total{class="2xx"} 3' "$WORK/metrics.txt"
check "metrics: no active call" grep -qx "sipreg_active_calls 0" "$WORK/metrics.txt"

stop_pid "$SIPREGD_PID"
check "sipregd exits 0 on SIGTERM" equals "$STOP_RC" 0
finish
