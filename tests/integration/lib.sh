# Shared helpers for integration tests: free loopback ports, a Kamailio started
# from demo/kamailio.cfg, assertions, and cleanup of every process we started (by PID).
# Source it; it sets SIPREG (the CLI binary) and WORK (a scratch dir removed at exit).

set -uo pipefail
: "${SIPREG_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${SIPREG_BIN_DIR:=$SIPREG_SOURCE_DIR/build/apps}"
SIPREG="$SIPREG_BIN_DIR/sipreg"
WORK=$(mktemp -d)
PIDS=()
FAILURES=0
CHECKS=0

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  if [ "$FAILURES" -ne 0 ] && [ -d "$WORK" ]; then
    echo "--- scratch dir kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# A port free for both UDP and TCP on 127.0.0.1 (asks the kernel, then checks the other protocol).
free_port() {
  python3 - <<'PY'
import socket
for _ in range(50):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close(); continue
    u.close(); t.close()
    print(port)
    break
PY
}

# A port P with P and P+1 both free (baresip listens on its SIP port and the next one).
free_port_pair() {
  python3 - <<'PY'
import socket
def free(port):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        finally:
            s.close()
    return True
for _ in range(200):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    t.close()
    if port < 65535 and free(port) and free(port + 1):
        print(port)
        break
PY
}

# start_kamailio PORT [extra -A defines...]: UDP and TCP on 127.0.0.1:PORT; waits until it answers.
start_kamailio() {
  local port=$1; shift
  local dir="$WORK/kamailio-$port"
  mkdir -p "$dir"
  local kam; kam=$(command -v kamailio || echo /usr/sbin/kamailio)
  "$kam" -f "$SIPREG_SOURCE_DIR/demo/kamailio.cfg" -DD -E -Y "$dir" -w "$dir" \
    -A "LISTEN_UDP=udp:127.0.0.1:$port" -A "LISTEN_TCP=tcp:127.0.0.1:$port" "$@" \
    >"$dir/log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 50); do
    if python3 - "$port" <<'PY'
import socket, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
msg = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKping\r\n"
       "From: <sip:ping@127.0.0.1>;tag=1\r\nTo: <sip:ping@127.0.0.1>\r\nCall-ID: ping\r\n"
       "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
s.bind(("127.0.0.1", 0))
msg = msg % (port, s.getsockname()[1])
try:
    s.sendto(msg.encode(), ("127.0.0.1", port))
    data = s.recv(4096)
    sys.exit(0 if data.startswith(b"SIP/2.0 200") else 1)
except OSError:
    sys.exit(1)
PY
    then return 0; fi
    sleep 0.1
  done
  echo "kamailio did not start on port $port:"; cat "$dir/log"
  return 1
}

# run_probe OUTFILE args...: runs sipreg probe, stores stdout+stderr, sets PROBE_RC.
run_probe() {
  local out=$1; shift
  "$SIPREG" probe "$@" >"$out" 2>&1
  PROBE_RC=$?
}

check() {  # check "description" condition...
  local what=$1; shift
  CHECKS=$((CHECKS + 1))
  if "$@"; then
    echo "ok   - $what"
  else
    echo "FAIL - $what"
    FAILURES=$((FAILURES + 1))
  fi
}

contains() { grep -qF -- "$2" "$1"; }
equals() { [ "$1" = "$2" ]; }

finish() {
  echo "$((CHECKS - FAILURES)) checks passed, $FAILURES failed"
  [ "$FAILURES" -eq 0 ]
}

# ---- sipregd helpers ----------------------------------------------------------------------
# sipp_phone TAG SCENARIO USER PORT: a sipp UAS (tests/integration/sipp/SCENARIO) on PORT,
# where USER registered, in the background; sets PHONE_PID (exit 0 = scenario completed).
sipp_phone() {
  (cd "$WORK" && exec timeout 30 sipp -sf "$SIPREG_SOURCE_DIR/tests/integration/sipp/$2" \
     -i 127.0.0.1 -p "$4" -nostdin -m 1 -s "$3" -timeout 15 -timeout_error \
     -trace_msg -message_file "$WORK/$1.msg" -trace_err -error_file "$WORK/$1.err" \
     >"$WORK/$1.out" 2>&1) &
  PHONE_PID=$!
  PIDS+=("$PHONE_PID")
  sleep 0.3  # let it bind
}

# demo_peers: the Asterisk guide's two sip.conf accounts, to append after a [general].
demo_peers() {
  printf '%s\n' "[demo-alice]" "type=friend" "host=dynamic" "secret=verysecretpassword" "" \
    "[demo-bob]" "type=friend" "host=dynamic" "secret=othersecretpassword"
}

SIPREGD="$SIPREG_BIN_DIR/sipregd"

# start_sipregd STATEDIR CONF...: runs `sipregd -f -v -c CONF...` in the background (stdout and
# stderr appended to STATEDIR.stderr), waits until it logs "sipregd ready" and its control
# socket answers. Sets SIPREGD_PID. The config must put statedir=STATEDIR.
start_sipregd() {
  local statedir=$1; shift
  local args=() c
  for c in "$@"; do args+=(-c "$c"); done
  mkdir -p "$statedir"
  local log="$statedir.stderr"
  local before=0
  [ -f "$log" ] && before=$(grep -c "sipregd ready" "$log")
  "$SIPREGD" -f -v "${args[@]}" >>"$log" 2>&1 &
  SIPREGD_PID=$!
  PIDS+=("$SIPREGD_PID")
  for _ in $(seq 1 100); do
    if [ "$(grep -c "sipregd ready" "$log")" -gt "$before" ] &&
       "$SIPREG" -C "$statedir/sipregd.ctl" sip show peers >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$SIPREGD_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "sipregd did not start:"; cat "$log"
  return 1
}

# stop_pid PID [SIGNAL]: sends SIGNAL (default TERM) to a process we started and waits for it;
# sets STOP_RC to its exit status.
stop_pid() {
  kill "-${2:-TERM}" "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  STOP_RC=$?
}

# admin STATEDIR args...: the sipreg admin CLI on that sipregd's control socket.
admin() {
  local statedir=$1; shift
  "$SIPREG" -C "$statedir/sipregd.ctl" "$@"
}

# wait_for_text FILE TEXT [SECONDS]: true once FILE contains TEXT (polls; default 5 s).
wait_for_text() {
  local file=$1 text=$2 secs=${3:-5}
  local i
  for i in $(seq 1 $((secs * 20))); do
    grep -qF -- "$text" "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# wait_for_text_count FILE TEXT N [SECONDS]: true once FILE has at least N lines with TEXT.
wait_for_text_count() {
  local file=$1 text=$2 n=$3 secs=${4:-5}
  local i
  for i in $(seq 1 $((secs * 20))); do
    [ "$(count_text "$file" "$text")" -ge "$n" ] && return 0
    sleep 0.05
  done
  return 1
}

# count_text FILE TEXT: how many lines of FILE contain TEXT (0 when FILE is missing).
count_text() { if [ -f "$1" ]; then grep -cF -- "$2" "$1"; else echo 0; fi; }

not_contains() { ! grep -qF -- "$2" "$1"; }

# run_sipp TAG SCENARIO SERVER sipp-args...: one sipp UAC run of tests/integration/sipp/SCENARIO
# against SERVER (ip:port) from 127.0.0.1, failing fast on a hang (10 s overall, 3 s per
# expected message). Messages in $WORK/TAG.msg, errors in $WORK/TAG.err, screen in
# $WORK/TAG.out. Local port: -p if given, else a free one. Sets SIPP_RC (0 = every call
# succeeded).
run_sipp() {
  local tag=$1 scenario=$2 server=$3; shift 3
  # sipp binds 5060 unless told otherwise: give it a free port unless the caller chose one.
  case " $* " in *" -p "*) ;; *) set -- "$@" -p "$(free_port)" ;; esac
  (cd "$WORK" && timeout 30 sipp -sf "$SIPREG_SOURCE_DIR/tests/integration/sipp/$scenario" \
      -i 127.0.0.1 -nostdin -timeout 10 -timeout_error -recv_timeout 3000 \
      -trace_msg -message_file "$WORK/$tag.msg" -trace_err -error_file "$WORK/$tag.err" \
      "$@" "$server" >"$WORK/$tag.out" 2>&1)
  SIPP_RC=$?
  if [ "$SIPP_RC" -ne 0 ]; then
    echo "    | sipp $scenario exit $SIPP_RC:"
    sed 's/^/    | /' "$WORK/$tag.err" 2>/dev/null | head -20
  fi
}

# last_contacts MSGFILE: the Contact header values of the last SIP response in a sipp
# message log, one a line (several Contacts in one header are split).
last_contacts() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
msgs = [m for m in re.split(r"^-{20,}.*$", text, flags=re.M) if m.strip()]
resp = [m[m.index("SIP/2.0 "):] for m in msgs if re.search(r"^SIP/2\.0 \d{3} ", m, re.M)]
if not resp:
    sys.exit(1)
for line in resp[-1].strip().splitlines():
    name, _, value = line.partition(":")
    if name.strip().lower() in ("contact", "m"):
        for part in re.split(r",(?=\s*<)", value):
            print(part.strip())
PY
}

# peer_contacts STATEDIR NAME: "uri expires transport" for each contact of peer NAME, from
# `sipreg sip show peer NAME --json`.
peer_contacts() {
  admin "$1" sip show peer "$2" --json | python3 -c '
import json, sys
for c in json.load(sys.stdin)["contacts"]:
    print(c["uri"], c["expires"], c["transport"])'
}

# ---- sipreg-device helpers ----------------------------------------------------------------
DEVICE="$SIPREG_BIN_DIR/sipreg-device"
DEVICE_WEBPASS=webpass  # the [web] password the helpers log in with (HTTP Basic)

# start_device NAME CONF: runs sipreg-device in the background (output in $WORK/NAME.out);
# sets DEVICE_PID.
start_device() {
  "$DEVICE" -c "$2" >"$WORK/$1.out" 2>&1 &
  DEVICE_PID=$!
  PIDS+=("$DEVICE_PID")
}

# device_api WEBPORT PATH [curl args...]: the device's JSON API as admin.
device_api() {
  local port=$1 path=$2; shift 2
  curl -s -u "admin:$DEVICE_WEBPASS" "$@" "http://127.0.0.1:$port$path"
}

# device_field WEBPORT ID KEY: KEY of registration ID in /api/status ("" if unknown);
# ID "" means the first registration.
device_field() {
  device_api "$1" /api/status | python3 -c '
import json, sys
regs = json.load(sys.stdin)["registrations"]
want, key = sys.argv[1], sys.argv[2]
for r in regs:
    if not want or r["id"] == want:
        print(r[key])
        break
' "$2" "$3" 2>/dev/null
}

# wait_device_field WEBPORT ID KEY VALUE SECONDS: true once device_field shows VALUE.
wait_device_field() {
  local i
  for i in $(seq 1 $(($5 * 10))); do
    [ "$(device_field "$1" "$2" "$3")" = "$4" ] && return 0
    sleep 0.1
  done
  return 1
}
