#!/usr/bin/env bash
# RFC 3263 for sipreg-device against real DNS: dnsmasq on loopback serves NAPTR, SRV and A
# records (the device's dns_server points at it) in front of a real Kamailio.
#  * transport = auto, NAPTR SIP+D2T -> SRV _sip._tcp with two targets: the first (priority
#    10) refuses connections, so the device fails over to the second and registers over TCP;
#  * no NAPTR, SRV _sip._udp only: registers over UDP on the SRV port;
#  * SRV whose first target answers 503: the device goes on to the second at once;
#  * a name that does not resolve: No reply from server, with the DNS answer in the log;
#  * transport auto with a REGISTER over 1,300 bytes (a long display name): TCP instead of UDP;
#  * TLS to sipregd by name: the certificate (issued by a test CA for sip.test) is verified
#    against tls_ca and the host name; another CA fails the handshake (No reply from server,
#    and the log says why); tls_verify = no accepts it.
source "$(dirname "$0")/lib.sh"
command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ] || { echo "dnsmasq not installed"; exit 1; }
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)

KPORT=$(free_port)
start_kamailio "$KPORT" || exit 1
DEAD=$(free_port)  # nothing listens here
DNS=$(free_port)
BUSY=$(free_port)  # answers every REGISTER with 503
python3 "$SIPREG_SOURCE_DIR/tests/integration/sip_stand_in_server.py" "$BUSY" "$WORK/busy.events" \
  120 --reply=503 >"$WORK/busy.out" 2>&1 &
PIDS+=($!)
"$DNSMASQ" --no-daemon --conf-file=/dev/null --port="$DNS" --listen-address=127.0.0.1 \
  --bind-interfaces --no-resolv --no-hosts --log-queries --log-facility=- \
  --naptr-record=tcp.sip.test,10,50,s,SIP+D2T,,_sip._tcp.tcp.sip.test \
  --srv-host=_sip._tcp.tcp.sip.test,dead.sip.test,"$DEAD",10,0 \
  --srv-host=_sip._tcp.tcp.sip.test,kam.sip.test,"$KPORT",20,0 \
  --srv-host=_sip._udp.udp.sip.test,kam.sip.test,"$KPORT",10,0 \
  --srv-host=_sip._udp.busy.sip.test,kam.sip.test,"$BUSY",10,0 \
  --srv-host=_sip._udp.busy.sip.test,kam.sip.test,"$KPORT",20,0 \
  --host-record=dead.sip.test,127.0.0.1 \
  --host-record=kam.sip.test,127.0.0.1 \
  --host-record=sip.test,127.0.0.1 \
  >"$WORK/dnsmasq.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do grep -q "started" "$WORK/dnsmasq.log" && break; sleep 0.1; done

device_conf() {  # device_conf NAME SERVER WEBPORT [extra [sip] lines...]
  local name=$1 server=$2 web=$3; shift 3
  cat >"$WORK/$name.conf" <<EOF
[sip]
server = $server
local_port = 0
dns_server = 127.0.0.1:$DNS
$(printf '%s\n' "$@")
[web]
listen = 127.0.0.1:$web
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
check "naptr: Successful" wait_device_field "$W1" "" status Successful 15
check "naptr: registered over TCP at the second SRV target" \
  equals "$(device_field "$W1" "" server)" "tcp:127.0.0.1:$KPORT"
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
check "srv: Successful" wait_device_field "$W2" "" status Successful 10
check "srv: over UDP on the SRV port" equals "$(device_field "$W2" "" server)" "udp:127.0.0.1:$KPORT"
check "srv: the REGISTER went to the SRV target" contains "$WORK/srv.out" "REGISTER sent to udp:127.0.0.1:$KPORT"
stop_pid "$P2"

# SRV whose first target is busy (503): failover to the second.
wait_for_text "$WORK/busy.events" LISTENING 10
WB=$(free_port)
device_conf busy busy.sip.test "$WB"
"$DEVICE" -c "$WORK/busy.conf" >"$WORK/busy-device.out" 2>&1 &
PB=$!; PIDS+=("$PB")
check "503: Successful at the second SRV target" wait_device_field "$WB" "" status Successful 10
check "503: via udp:127.0.0.1:$KPORT" equals "$(device_field "$WB" "" server)" "udp:127.0.0.1:$KPORT"
check "503: the busy server was asked first" contains "$WORK/busy.events" REGISTER
check "503: the log shows the failover" contains "$WORK/busy-device.out" "trying the next server address"
stop_pid "$PB"

# A REGISTER too large for UDP (RFC 3261 §18.1.1) goes over TCP to the same address.
WL=$(free_port)
device_conf large "127.0.0.1:$KPORT" "$WL" "display_name = $(printf 'Lobby%.0s' $(seq 1 260))"
"$DEVICE" -c "$WORK/large.conf" >"$WORK/large.out" 2>&1 &
PL=$!; PIDS+=("$PL")
check "large REGISTER: Successful" wait_device_field "$WL" "" status Successful 10
check "large REGISTER: over TCP" equals "$(device_field "$WL" "" server)" "tcp:127.0.0.1:$KPORT"
check "large REGISTER: the log says why" contains "$WORK/large.out" "too large for UDP: using TCP"
stop_pid "$PL"

# A name nobody knows.
W3=$(free_port)
device_conf nx nowhere.sip.test "$W3"
"$DEVICE" -c "$WORK/nx.conf" >"$WORK/nx.out" 2>&1 &
P3=$!; PIDS+=("$P3")
check "unresolvable: No reply from server" wait_device_field "$W3" "" status "No reply from server" 10
check "unresolvable: the reason names the name" python3 -c '
import json, sys
r = json.load(sys.stdin)["registrations"][0]
assert "nowhere.sip.test" in r["reason"], r
' < <(device_api "$W3" /api/status)
check "unresolvable: the log says so" contains "$WORK/nx.out" "cannot resolve 'nowhere.sip.test'"
stop_pid "$P3"

# TLS by name. A test CA issues sip.test's certificate; sipregd serves it on TLS.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sipreg test CA" \
  -keyout "$WORK/ca.key" -out "$WORK/ca.pem" >/dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other CA" \
  -keyout "$WORK/other.key" -out "$WORK/other.pem" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=sip.test" -keyout "$WORK/srv.key" \
  -out "$WORK/srv.csr" >/dev/null 2>&1
printf 'subjectAltName=DNS:sip.test\n' >"$WORK/san.ext"
openssl x509 -req -in "$WORK/srv.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
  -CAcreateserial -days 2 -extfile "$WORK/san.ext" -out "$WORK/srv.pem" >/dev/null 2>&1
TPORT=$(free_port)
UPORT=$(free_port)
STATE="$WORK/state"
{
  printf '%s\n' "[general]" "udpbindaddr=127.0.0.1:$UPORT" "tlsenable=yes" \
    "tlsbindaddr=127.0.0.1:$TPORT" "tlscertfile=$WORK/srv.pem" "tlsprivatekey=$WORK/srv.key" \
    "statedir=$STATE" ""
  demo_peers
} >"$WORK/sip.conf"
start_sipregd "$STATE" "$WORK/sip.conf" || exit 1

W4=$(free_port)
device_conf tls "sip.test:$TPORT" "$W4" "transport = tls" "tls_ca = $WORK/ca.pem"
"$DEVICE" -c "$WORK/tls.conf" >"$WORK/tls.out" 2>&1 &
P4=$!; PIDS+=("$P4")
check "tls: Successful with the certificate checked against tls_ca and sip.test" \
  wait_device_field "$W4" "" status Successful 10
check "tls: server label says tls" equals "$(device_field "$W4" "" server)" "tls:127.0.0.1:$TPORT"
[ "$(device_field "$W4" "" status)" = Successful ] || sed 's/^/    | /' "$WORK/tls.out"
stop_pid "$P4"

W5=$(free_port)
device_conf tlsbad "sip.test:$TPORT" "$W5" "transport = tls" "tls_ca = $WORK/other.pem"
"$DEVICE" -c "$WORK/tlsbad.conf" >"$WORK/tlsbad.out" 2>&1 &
P5=$!; PIDS+=("$P5")
check "tls, wrong CA: No reply from server" wait_device_field "$W5" "" status "No reply from server" 10
check "tls, wrong CA: the log names the certificate problem" grep -qi "certificate" "$WORK/tlsbad.out"
check "tls, wrong CA: the detail points at tls_ca" python3 -c '
import json, sys
r = json.load(sys.stdin)["registrations"][0]
assert "tls_ca" in r["detail"], r
' < <(device_api "$W5" /api/status)
stop_pid "$P5"

W6=$(free_port)
device_conf tlsoff "sip.test:$TPORT" "$W6" "transport = tls" "tls_ca = $WORK/other.pem" \
  "tls_verify = no"
"$DEVICE" -c "$WORK/tlsoff.conf" >"$WORK/tlsoff.out" 2>&1 &
P6=$!; PIDS+=("$P6")
check "tls_verify = no: Successful with any certificate" wait_device_field "$W6" "" status Successful 10
stop_pid "$P6"
finish
