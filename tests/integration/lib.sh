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
