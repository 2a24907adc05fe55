#!/usr/bin/env bash
# What an admin (and fail2ban) sees when someone guesses: the Asterisk-shaped NOTICE lines
# for a wrong password, an unknown user and a name mismatch; res_security_log events; with
# alwaysauthreject=yes the same 401 for all of them; and the built-in brute-force block
# (maxretry/findtime/bantime), `sipreg show bans` and `sipreg unban`.
source "$(dirname "$0")/lib.sh"

show() { sed 's/^/    | /' "$1"; }
json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
# NOTICE line of a failed registration, as a regex: prefix, quoted To header, source, reason.
notice_re() {  # notice_re USER SERVER SOURCE REASON
  local esc_srv=${2//./\\.} esc_src=${3//./\\.}
  echo "^\[[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}\] NOTICE\[[0-9]+\]: [a-z_]+\.cc:[0-9]+ handle_register: Registration from '<sip:$1@$esc_srv>' failed for '$esc_src' - $4\$"
}

# ============ instance 1: logs and alwaysauthreject (blocking off: maxretry=0) ==============
PORT=$(free_port)
SRV="127.0.0.1:$PORT"
STATE="$WORK/state"
cat >"$WORK/sip.conf" <<EOF
[general]
udpbindaddr=127.0.0.1:$PORT
statedir=$STATE
alwaysauthreject=yes
auth_algorithms=md5
maxretry=0

EOF
demo_peers >>"$WORK/sip.conf"
start_sipregd "$STATE" "$WORK/sip.conf" || exit 1
MSG="$STATE/messages"
SEC="$STATE/security.log"

# --- wrong password ---------------------------------------------------------------------------
check "before: no 'Wrong password' NOTICE in the messages log" not_contains "$MSG" "Wrong password"
run_probe "$WORK/wrong.json" --server "$SRV" --user demo-alice --password guess123 --json --timeout 3
check "wrong password: probe says Rejected by Server (exit 1)" equals "$PROBE_RC" 1
check "wrong password: verdict Rejected by Server" equals "$(json_field "$WORK/wrong.json" verdict)" "Rejected by Server"
SRC=$(json_field "$WORK/wrong.json" seen_from)
check "wrong password: the NOTICE line, in Asterisk's shape, in the messages log" \
  wait_for_text "$MSG" "Registration from '<sip:demo-alice@$SRV>' failed for '$SRC' - Wrong password" 2
check "wrong password: exactly one such line, and nothing else on it" \
  equals "$(grep -cE "$(notice_re demo-alice "$SRV" "$SRC" "Wrong password")" "$MSG")" 1
check "wrong password: the same line on stderr (-f)" \
  grep -qE "$(notice_re demo-alice "$SRV" "$SRC" "Wrong password")" "$STATE.stderr"
SRCPORT=${SRC##*:}
check "wrong password: InvalidPassword event in security.log (flushed within 3 s)" \
  wait_for_text "$SEC" "SecurityEvent=\"InvalidPassword\"" 3
check "wrong password: the event names account, service and remote address" \
  grep -qE "^\[[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}\] SECURITY\[[0-9]+\] res_security_log\.c: SecurityEvent=\"InvalidPassword\",EventTV=\"[0-9T:.+-]+\",Severity=\"Error\",Service=\"SIP\",EventVersion=\"[0-9]+\",AccountID=\"demo-alice\",.*RemoteAddress=\"IPV4/UDP/127\.0\.0\.1/$SRCPORT\"" "$SEC"
check "wrong password: a ChallengeSent event came first" \
  grep -q "SecurityEvent=\"ChallengeSent\".*RemoteAddress=\"IPV4/UDP/127.0.0.1/$SRCPORT\"" "$SEC"

# --- unknown user -----------------------------------------------------------------------------
check "before: no 'No matching peer found' NOTICE" not_contains "$MSG" "No matching peer found"
run_probe "$WORK/unknown.json" --server "$SRV" --user mallory --password guess123 --json --timeout 3
check "unknown user: probe exit 1" equals "$PROBE_RC" 1
check "unknown user: verdict Rejected by Server, like a wrong password" \
  equals "$(json_field "$WORK/unknown.json" verdict)" "Rejected by Server"
check "unknown user: answered 401 like a wrong password" \
  equals "$(json_field "$WORK/unknown.json" status_code)" "$(json_field "$WORK/wrong.json" status_code)"
SRC=$(json_field "$WORK/unknown.json" seen_from)
check "unknown user: NOTICE '... failed for '$SRC' - No matching peer found'" \
  wait_for_text "$MSG" "Registration from '<sip:mallory@$SRV>' failed for '$SRC' - No matching peer found" 2
check "unknown user: the line has Asterisk's shape" \
  grep -qE "$(notice_re mallory "$SRV" "$SRC" "No matching peer found")" "$MSG"
check "unknown user: InvalidAccountID event in security.log" \
  wait_for_text "$SEC" "SecurityEvent=\"InvalidAccountID\"" 3

# --- auth name mismatch -----------------------------------------------------------------------
run_probe "$WORK/mismatch.json" --server "$SRV" --user demo-alice --auth-id demo-bob \
  --password othersecretpassword --json --timeout 3
check "name mismatch: probe exit 1" equals "$PROBE_RC" 1
SRC=$(json_field "$WORK/mismatch.json" seen_from)
check "name mismatch: NOTICE '- Username/auth name mismatch'" \
  wait_for_text "$MSG" "Registration from '<sip:demo-alice@$SRV>' failed for '$SRC' - Username/auth name mismatch" 2

# --- alwaysauthreject: the three failures get the same answer, apart from the nonce ---------------
cat >"$WORK/final401.py" <<'PY'
# Sends REGISTER, answers the 401 with MD5 digest credentials (user, auth user, password),
# prints the final response with everything that differs per request masked.
import hashlib, random, re, socket, sys
server, user, authuser, password = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
host, port = server.rsplit(":", 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); s.settimeout(3)
lport = s.getsockname()[1]
callid = "%x@127.0.0.1" % random.getrandbits(64)
def send(cseq, extra=""):
    msg = (f"REGISTER sip:{server} SIP/2.0\r\n"
           f"Via: SIP/2.0/UDP 127.0.0.1:{lport};rport;branch=z9hG4bK{random.getrandbits(48):x}\r\n"
           f"Max-Forwards: 70\r\nFrom: <sip:{user}@{server}>;tag=t{lport}\r\nTo: <sip:{user}@{server}>\r\n"
           f"Call-ID: {callid}\r\nCSeq: {cseq} REGISTER\r\nContact: <sip:{user}@127.0.0.1:{lport}>\r\n"
           f"Expires: 300\r\n{extra}Content-Length: 0\r\n\r\n")
    s.sendto(msg.encode(), (host, int(port)))
    return s.recv(65535).decode()
r = send(1)
nonce = re.search(r'nonce="([^"]+)"', r).group(1)
realm = re.search(r'realm="([^"]+)"', r).group(1)
h = lambda x: hashlib.md5(x.encode()).hexdigest()
uri = f"sip:{server}"
resp = h(f"{h(f'{authuser}:{realm}:{password}')}:{nonce}:00000001:abcdef:auth:{h(f'REGISTER:{uri}')}")
auth = (f'Authorization: Digest username="{authuser}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
        f'response="{resp}", algorithm=MD5, cnonce="abcdef", qop=auth, nc=00000001\r\n')
r = send(2, auth)
out = []
for line in r.split("\r\n"):
    name = line.split(":", 1)[0].lower()
    if name in ("via", "from", "to", "call-id", "date"):
        line = line.split(":", 1)[0] + ": <masked>"
    line = re.sub(r'nonce="[^"]*"', 'nonce="<masked>"', line)
    out.append(line)
print("\n".join(out))
PY
python3 "$WORK/final401.py" "$SRV" demo-alice demo-alice wrongpass >"$WORK/a401-wrong.txt" 2>&1
python3 "$WORK/final401.py" "$SRV" nosuchuser nosuchuser wrongpass >"$WORK/a401-unknown.txt" 2>&1
python3 "$WORK/final401.py" "$SRV" demo-alice demo-bob othersecretpassword >"$WORK/a401-mismatch.txt" 2>&1
check "alwaysauthreject: wrong password gets a fresh 401 challenge" \
  grep -q "^WWW-Authenticate: Digest .*nonce=" "$WORK/a401-wrong.txt"
check "alwaysauthreject: unknown user gets the same 401 as a wrong password" \
  cmp -s "$WORK/a401-wrong.txt" "$WORK/a401-unknown.txt"
check "alwaysauthreject: name mismatch gets the same 401 as a wrong password" \
  cmp -s "$WORK/a401-wrong.txt" "$WORK/a401-mismatch.txt"
cmp -s "$WORK/a401-wrong.txt" "$WORK/a401-unknown.txt" ||
  diff "$WORK/a401-wrong.txt" "$WORK/a401-unknown.txt" | sed 's/^/    | /'

sleep 0.6  # the messages log reaches the file within 250 ms: let a wrong line arrive
check "maxretry=0: many failures, no block logged" not_contains "$MSG" "Blocked"
admin "$STATE" show bans >"$WORK/bans0.txt" 2>&1
check "maxretry=0: show bans lists nobody" contains "$WORK/bans0.txt" "0 blocked addresses"
stop_pid "$SIPREGD_PID"

# --- fail2ban's stock Asterisk filter reads both logs ------------------------------------------
# fail2ban-regex LOG FILTER prints "Lines: N lines, I ignored, M matched, K missed".
f2b_matched() {
  fail2ban-regex "$1" /etc/fail2ban/filter.d/asterisk.conf 2>&1 | tee "$WORK/f2b-$(basename "$1").txt" |
    sed -nE 's/^Lines: [0-9]+ lines, [0-9]+ ignored, ([0-9]+) matched.*/\1/p'
}
notices=$(grep -cE "NOTICE\[[0-9]+\]: .* handle_register: Registration from '.*' failed for '127\.0\.0\.1:[0-9]+' - " "$MSG")
check "fail2ban: six failure NOTICEs to match (3 probes + 3 scripted REGISTERs)" test "$notices" -ge 6
check "fail2ban: the stock asterisk filter matches every failure NOTICE in messages" \
  equals "$(f2b_matched "$MSG")" "$notices"
events=$(grep -cE 'SecurityEvent="(InvalidPassword|InvalidAccountID|FailedACL)"' "$SEC")
check "fail2ban: the stock asterisk filter matches every failure event in security.log" \
  equals "$(f2b_matched "$SEC")" "$events"
check "fail2ban: the address it would ban is the phone's, in both logs" equals \
  "$(cat <(fail2ban-regex -o ip "$MSG" /etc/fail2ban/filter.d/asterisk.conf) \
         <(fail2ban-regex -o ip "$SEC" /etc/fail2ban/filter.d/asterisk.conf) | sort -u)" "127.0.0.1"
# The shipped jail is valid fail2ban configuration (pointed at this run's logs).
mkdir -p "$WORK/f2b"
cp -r /etc/fail2ban/. "$WORK/f2b/"
sed -e "s|/var/lib/sipreg/messages|$MSG|" -e "s|/var/lib/sipreg/security.log|$SEC|" \
  "$SIPREG_SOURCE_DIR/contrib/fail2ban/jail.d/sipregd.conf" >"$WORK/f2b/jail.d/sipregd.conf"
rm -f "$WORK/f2b/jail.d/defaults-debian.conf"
fail2ban-client -c "$WORK/f2b" --test >"$WORK/f2b-test.txt" 2>&1
check "fail2ban: the shipped jail passes fail2ban-client --test" equals "$?" 0
[ "$FAILURES" -eq 0 ] || sed 's/^/    | /' "$WORK/f2b-test.txt" | tail -5

# ============ instance 2: brute force, maxretry=3 ===============================================
PORT=$(free_port)
SRV="127.0.0.1:$PORT"
STATE="$WORK/state-ban"
cat >"$WORK/ban.conf" <<EOF
[general]
udpbindaddr=127.0.0.1:$PORT
statedir=$STATE
auth_algorithms=md5
maxretry=3
findtime=60
bantime=600

[demo-alice]
type=friend
host=dynamic
secret=verysecretpassword
EOF
start_sipregd "$STATE" "$WORK/ban.conf" || exit 1
MSG="$STATE/messages"
SEC="$STATE/security.log"

admin "$STATE" show bans >"$WORK/bans-before.txt" 2>&1
check "ban: nobody blocked at start" contains "$WORK/bans-before.txt" "0 blocked addresses"
for i in 1 2; do
  run_probe "$WORK/guess$i.txt" --server "$SRV" --user demo-alice --password "guess$i" --timeout 2
  check "ban: guess $i rejected (exit 1)" equals "$PROBE_RC" 1
done
sleep 0.6  # as above: a wrong block line would be in the file by now
check "ban: no block after 2 failures" not_contains "$MSG" "Blocked: too many failed attempts"
admin "$STATE" show bans >"$WORK/bans-2.txt" 2>&1
check "ban: show bans still empty after 2 failures" contains "$WORK/bans-2.txt" "0 blocked addresses"
run_probe "$WORK/guess3.txt" --server "$SRV" --user demo-alice --password guess3 --timeout 2
check "ban: guess 3 rejected (exit 1)" equals "$PROBE_RC" 1
check "ban: NOTICE '- Blocked: too many failed attempts' after the 3rd failure" \
  wait_for_text "$MSG" "Blocked: too many failed attempts" 1
check "ban: the Blocked line has Asterisk's shape" \
  grep -qE "$(notice_re demo-alice "$SRV" "127.0.0.1:[0-9]+" "Blocked: too many failed attempts")" "$MSG"
admin "$STATE" show bans >"$WORK/bans-3.txt" 2>&1
check "ban: show bans lists 127.0.0.1" grep -qE "^127\.0\.0\.1 " "$WORK/bans-3.txt"
check "ban: show bans counts one" contains "$WORK/bans-3.txt" "1 blocked address"
check "ban: show bans --json lists 127.0.0.1" python3 -c '
import json, sys
j = json.loads(sys.argv[1])
assert any("127.0.0.1" in json.dumps(b) for b in j), j
' "$(admin "$STATE" show bans --json 2>&1)"
[ "$FAILURES" -eq 0 ] || show "$WORK/bans-3.txt"

run_probe "$WORK/banned.txt" --server "$SRV" --user demo-alice --password verysecretpassword --timeout 2
check "ban: the right password from 127.0.0.1 now gets no reply (exit 2)" equals "$PROBE_RC" 2
check "ban: probe says No reply from server" contains "$WORK/banned.txt" "SIP Registration: No reply from server"
check "ban: the block was logged once" \
  equals "$(count_text "$MSG" "Blocked: too many failed attempts")" 1
check "ban: AddressBlocked event in security.log" wait_for_text "$SEC" "SecurityEvent=\"AddressBlocked\"" 3
check "ban: the dropped registration did not register" \
  grep -qE "^demo-alice +\(Unspecified\) " <(admin "$STATE" sip show peers)

admin "$STATE" unban 127.0.0.1 >"$WORK/unban.txt" 2>&1
check "unban 127.0.0.1 exits 0" equals "$?" 0
admin "$STATE" show bans >"$WORK/bans-after.txt" 2>&1
check "unban: show bans is empty again" contains "$WORK/bans-after.txt" "0 blocked addresses"
run_probe "$WORK/after-unban.txt" --server "$SRV" --user demo-alice --password verysecretpassword --timeout 2
check "unban: the right password registers again (exit 0)" equals "$PROBE_RC" 0
[ "$PROBE_RC" -eq 0 ] || show "$WORK/after-unban.txt"
admin "$STATE" unban 127.0.0.1 >"$WORK/unban2.txt" 2>&1
check "unban of an address not blocked exits 1" equals "$?" 1

stop_pid "$SIPREGD_PID"
check "sipregd exits 0 on SIGTERM" equals "$STOP_RC" 0
finish
