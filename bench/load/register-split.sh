#!/usr/bin/env bash
# Where a registration's server CPU goes, Kamailio against sipregd, at one rate: user and
# kernel time and context switches per registration, read from /proc/PID/task/*/{stat,status}
# of the server's processes over WINDOW seconds in the middle of the shared harness's measured
# phase. Runs alternate between the targets (kamailio, sipregd, kamailio, ...) so a machine
# that gets busier or quieter affects both alike. The kernel-time and context-switch figures
# move far less between runs than the harness's CPU total on a shared machine.
#   bench/load/register-split.sh RATE [RUNS] [run.sh options...]
#   bench/load/register-split.sh 2000 3
#   bench/load/register-split.sh 2000 2 --sipregd-opt commit_delay=1
#   BASE_BUILD=/tmp/base/build bench/load/register-split.sh 2000 3   # two sipregd builds
# With BASE_BUILD set, the runs alternate between the sipregd in that build tree (target
# "sipregd-base") and this tree's, instead of Kamailio and sipregd.
# Prints one line per run (user_us, kernel_us, vcs and nvcs are per registration) and
# appends them to bench/results/split-DATE.txt. Not a test: nothing here asserts a figure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
[ -x "$SHARED/run.sh" ] || { echo "shared bench harness not found at $SHARED (set SHARED_BENCH)" >&2; exit 2; }
case "${1:-}" in ''|-h|--help) sed -n '2,15p' "$0"; exit 2 ;; esac
RATE=$1
shift
RUNS=3
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then RUNS=$1; shift; fi
DURATION=20   # measured phase; the window sits in its middle
WINDOW=5
OUT="$ROOT/bench/results/split-$(date +%Y-%m-%d).txt"
mkdir -p "$(dirname "$OUT")"
HZ=$(getconf CLK_TCK)
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

server_pids() {  # $1 = run.sh PID, $2 = server command name; the tree walk is the harness's
  python3 - "$SHARED/lib" "$1" "$2" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import procstat
for pid in procstat.descendants([int(sys.argv[2])]):
    try:
        with open(f"/proc/{pid}/comm") as f:
            if f.read().strip() == sys.argv[3]:
                print(pid)
    except OSError:
        pass
PY
}

snapshot() {  # voluntary nonvoluntary utime stime, summed over the threads of the PIDs given
  local v=0 n=0 u=0 s=0 p f
  for p in "$@"; do
    for f in /proc/"$p"/task/*; do
      [ -r "$f/status" ] || continue
      read -r a b < <(awk '/^voluntary_ctxt/ {v=$2} /^nonvoluntary_ctxt/ {n=$2} END {print v+0, n+0}' "$f/status" 2>/dev/null || echo "0 0")
      read -r c d < <(awk '{print $14, $15}' "$f/stat" 2>/dev/null || echo "0 0")
      v=$((v + a)); n=$((n + b)); u=$((u + c)); s=$((s + d))
    done
  done
  echo "$v $n $u $s"
}

TARGETS=(kamailio sipregd)
if [ -n "${BASE_BUILD:-}" ]; then
  [ -x "$BASE_BUILD/apps/sipregd" ] || { echo "no $BASE_BUILD/apps/sipregd" >&2; exit 2; }
  TARGETS=(sipregd-base sipregd)
fi

for run in $(seq 1 "$RUNS"); do
  for target in "${TARGETS[@]}"; do
    # The options go to every run (run.sh applies --sipregd-opt to sipregd only).
    opts=("$@")
    bin=$ROOT/build
    [ "$target" = sipregd-base ] && bin=$BASE_BUILD
    [ "$target" != kamailio ] && opts=(--sipregd-opt auth_algorithms=md5 "$@")
    "$SHARED/run.sh" --target "${target%-base}" --bin "$bin" --rate "$RATE" --duration "$DURATION" \
      "${opts[@]}" >"$LOG" 2>&1 &
    HARNESS=$!
    # Wait for the measured phase (the harness logs it), then for the middle of it.
    for _ in $(seq 1 600); do
      grep -q "measuring" "$LOG" 2>/dev/null && break
      sleep 0.1
    done
    sleep $(( (DURATION - WINDOW) / 2 ))
    mapfile -t PIDS < <(server_pids "$HARNESS" "${target%-base}")
    if [ "${#PIDS[@]}" -eq 0 ]; then
      echo "no $target process found under the harness" >&2
      wait "$HARNESS" || true
      exit 1
    fi
    read -r v0 n0 u0 s0 < <(snapshot "${PIDS[@]}")
    sleep "$WINDOW"
    read -r v1 n1 u1 s1 < <(snapshot "${PIDS[@]}")
    wait "$HARNESS" || { echo "run.sh failed:" >&2; tail -5 "$LOG" >&2; exit 1; }
    summary=$(grep " run=1 " "$LOG" | tr ' ' '\n' |
      grep -E '^(cpu_s_per_1k|reg_per_s|probe_p50_ms|probe_p99_ms)=' | tr '\n' ' ')
    line=$(awk -v t="$target" -v r="$RATE" -v w="$WINDOW" -v hz="$HZ" -v s="$summary" \
      -v dv=$((v1 - v0)) -v dn=$((n1 - n0)) -v du=$((u1 - u0)) -v ds=$((s1 - s0)) \
      -v d="$(date +%FT%T)" 'BEGIN {
        regs = r * w
        printf "target=%s date=%s rate=%d window_s=%d %suser_us=%.1f kernel_us=%.1f vcs=%.2f nvcs=%.2f\n",
          t, d, r, w, s, du / hz * 1e6 / regs, ds / hz * 1e6 / regs, dv / regs, dn / regs
      }')
    echo "$line"
    echo "$line" >>"$OUT"
  done
done
