#!/usr/bin/env bash
# Ring groups (sipreg's type=group, here in sip.conf): ringall rings every member at once and
# cancels the others when one answers; hunt tries members in order (a busy member passes the
# call on); a group that nobody answers within ring_timeout gives the caller 480. The phones
# are sipp UASs registered as the members; the caller is sipp too.
source "$(dirname "$0")/lib.sh"
command -v sipp >/dev/null || { echo "sipp not installed"; exit 1; }
show() { sed 's/^/    | /' "$1"; }

PORT=$(free_port)
SRV="127.0.0.1:$PORT"
STATE="$WORK/state"
cat >"$WORK/sip.conf" <<EOF
[general]
udpbindaddr=127.0.0.1:$PORT
statedir=$STATE
auth_algorithms=md5

[phone](!)
type=friend
host=dynamic
secret=sippsecret

[alice](phone)
[bob](phone)
[carol](phone)
[dave](phone)

[sales]
type=group
members=bob,carol
strategy=ringall
ring_timeout=10

[support]
type=group
members=bob
members=carol
strategy=hunt
ring_timeout=5
extension=700

[night]
type=group
members=dave
ring_timeout=1
EOF
start_sipregd "$STATE" "$WORK/sip.conf" || exit 1
SCEN="$SIPREG_SOURCE_DIR/tests/integration/sipp"
as() { echo -s "$1" -au "$1" -ap sippsecret; }

call_from_alice() {  # call_from_alice TAG TARGET: 407, credentials, answered, BYE
  (cd "$WORK" && timeout 30 sipp -sf "$SCEN/call_uac_auth.xml" -i 127.0.0.1 -p "$(free_port)" \
     -nostdin -timeout 15 -timeout_error -recv_timeout 8000 -m 1 -s "$2" -au alice -ap sippsecret \
     -key caller alice -trace_err -error_file "$WORK/$1.err" "$SRV" >"$WORK/$1.out" 2>&1)
}
BOB=$(free_port); CAROL=$(free_port); DAVE=$(free_port)
for who in bob:$BOB carol:$CAROL dave:$DAVE; do
  run_sipp "reg-${who%%:*}" register.xml "$SRV" -m 1 $(as "${who%%:*}") -key expires 300 -p "${who##*:}"
  check "${who%%:*} registers" equals "$SIPP_RC" 0
done
sleep 0.3

# --- ringall: bob answers, carol's ringing phone is cancelled ----------------------------------
sipp_phone sales-bob callee_answer.xml bob "$BOB"; PB=$PHONE_PID
sipp_phone sales-carol callee_cancelled.xml carol "$CAROL"; PC=$PHONE_PID
call_from_alice sales sales
check "ringall: alice's call to 'sales' is answered" equals "$?" 0
wait "$PB"; check "ringall: bob answered and got ACK and BYE" equals "$?" 0
wait "$PC"; check "ringall: carol rang at the same time and was cancelled" equals "$?" 0
check "ringall: logged as a ring group call" \
  grep -qE "Call from 'alice' to 'sales' \(Call-ID [^)]+\): ringing 2 contacts \(ring group\)" "$STATE.stderr"

# --- hunt: bob is busy, the call moves on to carol --------------------------------------------
sipp_phone hunt-bob callee_busy.xml bob "$BOB"; PB=$PHONE_PID
sipp_phone hunt-carol callee_answer.xml carol "$CAROL"; PC=$PHONE_PID
call_from_alice hunt 700
check "hunt: alice's call to 700 (support) is answered" equals "$?" 0
wait "$PB"; check "hunt: bob was tried first and said busy" equals "$?" 0
wait "$PC"; check "hunt: carol was tried next and answered" equals "$?" 0
check "hunt: logged as a hunt group call" \
  grep -qE "Call from 'alice' to 'support' \(Call-ID [^)]+\): ringing 2 contacts \(hunt group\)" "$STATE.stderr"

# --- nobody answers within ring_timeout: 480 ----------------------------------------------------
sipp_phone night-dave callee_cancelled.xml dave "$DAVE"; PD=$PHONE_PID
sleep 0.3
sed 's/response="FINAL"/response="480"/' "$SCEN/call_uac.xml" >"$WORK/uac-480.xml"
START=$(date +%s.%N)
(cd "$WORK" && timeout 30 sipp -sf "$WORK/uac-480.xml" -i 127.0.0.1 -p "$(free_port)" -nostdin \
   -timeout 10 -timeout_error -recv_timeout 5000 -m 1 -s night -key mf 70 \
   -trace_err -error_file "$WORK/night.err" "$SRV" >"$WORK/night.out" 2>&1)
check "ring_timeout: the caller gets 480 when nobody answers" equals "$?" 0
check "ring_timeout: after about 1 s, not at once" \
  python3 -c "import sys,time; d=time.time()-float(sys.argv[1]); sys.exit(0 if 0.9 <= d <= 5 else 1)" "$START"
wait "$PD"; check "ring_timeout: dave's phone was cancelled" equals "$?" 0

# --- config errors -----------------------------------------------------------------------------
printf '[general]\nudpbindaddr=127.0.0.1:%s\nstatedir=%s\n[bob]\ntype=friend\nhost=dynamic\nsecret=x\n[g]\ntype=group\nmembers=bob,ghost\n' \
  "$(free_port)" "$WORK/bad" >"$WORK/bad.conf"
"$SIPREGD" --check-config -c "$WORK/bad.conf" >"$WORK/bad.out" 2>&1
check "a group member that is no account: exit 1" equals "$?" 1
check "... with FILE:LINE and the name" grep -qF "bad.conf:8: group [g] member 'ghost' is no account" "$WORK/bad.out"

stop_pid "$SIPREGD_PID"
check "sipregd exits 0 on SIGTERM" equals "$STOP_RC" 0
finish
