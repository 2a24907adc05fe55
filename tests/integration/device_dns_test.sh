#!/usr/bin/env bash
# RFC 3263 for sipreg-device against real DNS: dnsmasq on loopback serves NAPTR, SRV and A
# records (the device's dns_server points at it) in front of a real Kamailio.
#  * transport = auto, NAPTR SIP+D2T -> SRV _sip._tcp with two targets: the first (priority
#    10) refuses connections, so the device fails over to the second and registers over TCP;
#  * no NAPTR, SRV _sip._udp only: registers over UDP on the SRV port;
#  * a name that does not resolve: No reply from server, with the DNS answer in the log.
source "$(dirname "$0")/lib.sh"
DEVICE="$SIPREG_BIN_DIR/sipreg-device"
command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ] || { echo "dnsmasq not installed"; exit 1; }
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)

KPORT=$(free_port)
start_kamailio "$KPORT" || exit 1
DEAD=$(free_port)  # nothing listens here
DNS=$(free_port)
"$DNSMASQ" --no-daemon --conf-file=/dev/null --port="$DNS" --listen-address=127.0.0.1 \
  --bind-interfaces --no-resolv --no-hosts --log-queries --log-facility=- \
  --naptr-record=tcp.sip.test,10,50,s,SIP+D2T,,_sip._tcp.tcp.sip.test \
  --srv-host=_sip._tcp.tcp.sip.test,dead.sip.test,"$DEAD",10,0 \
  --srv-host=_sip._tcp.tcp.sip.test,kam.sip.test,"$KPORT",20,0 \
  --srv-host=_sip._udp.udp.sip.test,kam.sip.test,"$KPORT",10,0 \
  --host-record=dead.sip.test,127.0.0.1 \
  --host-record=kam.sip.test,127.0.0.1 \
  >"$WORK/dnsmasq.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do grep -q "started" "$WORK/dnsmasq.log" && break; sleep 0.1; done

api() { curl -s -u admin:webpass "http://127.0.0.1:$1/api/status"; }
field() {  # field WEBPORT KEY: the first registration's KEY
  api "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["registrations"][0][sys.argv[1]])' "$2" 2>/dev/null
}
wait_field() {  # wait_field WEBPORT KEY VALUE SECONDS
  local i
  for i in $(seq 1 $(($4 * 10))); do
    [ "$(field "$1" "$2")" = "$3" ] && return 0
    sleep 0.1
  done
  return 1
}
device_conf() {  # device_conf NAME SERVER WEBPORT
  cat >"$WORK/$1.conf" <<EOF
[sip]
server = $2
local_port = 0
dns_server = 127.0.0.1:$DNS
[web]
listen = 127.0.0.1:$3
password = webpass
[page]
extension = demo-alice
password = verysecretpassword
EOF
}

# NAPTR -> SRV (TCP), failover from a refusing target to the next one.
W1=$(free_port)
device_conf naptr tcp.sip.test "$W1"
"$DEVICE" -c "$WORK/naptr.conf" >"$WORK/naptr.out" 2>&1 &
P1=$!; PIDS+=("$P1")
check "naptr: Successful" wait_field "$W1" status Successful 15
check "naptr: registered over TCP at the second SRV target" \
  equals "$(field "$W1" server)" "tcp:127.0.0.1:$KPORT"
check "naptr: the log shows the NAPTR answer" contains "$WORK/naptr.out" "DNS: NAPTR tcp.sip.test: 10 50 \"s\" SIP+D2T -> _sip._tcp.tcp.sip.test"
check "naptr: the log shows both SRV targets" contains "$WORK/naptr.out" "DNS: SRV _sip._tcp.tcp.sip.test: 20 0 $KPORT kam.sip.test"
check "naptr: the log shows the failover" contains "$WORK/naptr.out" "failing over to tcp:127.0.0.1:$KPORT"
check "naptr: dnsmasq was asked for the NAPTR" contains "$WORK/dnsmasq.log" "query[NAPTR] tcp.sip.test"
grep -q "failing over" "$WORK/naptr.out" || sed 's/^/    | /' "$WORK/naptr.out"
stop_pid "$P1"

# SRV only (UDP).
W2=$(free_port)
device_conf srv udp.sip.test "$W2"
"$DEVICE" -c "$WORK/srv.conf" >"$WORK/srv.out" 2>&1 &
P2=$!; PIDS+=("$P2")
check "srv: Successful" wait_field "$W2" status Successful 10
check "srv: over UDP on the SRV port" equals "$(field "$W2" server)" "udp:127.0.0.1:$KPORT"
check "srv: the REGISTER went to the SRV target" contains "$WORK/srv.out" "REGISTER sent to udp:127.0.0.1:$KPORT"
stop_pid "$P2"

# A name nobody knows.
W3=$(free_port)
device_conf nx nowhere.sip.test "$W3"
"$DEVICE" -c "$WORK/nx.conf" >"$WORK/nx.out" 2>&1 &
P3=$!; PIDS+=("$P3")
check "unresolvable: No reply from server" wait_field "$W3" status "No reply from server" 10
check "unresolvable: the reason names the name" python3 -c '
import json, sys
r = json.load(sys.stdin)["registrations"][0]
assert "nowhere.sip.test" in r["reason"], r
' < <(api "$W3")
check "unresolvable: the log says so" contains "$WORK/nx.out" "cannot resolve 'nowhere.sip.test'"
stop_pid "$P3"
finish
