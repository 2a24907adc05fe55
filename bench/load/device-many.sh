#!/usr/bin/env bash
# How long one sipreg-device takes to register N extensions, and its peak memory.
#   bench/load/device-many.sh [N...]            (default: 1000 10000)
# Each N: sipregd with N sip.conf accounts (md5, no brute-force limit) on loopback, a device
# with [page] .. [page.N] and register_rate = RATE (default 1000/s, env RATE), timed from
# start until /api/status shows N Successful; then SIGTERM (unregister all) is timed too.
# Peak memory is the device's VmHWM. Results are appended to bench/results/. Build first
# (make build). Not a test: nothing here asserts a time.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/build/apps}
MANY="$ROOT/tests/integration/many_extensions.py"
RATE=${RATE:-1000}
OUT="$ROOT/bench/results/device-many-$(date +%Y-%m-%d).txt"
mkdir -p "$ROOT/bench/results"
WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"' EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

[ $# -gt 0 ] || set -- 1000 10000
{
  echo "# sipreg-device: register N extensions with sipregd on loopback, register_rate=$RATE"
  echo "# $(date -u +%FT%TZ) $(nproc) cores, $(git -C "$ROOT" rev-parse --short HEAD)"
  printf '%-7s %-12s %-14s %-12s %-14s\n' N seconds reg/s peak_MiB sigterm_ms
} | tee -a "$OUT"
for N in "$@"; do
  SPORT=$(port); WEB=$(port)
  STATE="$WORK/state-$N"
  python3 "$MANY" configs "$N" "$SPORT" "$WEB" "$RATE" "$STATE" "$WORK/sip-$N.conf" "$WORK/dev-$N.conf"
  mkdir -p "$STATE"
  "$BIN/sipregd" -f -c "$WORK/sip-$N.conf" >"$WORK/sipregd-$N.log" 2>&1 &
  SPID=$!; PIDS+=("$SPID")
  for _ in $(seq 1 200); do
    "$BIN/sipreg" -C "$STATE/sipregd.ctl" sip show peers >/dev/null 2>&1 && break
    sleep 0.1
  done
  t_start=$(date +%s%N)
  "$BIN/sipreg-device" -c "$WORK/dev-$N.conf" >"$WORK/device-$N.log" 2>&1 &
  DPID=$!; PIDS+=("$DPID")
  if python3 "$MANY" wait "$WEB" "$N" 600 >/dev/null; then
    secs=$(python3 -c "print('%.2f' % (($(date +%s%N) - $t_start) / 1e9))")
  else
    secs=timeout
  fi
  peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$DPID/status")
  t0=$(date +%s%N)
  kill -TERM "$DPID"; wait "$DPID" 2>/dev/null
  sig_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null
  rate=$(python3 -c "import sys; s=sys.argv[1]; print('%.0f' % (int(sys.argv[2]) / float(s)) if s.replace('.','',1).isdigit() else '-')" "$secs" "$N")
  printf '%-7s %-12s %-14s %-12s %-14s\n' "$N" "$secs" "$rate" "$(( ${peak_kb:-0} / 1024 ))" "$sig_ms" | tee -a "$OUT"
done
