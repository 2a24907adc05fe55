#!/usr/bin/env bash
# sipregd as a proxy, seen by sipp on both ends: unknown number -> 404, not registered ->
# 480, Max-Forwards 0 -> 483, a loop back to itself -> 482, NAT (the INVITE goes where the
# REGISTER came from, not to the private Contact), a busy phone's 486 relayed, CANCEL while ringing (200 + 487,
# the CANCEL reaches the phone), a local account's INVITE challenged with 407 and then
# connected with credentials, and an AOR with two contacts where one answers and the other
# is cancelled by sipregd; ACK and BYE pass through sipregd's Record-Route.
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
auth_algorithms=md5     ; sipp answers MD5 challenges only

[phone](!)
type=friend
host=dynamic
secret=sippsecret

[alice](phone)
[bob](phone)
extension=6002
[dave](phone)
[carol](phone)
max_contacts=2
remove_existing=no
[loopy](phone)
nat=no                  ; route to the Contact itself, which points back at sipregd
[nated](phone)          ; nat=force_rport (the default): route to where the REGISTER came from
EOF
start_sipregd "$STATE" "$WORK/sip.conf" || exit 1
as() { echo -s "$1" -au "$1" -ap sippsecret; }
SCEN="$SIPREG_SOURCE_DIR/tests/integration/sipp"

# uac TAG FINAL CALLEE [sipp args]: call_uac.xml from outside, expecting FINAL
# (Max-Forwards $MF, default 70).
uac() {
  local tag=$1 final=$2 callee=$3; shift 3
  sed "s/response=\"FINAL\"/response=\"$final\"/" "$SCEN/call_uac.xml" >"$WORK/uac-$final.xml"
  (cd "$WORK" && timeout 30 sipp -sf "$WORK/uac-$final.xml" -i 127.0.0.1 -p "$(free_port)" \
     -nostdin -timeout 10 -timeout_error -recv_timeout 4000 -m 1 -s "$callee" -key mf "${MF:-70}" \
     -trace_msg -message_file "$WORK/$tag.msg" -trace_err -error_file "$WORK/$tag.err" \
     "$@" "$SRV" >"$WORK/$tag.out" 2>&1)
  UAC_RC=$?
  [ "$UAC_RC" -eq 0 ] || { echo "    | $tag: sipp exit $UAC_RC"; show "$WORK/$tag.err" | head -8; }
}
registered_at() {  # registered_at USER PORT
  run_sipp "reg-$1-$2" register.xml "$SRV" -m 1 $(as "$1") -key expires 300 -p "$2"
  [ "$SIPP_RC" -eq 0 ]
}

# --- routing failures ---------------------------------------------------------------------
uac unknown 404 nobody
check "unknown user: 404 Not Found" equals "$UAC_RC" 0
uac unregistered 480 dave
check "known but not registered: 480 Temporarily Unavailable" equals "$UAC_RC" 0
check "480 logged with the reason" \
  wait_for_text "$STATE.stderr" "Call from 'outsider' to 'dave' (Call-ID " 2
BOBPORT=$(free_port)
check "bob registers from sipp" registered_at bob "$BOBPORT"
MF=0 uac hops 483 bob
check "Max-Forwards: 0: 483 Too Many Hops" equals "$UAC_RC" 0

# A binding whose Contact is sipregd itself: the INVITE comes back with our own Via and the
# same Request-URI: a loop (482 at once), not 70 hops until Max-Forwards runs out (483).
sed "s|Contact: <sip:\[service\]@\[local_ip\]:\[local_port\]>|Contact: <sip:loopy@127.0.0.1:$PORT>|" \
  "$SCEN/register.xml" >"$WORK/register-loopy.xml"
(cd "$WORK" && timeout 30 sipp -sf "$WORK/register-loopy.xml" -i 127.0.0.1 -p "$(free_port)" -nostdin \
   -timeout 10 -timeout_error -m 1 $(as loopy) -key expires 300 "$SRV" >"$WORK/reg-loopy.out" 2>&1)
check "loopy registers a Contact that is sipregd itself" equals "$?" 0
uac loop 482 loopy
check "a request that comes back to sipregd unchanged: 482 Loop Detected" equals "$UAC_RC" 0
check "the loop is logged" wait_for_text "$STATE.stderr" "Loop detected for 'sip:loopy@127.0.0.1:$PORT'" 2

# NAT: a phone behind NAT registers a Contact with its private address (here port 9, where
# nothing listens); with nat=force_rport sipregd sends the INVITE to the address and port the
# REGISTER came from instead, where the phone really is.
NATPORT=$(free_port)
sed "s|Contact: <sip:\[service\]@\[local_ip\]:\[local_port\]>|Contact: <sip:nated@127.0.0.1:9>|" \
  "$SCEN/register.xml" >"$WORK/register-nated.xml"
(cd "$WORK" && timeout 30 sipp -sf "$WORK/register-nated.xml" -i 127.0.0.1 -p "$NATPORT" -nostdin \
   -timeout 10 -timeout_error -m 1 $(as nated) -key expires 300 "$SRV" >"$WORK/reg-nated.out" 2>&1)
check "nated registers Contact 127.0.0.1:9 from port $NATPORT" equals "$?" 0
sipp_phone nated-busy callee_busy.xml nated "$NATPORT"
uac nat 486 nated
check "nat=force_rport: the call reaches the phone at its source port (its 486 comes back)" \
  equals "$UAC_RC" 0
wait "$PHONE_PID"
check "nat=force_rport: the phone got the INVITE (Request-URI still its Contact) and the ACK" equals "$?" 0
check "nat=force_rport: the Request-URI is the registered Contact" \
  grep -q "^INVITE sip:nated@127.0.0.1:9 SIP/2.0" "$WORK/nated-busy.msg"

# --- busy -----------------------------------------------------------------------------------
sipp_phone bob-busy callee_busy.xml bob "$BOBPORT"
uac busy 486 6002
check "bob (dialled as 6002) is busy: the caller gets his 486" equals "$UAC_RC" 0
wait "$PHONE_PID"
check "bob's phone saw the INVITE and the ACK for its 486" equals "$?" 0
check "the INVITE bob got carries sipregd's Record-Route and Via" python3 - "$WORK/bob-busy.msg" "$PORT" <<'PY'
import re, sys
t = open(sys.argv[1], errors="replace").read()
inv = t[t.index("INVITE sip:bob@"):]
assert re.search(r"^Record-Route: <sip:127\.0\.0\.1:%s;lr>" % sys.argv[2], inv, re.M), inv[:600]
assert re.search(r"^Via: SIP/2\.0/UDP 127\.0\.0\.1:%s;branch=z9hG4bK" % sys.argv[2], inv, re.M), inv[:600]
assert re.search(r"^Max-Forwards: 69", inv, re.M), inv[:600]
PY

# --- CANCEL while ringing ---------------------------------------------------------------------
sipp_phone bob-cancel callee_cancelled.xml bob "$BOBPORT"
(cd "$WORK" && timeout 30 sipp -sf "$SCEN/call_uac_cancel.xml" -i 127.0.0.1 -p "$(free_port)" \
   -nostdin -timeout 10 -timeout_error -recv_timeout 4000 -m 1 -s bob \
   -trace_err -error_file "$WORK/cancel.err" "$SRV" >"$WORK/cancel.out" 2>&1)
check "caller cancels: 200 for the CANCEL, 487 for the INVITE" equals "$?" 0
wait "$PHONE_PID"
check "the CANCEL reached bob's phone (it answered 200 + 487 and got the ACK)" equals "$?" 0
check "the cancel is logged" wait_for_text "$STATE.stderr" "cancelled by the caller" 2

# --- a local account must authenticate ---------------------------------------------------------
sed -e 's/outsider/alice/g' -e 's/response="FINAL"/response="407"/' "$SCEN/call_uac.xml" >"$WORK/uac-local.xml"
(cd "$WORK" && timeout 30 sipp -sf "$WORK/uac-local.xml" -i 127.0.0.1 -p "$(free_port)" -nostdin \
   -timeout 10 -timeout_error -recv_timeout 4000 -m 1 -s bob -key mf 70 "$SRV" >"$WORK/local.out" 2>&1)
check "alice's INVITE without credentials: 407 Proxy Authentication Required" equals "$?" 0

# --- fork: carol has two phones; one answers, the other is cancelled ---------------------------
C1=$(free_port); C2=$(free_port)
check "carol registers phone 1" registered_at carol "$C1"
check "carol registers phone 2" registered_at carol "$C2"
sipp_phone carol-1 callee_answer.xml carol "$C1"
P1=$PHONE_PID
sipp_phone carol-2 callee_cancelled.xml carol "$C2"
P2=$PHONE_PID
(cd "$WORK" && timeout 30 sipp -sf "$SCEN/call_uac_auth.xml" -i 127.0.0.1 -p "$(free_port)" \
   -nostdin -timeout 10 -timeout_error -recv_timeout 4000 -m 1 -s carol -au alice -ap sippsecret \
   -key caller alice -trace_msg -message_file "$WORK/fork.msg" -trace_err -error_file "$WORK/fork.err" \
   "$SRV" >"$WORK/fork.out" 2>&1)
check "alice -> carol: 407, credentials, 200, ACK and BYE through sipregd" equals "$?" 0
[ "$FAILURES" -eq 0 ] || show "$WORK/fork.err"
wait "$P1"
check "carol's phone 1 answered, got the ACK and the BYE" equals "$?" 0
wait "$P2"
check "carol's phone 2 was cancelled by sipregd (200 + 487, ACK)" equals "$?" 0
check "the answer is logged" \
  grep -qE "Call from 'alice' to 'carol' \(Call-ID [^)]+\): 200 from the callee" "$STATE.stderr"
check "the hang-up is logged" wait_for_text "$STATE.stderr" "Call 'alice' -> 'carol'" 2

admin "$STATE" metrics >"$WORK/metrics.txt"
check "metrics: 404 and 480 by sipregd, 482, 486 (twice) and 487 relayed: six 4xx answers" \
  grep -qx 'sipreg_call_answers_total{class="4xx"} 6' "$WORK/metrics.txt"
[ "$FAILURES" -eq 0 ] || grep call_answers "$WORK/metrics.txt" | show /dev/stdin

stop_pid "$SIPREGD_PID"
check "sipregd exits 0 on SIGTERM" equals "$STOP_RC" 0
finish
