#!/usr/bin/env bash
# sipregd's RFC 3261 10.3 registrar rules seen from a real UAC: sipp scenarios
# (tests/integration/sipp/*.xml) over UDP and TCP on loopback. Register with digest,
# refresh, unregister, 423, Contact: *, CSeq order, max_contacts / remove_existing.
source "$(dirname "$0")/lib.sh"
command -v sipp >/dev/null || { echo "sipp not installed"; exit 1; }

PORT=$(free_port)
SRV="127.0.0.1:$PORT"
STATE="$WORK/state"
CONF="$WORK/sip.conf"
cat >"$CONF" <<EOF
[general]
udpbindaddr=127.0.0.1:$PORT
tcpenable=yes
tcpbindaddr=127.0.0.1:$PORT
statedir=$STATE
auth_algorithms=md5     ; sipp answers MD5 challenges only
minexpiry=60
maxexpiry=3600
defaultexpiry=120

[phone](!)
type=friend
host=dynamic
secret=sippsecret

[alice](phone)
[bob](phone)
[star](phone)
max_contacts=3
[cseq](phone)
[mcone](phone)
max_contacts=1
remove_existing=no
[mcrepl](phone)
max_contacts=1
remove_existing=yes
[tcpuser](phone)
EOF
start_sipregd "$STATE" "$CONF" || exit 1

as() { echo -s "$1" -au "$1" -ap sippsecret; }
contacts_of() { peer_contacts "$STATE" "$1"; }
n_contacts() { contacts_of "$1" | grep -c .; }
show() { sed 's/^/    | /' "$1"; }

# --- register: 401, then 200 with the contact and its expires -------------------------------
P1=$(free_port)
check "before: alice has no contact" equals "$(n_contacts alice)" 0
run_sipp reg register.xml "$SRV" -m 1 $(as alice) -key expires 300 -p "$P1"
check "register: sipp REGISTER/401/REGISTER/200 succeeds" equals "$SIPP_RC" 0
last_contacts "$WORK/reg.msg" >"$WORK/reg.contacts"
check "register: 200 lists the contact with expires=300" \
  grep -qE "^<sip:alice@127\.0\.0\.1:$P1>;expires=300$" "$WORK/reg.contacts"
check "register: the 200 OK carries a Date header" \
  grep -qE "^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT" "$WORK/reg.msg"
check "register: sip show peer lists the contact with expiry <= 300" \
  grep -qE "^sip:alice@127\.0\.0\.1:$P1 (29[0-9]|300) UDP$" <(contacts_of alice)

# --- register over TCP ---------------------------------------------------------------------
# sipp holds its connection 3 s after the 200; the binding lives as long as that connection.
( run_sipp tcp register_hold.xml "$SRV" -t t1 -m 1 $(as tcpuser) -key expires 600
  exit "$SIPP_RC" ) &
HOLD=$!
over_tcp=no
for _ in $(seq 1 50); do
  contacts_of tcpuser | grep -qE " 600 TCP$| 59[0-9] TCP$" && { over_tcp=yes; break; }
  sleep 0.05
done
check "tcp: while connected, sip show peer says the binding is over TCP" equals "$over_tcp" yes
wait "$HOLD"
check "tcp: register with digest succeeds" equals "$?" 0
check "tcp: 200 lists the contact with expires=600" \
  grep -qE "^<sip:tcpuser@127\.0\.0\.1:[0-9]+>;expires=600$" <(last_contacts "$WORK/tcp.msg")
check "tcp: the binding leaves with its connection (VERBOSE line)" \
  wait_for_text "$STATE.stderr" "Unregistered SIP 'tcpuser' (sip:tcpuser@127.0.0.1:" 2
check "tcp: sip show peer has no contact once sipp closed the connection" \
  equals "$(n_contacts tcpuser)" 0

# --- above maxexpiry: clamped ----------------------------------------------------------------
run_sipp clamp register.xml "$SRV" -m 1 $(as bob) -key expires 99999
check "maxexpiry: register asking 99999 s succeeds" equals "$SIPP_RC" 0
check "maxexpiry: granted expiry is clamped to 3600" \
  grep -qE ";expires=3600$" <(last_contacts "$WORK/clamp.msg")

# --- refresh: same Call-ID, higher CSeq ------------------------------------------------------
P2=$(free_port)
run_sipp refresh refresh.xml "$SRV" -m 1 $(as alice) -key expires 120 -p "$P2" -cid_str "refresh-%u"
check "refresh: both REGISTERs on one Call-ID get 200" equals "$SIPP_RC" 0
check "refresh: the refreshing REGISTER has a higher CSeq on the same Call-ID" python3 -c '
import re, sys
t = open(sys.argv[1]).read()
reqs = re.findall(r"^REGISTER .*?^Call-ID: (\S+).*?^CSeq: (\d+)", t, re.M | re.S)
assert len(reqs) == 4 and len({c for c, _ in reqs}) == 1, reqs
assert [int(n) for _, n in reqs] == [1, 2, 3, 4], reqs
' "$WORK/refresh.msg"
check "refresh: the refreshed contact now has expiry <= 120 (was re-registered)" \
  grep -qE "^sip:alice@127\.0\.0\.1:$P2 (1[01][0-9]|120) UDP$" <(contacts_of alice)
# alice's account keeps one contact (max_contacts=1, remove_existing=yes): P2 replaced P1.
check "refresh: alice holds only the newest contact (max_contacts=1 default)" \
  equals "$(contacts_of alice | cut -d' ' -f1)" "sip:alice@127.0.0.1:$P2"

# --- unregister: Expires: 0 ------------------------------------------------------------------
run_sipp unreg unregister.xml "$SRV" -m 1 $(as alice) -key expires 300 -p "$P2"
check "unregister: register then Expires: 0 both get 200" equals "$SIPP_RC" 0
check "unregister: the final 200 lists no contact" equals "$(last_contacts "$WORK/unreg.msg" | grep -c .)" 0
check "unregister: sip show peer shows no contact for alice" equals "$(n_contacts alice)" 0

# --- 423 Interval Too Brief ------------------------------------------------------------------
run_sipp brief too_brief.xml "$SRV" -m 1 $(as bob) -key expires 30
check "423: Expires 30 (< minexpiry 60) -> 423 Interval Too Brief" equals "$SIPP_RC" 0
check "423: carries Min-Expires: 60" grep -qE "^Min-Expires: *60\s*$" "$WORK/brief.msg"

# --- Contact: * ------------------------------------------------------------------------------
run_sipp star1 register.xml "$SRV" -m 1 $(as star) -key expires 300
run_sipp star2 register.xml "$SRV" -m 1 $(as star) -key expires 300
check "star: two phones registered first" equals "$(n_contacts star)" 2
run_sipp star star.xml "$SRV" -m 1 $(as star) -key expires 300
check "star: Contact: * with Expires: 300 -> 400, with Expires: 0 -> 200" equals "$SIPP_RC" 0
check "star: the 400 names the reason" grep -q "^SIP/2.0 400" "$WORK/star.msg"
check "star: every binding of the account is gone" equals "$(n_contacts star)" 0

# --- CSeq order on one Call-ID ---------------------------------------------------------------
P3=$(free_port)
CID="cseq-order-$$"
run_sipp cseq0 register_cseq.xml "$SRV" -m 1 $(as cseq) -key expires 300 -p "$P3" \
  -cid_str "$CID" -key cseq1 20 -key cseq2 21
check "cseq: registered at CSeq 21" equals "$SIPP_RC" 0
before=$(contacts_of cseq)
run_sipp cseq1 cseq_order.xml "$SRV" -m 1 $(as cseq) -key expires 300 -p "$P3" \
  -cid_str "$CID" -key cseq1 3 -key cseq2 4
check "cseq: unregister on the same Call-ID with lower CSeq 4 -> 400" equals "$SIPP_RC" 0
run_sipp cseq2 cseq_order.xml "$SRV" -m 1 $(as cseq) -key expires 300 -p "$P3" \
  -cid_str "$CID" -key cseq1 20 -key cseq2 21
check "cseq: unregister with the same CSeq 21 again -> 400" equals "$SIPP_RC" 0
after=$(contacts_of cseq)
check "cseq: binding untouched (still one contact on port $P3)" \
  grep -qE "^sip:cseq@127\.0\.0\.1:$P3 (29[0-9]|300) UDP$" <<<"$after"
check "cseq: sip show peer lists the same single contact as before" \
  equals "$(cut -d' ' -f1 <<<"$after")" "$(cut -d' ' -f1 <<<"$before")"
run_sipp cseq3 register_cseq.xml "$SRV" -m 1 $(as cseq) -key expires 300 -p "$P3" \
  -cid_str "$CID" -key cseq1 22 -key cseq2 23
check "cseq: a higher CSeq (23) on the same Call-ID is accepted" equals "$SIPP_RC" 0

# --- a REGISTER sent again after its 200 (the 200 was lost) gets the same 200 ----------------
retransmissions() { admin "$STATE" metrics | awk '$1 == "sipreg_retransmissions_total" {print $2}'; }
rx_before=$(retransmissions)
python3 "$SIPREG_SOURCE_DIR/tests/integration/register_retransmit.py" "$SRV" bob sippsecret >"$WORK/retransmit.out" 2>&1
check "retransmit: the same REGISTER (branch, CSeq) after its 200 gets the same 200 again, sent to the phone even for a copy from elsewhere" \
  equals "$?" 0
show "$WORK/retransmit.out"
check "retransmit: both copies answered from the completed transaction, not processed again" \
  equals "$(retransmissions)" "$((rx_before + 2))"

# --- max_contacts=1, remove_existing=no: a second phone is refused -------------------------
PA=$(free_port); PB=$(free_port)
run_sipp mc1a register.xml "$SRV" -m 1 $(as mcone) -key expires 300 -p "$PA"
check "max_contacts: first phone of mcone registers" equals "$SIPP_RC" 0
run_sipp mc1b register_refused.xml "$SRV" -m 1 $(as mcone) -key expires 300 -p "$PB"
check "max_contacts: second phone (remove_existing=no) -> 403" equals "$SIPP_RC" 0
check "max_contacts: 403 logged as Too many contacts" \
  wait_for_text "$STATE/messages" "Registration from '<sip:mcone@$SRV>' failed for '127.0.0.1:$PB' - Too many contacts" 2
check "max_contacts: only the first phone is bound" \
  equals "$(contacts_of mcone | cut -d' ' -f1)" "sip:mcone@127.0.0.1:$PA"

# --- max_contacts=1, remove_existing=yes: the new phone replaces the old one ---------------
PA=$(free_port); PB=$(free_port)
run_sipp mcra register.xml "$SRV" -m 1 $(as mcrepl) -key expires 300 -p "$PA"
check "remove_existing: first phone of mcrepl registers" equals "$SIPP_RC" 0
run_sipp mcrb register.xml "$SRV" -m 1 $(as mcrepl) -key expires 300 -p "$PB"
check "remove_existing: second phone -> 200" equals "$SIPP_RC" 0
check "remove_existing: the 200 lists only the new contact" \
  equals "$(last_contacts "$WORK/mcrb.msg")" "<sip:mcrepl@127.0.0.1:$PB>;expires=300"
check "remove_existing: sip show peer has only the new contact" \
  equals "$(contacts_of mcrepl | cut -d' ' -f1)" "sip:mcrepl@127.0.0.1:$PB"

stop_pid "$SIPREGD_PID"
check "sipregd exits 0 on SIGTERM" equals "$STOP_RC" 0
finish
