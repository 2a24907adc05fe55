#!/usr/bin/env bash
# REGISTER load: sipregd against Kamailio with the shared sipp harness
# (../shared/bench, read-only; see its README), on this machine, side by side.
#   bench/load/register-vs-kamailio.sh findmax   # highest sustained rate, both targets
#   bench/load/register-vs-kamailio.sh half RATE # one run at RATE (e.g. half of the max)
#   bench/load/register-vs-kamailio.sh memory    # bytes per binding at 100,000 bindings
# Build first (make build). Results are appended to bench/results/. Not a test: nothing
# here asserts a time.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
[ -x "$SHARED/run.sh" ] || { echo "shared bench harness not found at $SHARED (set SHARED_BENCH)" >&2; exit 2; }
OUT="$ROOT/bench/results"
mkdir -p "$OUT"
STAMP=$(date +%Y-%m-%d)
# sipp answers MD5 challenges only; sipregd offers SHA-256 first by default.
SIPREGD_OPTS=(--sipregd-opt auth_algorithms=md5)
case "${1:-}" in
  findmax)
    "$SHARED/find-max.sh" --target kamailio,sipregd --bin "$ROOT/build" --start 2000 --duration 15 \
      "${SIPREGD_OPTS[@]}" --out "$OUT/findmax-$STAMP.txt" ;;
  half)
    "$SHARED/run.sh" --target kamailio,sipregd --bin "$ROOT/build" --rate "${2:?rate}" --duration 30 \
      "${SIPREGD_OPTS[@]}" --out "$OUT/run-$2-$STAMP.txt" ;;
  memory)
    "$SHARED/memory.sh" --target kamailio,sipregd --bin "$ROOT/build" --users 100000 --rate 2000 \
      "${SIPREGD_OPTS[@]}" --out "$OUT/memory-$STAMP.txt" ;;
  *) sed -n '2,8p' "$0"; exit 2 ;;
esac
