#!/usr/bin/env bash
# Nothing acknowledged is lost: sipp registers many accounts (injection CSV, digest) at
# ~200/s; sipregd is killed with SIGKILL while a second wave is in flight and restarted on the
# same statedir; every registration that got a 200 OK must be back, with a remaining expiry
# no longer than granted. A clean restart (SIGTERM) keeps every binding too.
source "$(dirname "$0")/lib.sh"
command -v sipp >/dev/null || { echo "sipp not installed"; exit 1; }

N1=200           # wave 1: registered and confirmed before the kill
N2=400           # wave 2: SIGKILL lands once 40 of it are acknowledged
RATE=200
PORT=$(free_port)
SRV="127.0.0.1:$PORT"
STATE="$WORK/state"
CONF="$WORK/sip.conf"
{
  cat <<EOF
[general]
udpbindaddr=127.0.0.1:$PORT
statedir=$STATE
auth_algorithms=md5
maxexpiry=3600
maxretry=0

[acct](!)
type=friend
host=dynamic
EOF
  for i in $(seq -w 0 $((N1 + N2 - 1))); do printf '[u%s](acct)\nsecret=pw%s\n' "$i" "$i"; done
} >"$CONF"
{ echo SEQUENTIAL; for i in $(seq -w 0 $((N1 - 1))); do echo "u$i;[authentication username=u$i password=pw$i]"; done; } >"$WORK/wave1.csv"
{ echo SEQUENTIAL; for i in $(seq -w "$N1" $((N1 + N2 - 1))); do echo "u$i;[authentication username=u$i password=pw$i]"; done; } >"$WORK/wave2.csv"
# seq -w pads to the widest number; keep the config and the CSVs in step.
check "accounts in config match the CSVs" \
  equals "$(grep -c '^\[u' "$CONF")" "$(( $(wc -l <"$WORK/wave1.csv") + $(wc -l <"$WORK/wave2.csv") - 2 ))"

start_sipregd "$STATE" "$CONF" || exit 1

# sipp_wave TAG CSV CALLS EXPIRES: the wave in the background; sets WAVE_PID.
sipp_wave() {
  (cd "$WORK" && exec timeout 60 sipp -sf "$SIPREG_SOURCE_DIR/tests/integration/sipp/register_inf.xml" \
     -inf "$2" -m "$3" -r "$RATE" -l 100 -key expires "$4" -i 127.0.0.1 -p "$(free_port)" \
     -nostdin -recv_timeout 2000 -timeout 30 \
     -trace_msg -message_file "$WORK/$1.msg" -trace_err -error_file "$WORK/$1.err" \
     "$SRV" >"$WORK/$1.out" 2>&1) &
  WAVE_PID=$!
  PIDS+=("$WAVE_PID")
}

# acked MSGFILE: one line per 200 OK in a sipp message log:
# "epoch-seconds user contact-uri granted-expires"
acked() {
  python3 - "$1" <<'PY'
import datetime, re, sys
text = open(sys.argv[1], errors="replace").read()
for block in re.split(r"^-{20,} ", text, flags=re.M):
    stamp, _, body = block.partition("\n")
    if not re.search(r"^SIP/2\.0 200 ", body, re.M):
        continue
    t = datetime.datetime.strptime(stamp.strip()[:26], "%Y-%m-%d %H:%M:%S.%f").timestamp()
    to = re.search(r"^To: <sip:([^@>]+)@", body, re.M).group(1)
    for uri, exp in re.findall(r"^Contact: <([^>]+)>;expires=(\d+)", body, re.M):
        print(f"{t:.3f} {to} {uri} {exp}")
PY
}

# bindings_ok ACKED-FILE: every acked binding is listed by `sip show peers --json` with
# granted - (time since the 200 OK) - 3 <= remaining <= granted.
bindings_ok() {
  admin "$STATE" sip show peers --json >"$WORK/peers.json" 2>&1
  python3 - "$1" "$WORK/peers.json" <<'PY'
import json, sys, time
now = time.time()
peers = {p["name"]: {c["uri"]: c["expires"] for c in p["contacts"]} for p in json.load(open(sys.argv[2]))}
bad = []
n = 0
for line in open(sys.argv[1]):
    t, user, uri, granted = line.split()
    n += 1
    got = peers.get(user, {}).get(uri)
    lo = int(granted) - (now - float(t)) - 3
    if got is None or not (lo <= got <= int(granted)):
        bad.append(f"{user} {uri} granted {granted} at {t}: now {got}")
if bad:
    print(f"{len(bad)} of {n} acknowledged bindings missing or wrong:", *bad[:10], sep="\n    | ")
    sys.exit(1)
PY
}

online() {  # online: number of peers with at least one contact
  admin "$STATE" sip show peers --json | python3 -c '
import json, sys; print(sum(1 for p in json.load(sys.stdin) if p["contacts"]))'
}

# --- wave 1: complete ---------------------------------------------------------------------------
sipp_wave wave1 wave1.csv "$N1" 3600
wait "$WAVE_PID"
check "wave 1: sipp registered all $N1 accounts (exit 0)" equals "$?" 0
acked "$WORK/wave1.msg" >"$WORK/acked1.txt"
check "wave 1: $N1 200 OKs recorded" equals "$(wc -l <"$WORK/acked1.txt")" "$N1"
check "wave 1: sip show peers has $N1 accounts online" equals "$(online)" "$N1"
check "wave 1: every acknowledged binding is listed" bindings_ok "$WORK/acked1.txt"

# --- wave 2, SIGKILL in the middle, restart -------------------------------------------------------
sipp_wave wave2 wave2.csv "$N2" 1800
# Kill once wave 2 is well under way: at least 40 of its REGISTERs answered 200 (sipregd's
# own counter; on a loaded machine sipp may take a while to get going).
for _ in $(seq 1 200); do
  ok=$(admin "$STATE" metrics 2>/dev/null | sed -n 's/^sipreg_registrations_total{result="ok"} //p')
  [ "${ok:-0}" -ge $((N1 + 40)) ] && break
  sleep 0.05
done
KILL_AT=$(date +%s.%N)
stop_pid "$SIPREGD_PID" KILL
check "sipregd died of SIGKILL mid-wave" equals "$STOP_RC" 137
start_sipregd "$STATE" "$CONF" || { finish; exit 1; }
check "restart: log says how many bindings came back" \
  grep -qE "Loaded [0-9]+ bindings from $STATE/bindings.sqlite" "$STATE.stderr"
loaded=$(grep -oE "Loaded [0-9]+ bindings" "$STATE.stderr" | tail -1 | grep -oE "[0-9]+")
wait "$WAVE_PID"   # the rest of wave 2 runs against the restarted sipregd; some calls fail
acked "$WORK/wave2.msg" >"$WORK/acked2.txt"
# The 200 OKs sipp had received before the kill came from the killed sipregd.
awk -v k="$KILL_AT" '$1 <= k' "$WORK/acked2.txt" >"$WORK/acked2-before.txt"
before_kill=$(wc -l <"$WORK/acked2-before.txt")
check "wave 2 was in progress at the kill ($before_kill of $N2 acknowledged before it)" \
  test "$before_kill" -gt 0 -a "$before_kill" -lt "$N2"
check "restart: loaded at least wave 1 + the acknowledged part of wave 2 ($loaded >= $((N1 + before_kill)))" \
  test "${loaded:-0}" -ge $((N1 + before_kill))
cat "$WORK/acked1.txt" "$WORK/acked2.txt" >"$WORK/acked-all.txt"
echo "    | wave 2: $(wc -l <"$WORK/acked2.txt") of $N2 acknowledged in all, $before_kill before the kill"
check "after SIGKILL: every binding acknowledged before the kill is back" \
  bindings_ok "$WORK/acked2-before.txt"
check "after SIGKILL: every binding of wave 1 is back" bindings_ok "$WORK/acked1.txt"
check "after SIGKILL: every acknowledged binding of both waves is listed" \
  bindings_ok "$WORK/acked-all.txt"

# --- clean restart: SIGTERM keeps everything --------------------------------------------------------
admin "$STATE" sip show peers --json >"$WORK/before-term.json"
stop_pid "$SIPREGD_PID"
check "SIGTERM: sipregd exits 0" equals "$STOP_RC" 0
start_sipregd "$STATE" "$CONF" || { finish; exit 1; }
admin "$STATE" sip show peers --json >"$WORK/after-term.json"
check "SIGTERM restart: the same contacts, none longer-lived than before" python3 -c '
import json, sys
def load(f):
    return {(p["name"], c["uri"]): c["expires"] for p in json.load(open(f)) for c in p["contacts"]}
a, b = load(sys.argv[1]), load(sys.argv[2])
assert a.keys() == b.keys(), (len(a), len(b), sorted(set(a) ^ set(b))[:5])
assert all(a[k] - 5 <= b[k] <= a[k] for k in a), [(k, a[k], b[k]) for k in a if not a[k] - 5 <= b[k] <= a[k]][:5]
assert len(a) >= '"$N1"', len(a)
' "$WORK/before-term.json" "$WORK/after-term.json"
check "SIGTERM restart: every acknowledged binding still listed" bindings_ok "$WORK/acked-all.txt"

stop_pid "$SIPREGD_PID"
finish
