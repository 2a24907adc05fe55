#!/usr/bin/env bash
# What one REGISTER-with-digest costs sipregd, counted rather than timed, so two
# builds can be compared on a shared, noisy machine:
#   instructions  user-space instructions per registration (valgrind callgrind;
#                 repeatable to a fraction of a percent, whatever else runs)
#   syscalls      system calls per registration, by name (strace -c -f)
# Both drive sipregd with sipp and the shared harness's scenario and users
# (../shared/bench): N users registered once (prefill, not counted), then N
# re-registrations counted.
#   bench/load/register-cost.sh instructions [BUILD] [N]   # default build, 2000
#   bench/load/register-cost.sh syscalls [BUILD] [N]
# Not a test: nothing here asserts a figure. The callgrind profile is kept in
# $OUT_DIR (default /tmp/register-cost) for callgrind_annotate.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
MODE=${1:-}
BUILD=${2:-$ROOT/build}
N=${3:-2000}
RATE=${RATE:-200}
OUT_DIR=${OUT_DIR:-/tmp/register-cost}
case "$MODE" in instructions|syscalls) ;; *) sed -n '2,13p' "$0"; exit 2 ;; esac
SIPREGD="$BUILD/apps/sipregd"
[ -x "$SIPREGD" ] || { echo "no $SIPREGD (make build first)" >&2; exit 2; }
for tool in sipp valgrind strace callgrind_control; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done

source "$ROOT/bench/load/workdir.sh"
mkdir -p "$OUT_DIR" "$WORK/state"
rm -f "$OUT_DIR"/callgrind.out*
PORT=${PORT:-15160}
"$SHARED/sipregd/gen-sipconf.sh" -n "$N" -l "127.0.0.1:$PORT" -d "$WORK/state" "$WORK/sip.conf"
"$SHARED/sipp/gen-users-csv.sh" -n "$N" "$WORK/users.csv"

run_sipp() {  # one registration per user, at RATE/s; returns when all are done
  (cd "$WORK" && sipp "127.0.0.1:$PORT" -sf "$SHARED/sipp/register_auth.xml" -inf users.csv \
    -key expires 3600 -i 127.0.0.1 -p $((PORT + 1)) -r "$RATE" -m "$N" -l 200 \
    -recv_timeout 10000 -timeout 600s -nostdin >>"$WORK/sipp.out" 2>&1) ||
    { echo "sipp failed (exit $?):" >&2; tail -5 "$WORK/sipp.out" >&2; exit 1; }
}

wait_ready() {
  for _ in $(seq 1 600); do
    python3 "$SHARED/lib/sipclient.py" ping --server "127.0.0.1:$PORT" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "sipregd did not answer" >&2
  exit 1
}

if [ "$MODE" = instructions ]; then
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT_DIR/callgrind.out" \
    "$SIPREGD" -c "$WORK/sip.conf" -f >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  RATE=$((RATE / 4))  # under valgrind sipregd is ~50x slower
else
  "$SIPREGD" -c "$WORK/sip.conf" -f >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
fi
wait_ready
run_sipp  # prefill: every user has a binding, as in the shared harness
if [ "$MODE" = instructions ]; then
  callgrind_control -i on "$SERVER_PID" >/dev/null
  run_sipp
  callgrind_control -i off "$SERVER_PID" >/dev/null
  callgrind_control -d "$SERVER_PID" >/dev/null
  sleep 1
  total=$(grep -h "^summary:\|^totals:" "$OUT_DIR"/callgrind.out* | awk '{s += $2} END {print s}')
  echo "registrations=$N instructions=$total instructions_per_registration=$((total / N))"
else
  strace -c -f -p "$SERVER_PID" -o "$WORK/strace.txt" &
  STRACE_PID=$!
  sleep 1
  run_sipp
  kill -INT "$STRACE_PID"
  wait "$STRACE_PID" 2>/dev/null || true
  awk -v n="$N" '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "total" {
      printf "%-16s %8.2f per registration\n", $NF, $4 / n; s += $4 }
    END { printf "%-16s %8.2f per registration\n", "all", s / n }' "$WORK/strace.txt" |
    sort -k2 -n -r
fi
