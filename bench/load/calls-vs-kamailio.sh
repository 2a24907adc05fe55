#!/usr/bin/env bash
# Calls through the proxy: sipregd against Kamailio (kamailio-proxy.cfg: tm + usrloc in
# memory + lookup("location")) under the same sipp load on this machine.
#   bench/load/calls-vs-kamailio.sh [RATE...]      (default: 100 250 500 1000 calls/s)
# Per target and rate: one callee (a sipp UAS) registers, a sipp UAC places RATE calls/s for
# DURATION seconds (default 15): INVITE -> 200, ACK, BYE -> 200, all through the
# proxy (Record-Route). Prints one key=value line per run: offered and achieved calls/s,
# failed calls, sipp's INVITE->200 response time (avg), server CPU seconds per 1,000 calls
# (utime+stime of the server and its children from /proc). Lines are appended to
# bench/results/calls-DATE.txt. Not a test: nothing here asserts a time.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/load"
DURATION=${DURATION:-15}
RATES=("$@")
[ ${#RATES[@]} -gt 0 ] || RATES=(100 250 500 1000)
OUT="$ROOT/bench/results/calls-$(date +%Y-%m-%d).txt"
source "$ROOT/bench/load/workdir.sh"
port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() {  # utime+stime of PID and all its descendants, in clock ticks
  python3 - "$1" <<'PY'
import os, sys
root = int(sys.argv[1]); kids = {}; stat = {}
for p in os.listdir("/proc"):
    if not p.isdigit(): continue
    try:
        f = open(f"/proc/{p}/stat").read()
    except OSError:
        continue
    rest = f[f.rindex(")") + 2:].split()
    kids.setdefault(int(rest[1]), []).append(int(p)); stat[int(p)] = int(rest[11]) + int(rest[12])
total, todo = 0, [root]
while todo:
    p = todo.pop(); total += stat.get(p, 0); todo += kids.get(p, [])
print(total)
PY
}

start_server() {  # start_server TARGET PORT
  if [ "$1" = sipregd ]; then
    printf '[general]\nudpbindaddr=127.0.0.1:%s\ntcpenable=no\nstatedir=%s\nauth_algorithms=md5\nmaxretry=0\n[callee]\ntype=friend\nhost=dynamic\nsecret=benchpw\n' \
      "$2" "$WORK/state" >"$WORK/sip.conf"
    "$ROOT/build/apps/sipregd" -c "$WORK/sip.conf" -f >"$WORK/server.log" 2>&1 &
  else
    mkdir -p "$WORK/kam"
    kamailio -f "$HERE/kamailio-proxy.cfg" -DD -E -m 256 -Y "$WORK/kam" \
      -A "LISTEN=udp:127.0.0.1:$2" >"$WORK/server.log" 2>&1 &
  fi
  SERVER_PID=$!
  sleep 1.5
}

for target in ${TARGETS:-kamailio sipregd}; do
  for rate in "${RATES[@]}"; do
    rm -rf "$WORK/state"
    SP=$(port); CP=$(port)
    start_server "$target" "$SP"
    (cd "$WORK" && sipp -sf "$HERE/sipp/register.xml" -m 1 -s callee -au callee -ap benchpw \
       -i 127.0.0.1 -p "$CP" -nostdin -timeout 10 "127.0.0.1:$SP" >/dev/null 2>&1) ||
      { echo "target=$target rate=$rate error=register_failed"; kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; continue; }
    total=$((rate * DURATION))
    (cd "$WORK" && exec sipp -sf "$HERE/sipp/callee.xml" -i 127.0.0.1 -p "$CP" -nostdin \
       -m $((total * 2)) -timeout $((DURATION + 30)) >"$WORK/uas.out" 2>&1) &
    UAS=$!
    sleep 0.5
    c0=$(cpu_ticks "$SERVER_PID"); t0=$(date +%s.%N)
    (cd "$WORK" && sipp -sf "$HERE/sipp/caller.xml" -s callee -i 127.0.0.1 -p "$(port)" -nostdin \
       -r "$rate" -m "$total" -l $((rate * 4)) -timer_resol 1 -timeout $((DURATION + 30)) \
       -trace_stat -stf "$WORK/uac.csv" -fd 1 -trace_err -error_file "$WORK/uac.err" \
       "127.0.0.1:$SP" >"$WORK/uac.out" 2>&1) || true
    [ -n "${KEEP:-}" ] && cp "$WORK"/uac.* "$WORK/uas.out" "$KEEP/" 2>/dev/null
    t1=$(date +%s.%N); c1=$(cpu_ticks "$SERVER_PID")
    kill "$UAS" 2>/dev/null || true
    wait "$UAS" 2>/dev/null || true
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
    python3 - "$target" "$rate" "$WORK/uac.csv" "$t0" "$t1" "$c0" "$c1" "$(getconf CLK_TCK)" <<'PY' | tee -a "$OUT"
import csv, sys
target, rate, path, t0, t1, c0, c1, hz = sys.argv[1:]
rows = list(csv.reader(open(path), delimiter=";"))
head, last = rows[0], rows[-1]
col = lambda name: last[head.index(name)]
ok, failed = int(col("SuccessfulCall(C)")), int(col("FailedCall(C)"))
elapsed = float(t1) - float(t0)
cpu = (int(c1) - int(c0)) / int(hz)
rt = col("ResponseTime1(C)") if "ResponseTime1(C)" in head else "n/a"
print(f"target={target} rate={rate} ok={ok} failed={failed} calls_per_s={ok/elapsed:.1f} "
      f"invite_to_200_avg={rt} srv_cpu_s={cpu:.2f} cpu_s_per_1k_calls={1000*cpu/max(ok,1):.3f}")
PY
  done
done
