#!/usr/bin/env bash
# sipregd's configuration as an admin meets it: --check-config on the bundled demo files of
# both dialects, FILE:LINE errors for broken files (and sipregd refusing to start on them),
# and both demo dialects actually serving registrations.
source "$(dirname "$0")/lib.sh"

DEMO="$SIPREG_SOURCE_DIR/demo"
show() { sed 's/^/    | /' "$1"; }

# --- the demo files are valid -----------------------------------------------------------------
for f in sip.conf pjsip.conf; do
  "$SIPREGD" --check-config -c "$DEMO/$f" >"$WORK/check-$f.out" 2>&1
  rc=$?
  check "demo/$f: --check-config exits 0" equals "$rc" 0
  check "demo/$f: says Configuration OK" contains "$WORK/check-$f.out" "Configuration OK"
  [ "$rc" -eq 0 ] || show "$WORK/check-$f.out"
done
# Both demo files together define demo-alice twice: an error naming both places.
"$SIPREGD" --check-config -c "$DEMO/sip.conf" -c "$DEMO/pjsip.conf" >"$WORK/both.out" 2>&1
check "demo sip.conf + pjsip.conf together: exit 1 (same listener, same accounts)" equals "$?" 1
check "demo sip.conf + pjsip.conf together: the error names both places" \
  grep -qE "pjsip\.conf:[0-9]+: .*sip\.conf:[0-9]+" "$WORK/both.out"

# --- broken files: FILE:LINE: reason, exit 1, sipregd will not start --------------------------
mkdir -p "$WORK/bad"
GEN="[general]
udpbindaddr=127.0.0.1:$(free_port)
statedir=$WORK/bad/state"
PEER="type=friend
host=dynamic
secret=x"
printf 'udpbindaddr=127.0.0.1:5060\n[general]\n' >"$WORK/bad/outside.conf"
printf '%s\n\n[bob]\n%s\nqualify=maybe\n' "$GEN" "$PEER" >"$WORK/bad/qualify.conf"
printf '%s\n\n[bob](phones)\n%s\n' "$GEN" "$PEER" >"$WORK/bad/template.conf"
printf '%s\n#include "nothere.conf"\n' "$GEN" >"$WORK/bad/include.conf"
printf '%s\n\n[bob]\n%s\nmax_contacts=lots\n' "$GEN" "$PEER" >"$WORK/bad/maxcontacts.conf"
cat >"$WORK/bad/pjsip.conf" <<'EOF'
[udp]
type=transport
protocol=udp
bind=127.0.0.1:5060

[bob]
type=endpoint
auth=bob
aors=bob-desk

[bob]
type=auth
username=bob
password=x
EOF

# name  expected "FILE:LINE: reason" (fixed text)
while read -r name expect; do
  f="$WORK/bad/$name.conf"
  "$SIPREGD" --check-config -c "$f" >"$WORK/bad/$name.out" 2>"$WORK/bad/$name.err"
  rc=$?
  check "$name.conf: --check-config exits 1" equals "$rc" 1
  check "$name.conf: stderr says '$expect'" contains "$WORK/bad/$name.err" "$expect"
  check "$name.conf: does not say Configuration OK" not_contains "$WORK/bad/$name.out" "Configuration OK"
  timeout 5 "$SIPREGD" -f -c "$f" >"$WORK/bad/$name.start" 2>&1
  rc=$?
  check "$name.conf: sipregd refuses to start (exit 1, not killed by timeout)" equals "$rc" 1
  check "$name.conf: sipregd names the error at start" contains "$WORK/bad/$name.start" "$expect"
done <<EOF
outside outside.conf:1: line outside any section
qualify qualify.conf:9: 'qualify' must be yes, no or milliseconds, not 'maybe'
template template.conf:5: unknown template 'phones'
include include.conf:4: cannot include '
maxcontacts maxcontacts.conf:9:
pjsip pjsip.conf:9: endpoint 'bob' refers to unknown aor 'bob-desk'
EOF
check "refused configs created no statedir" test ! -e "$WORK/bad/state/bindings.sqlite"

# A warning is not an error: an unknown key is reported and the file still passes.
printf '%s\n\n[bob]\n%s\ncolour=blue\n' "$GEN" "$PEER" >"$WORK/warn.conf"
"$SIPREGD" --check-config -c "$WORK/warn.conf" >"$WORK/warn.out" 2>&1
check "unknown key: --check-config still exits 0" equals "$?" 0
check "unknown key: warned with file and line" contains "$WORK/warn.out" "warn.conf:9:"

# --- both demo dialects serve registrations ----------------------------------------------------
# The demo files as shipped, with only the port and the state folder changed.
for f in sip.conf pjsip.conf; do
  port=$(free_port)
  state="$WORK/demo-${f%.conf}"
  sed -e "s/127\.0\.0\.1:5060/127.0.0.1:$port/" -e "s|^statedir=.*|statedir=$state|" \
    "$DEMO/$f" >"$WORK/demo-$f"
  check "demo $f: port and statedir were rewritten" \
    bash -c "grep -q '127.0.0.1:$port' '$WORK/demo-$f' && grep -q 'statedir=$state' '$WORK/demo-$f'"
  start_sipregd "$state" "$WORK/demo-$f" || { FAILURES=$((FAILURES + 1)); continue; }
  run_probe "$WORK/probe-$f.txt" --server "127.0.0.1:$port" --user demo-bob \
    --password othersecretpassword --timeout 3
  check "demo $f: demo-bob registers (probe exit 0)" equals "$PROBE_RC" 0
  [ "$PROBE_RC" -eq 0 ] || show "$WORK/probe-$f.txt"
  run_probe "$WORK/probe-bad-$f.txt" --server "127.0.0.1:$port" --user demo-alice \
    --password othersecretpassword --timeout 3
  check "demo $f: demo-alice with bob's password is rejected (exit 1)" equals "$PROBE_RC" 1
  admin "$state" sip show peers >"$WORK/peers-$f.txt" 2>&1
  check "demo $f: sip show peers lists demo-bob at 127.0.0.1" \
    grep -qE "^demo-bob +127\.0\.0\.1 +D " "$WORK/peers-$f.txt"
  check "demo $f: sip show peers counts one online, one offline" \
    grep -qF "2 sip peers [Monitored: 0 online, 0 offline Unmonitored: 1 online, 1 offline]" \
    "$WORK/peers-$f.txt"
  admin "$state" pjsip show endpoints >"$WORK/endpoints-$f.txt" 2>&1
  check "demo $f: pjsip show endpoints: demo-bob Not in use, demo-alice Unavailable" python3 - \
    "$WORK/endpoints-$f.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
assert re.search(r"^ Endpoint:  demo-bob {45}Not in use    0 of inf$", t, re.M), t
assert re.search(r"^ Endpoint:  demo-alice {43}Unavailable   0 of inf$", t, re.M), t
assert re.search(r"^     InAuth:  demo-bob/demo-bob$", t, re.M), t
assert re.search(r"^        Aor:  demo-bob {43}1$", t, re.M), t
assert re.search(r"^      Contact:  demo-bob/sip:demo-bob@127\.0\.0\.1:\d+ +[0-9a-f]{10} NonQual +nan$", t, re.M), t
assert t.rstrip().endswith("Objects found: 2"), t
PY
  admin "$state" pjsip show contacts like alice >"$WORK/contacts-$f.txt" 2>&1
  check "demo $f: pjsip show contacts like alice: none registered" \
    contains "$WORK/contacts-$f.txt" "No objects found."
  check "demo $f: sip set debug ip 127.0.0.1" \
    equals "$(admin "$state" sip set debug ip 127.0.0.1)" "SIP Debugging Enabled for IP: 127.0.0.1"
  run_probe "$WORK/probe-dbg-$f.txt" --server "127.0.0.1:$port" --user demo-bob \
    --password othersecretpassword --timeout 3
  check "demo $f: with debug on, the REGISTER is in the log in chan_sip's frame" \
    wait_for_text "$state.stderr" "<--- SIP read from UDP:127.0.0.1:" 2
  check "demo $f: and the 200 OK sent back" \
    wait_for_text "$state.stderr" "<--- Transmitting to UDP:127.0.0.1:" 2
  admin "$state" sip set debug ip 127.0.0.2 >/dev/null
  frames=$(grep -c "<--- SIP read from" "$state.stderr")
  run_probe "$WORK/probe-dbg2-$f.txt" --server "127.0.0.1:$port" --user demo-bob \
    --password othersecretpassword --timeout 3
  sleep 0.2
  check "demo $f: sip set debug ip 127.0.0.2 prints nothing for traffic from 127.0.0.1" \
    equals "$(grep -c "<--- SIP read from" "$state.stderr")" "$frames"
  check "demo $f: sip set debug off" \
    equals "$(admin "$state" sip set debug off)" "SIP Debugging Disabled"
  check "demo $f: sip set debug ip with no address is an error" \
    grep -q "^error: usage" <(admin "$state" sip set debug ip)
  stop_pid "$SIPREGD_PID"
  check "demo $f: sipregd exits 0 on SIGTERM" equals "$STOP_RC" 0
done

finish
