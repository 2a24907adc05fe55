#!/usr/bin/env bash
# sipreg-device keep-alives against a socket standing in as the server
# (tests/integration/sip_stand_in_server.py), keepalive_interval = 1:
#  * keepalive = options over UDP: an OPTIONS request every second;
#  * double-crlf over TCP with a server that pongs: pings every second, one connection, the
#    extension stays Successful;
#  * double-crlf over TCP with a server that never pongs: after 10 s the device declares the
#    flow dead, closes it, the status leaves Successful and the extension registers again on
#    a new connection.
source "$(dirname "$0")/lib.sh"
STANDIN="$SIPREG_SOURCE_DIR/tests/integration/sip_stand_in_server.py"

# run NAME TRANSPORT KEEPALIVE [stand-in flags]: stand-in + device; sets WEB, DEV_PID.
run() {
  local name=$1 transport=$2 keepalive=$3; shift 3
  local port; port=$(free_port)
  local flags=("$@")
  [ "$transport" = tcp ] && flags+=(--tcp)
  python3 "$STANDIN" "$port" "$WORK/$name.events" 60 "${flags[@]}" >"$WORK/$name.standin" 2>&1 &
  PIDS+=($!)
  wait_for_text "$WORK/$name.events" LISTENING 10 || echo "stand-in server did not start"
  WEB=$(free_port)
  cat >"$WORK/$name.conf" <<EOF
[sip]
server = 127.0.0.1:$port
transport = $transport
local_port = 0
keepalive = $keepalive
keepalive_interval = 1
[web]
listen = 127.0.0.1:$WEB
password = webpass
[page]
extension = 100
password = x
EOF
  "$DEVICE" -c "$WORK/$name.conf" >"$WORK/$name.out" 2>&1 &
  DEV_PID=$!
  PIDS+=("$DEV_PID")
}
# spaced EVENTS KIND MIN: at least MIN events of KIND, 0.7..1.5 s apart.
spaced() {
  python3 -c '
import sys
t = [float(l.split()[1]) for l in open(sys.argv[1]) if l.split()[0] == sys.argv[2]]
assert len(t) >= int(sys.argv[3]), t
gaps = [b - a for a, b in zip(t, t[1:])]
assert all(0.7 <= g <= 1.5 for g in gaps), gaps
' "$1" "$2" "$3"
}

run options udp options
check "options: Successful" wait_device_field "$WEB" "" status Successful 5
sleep 3.5
check "options: an OPTIONS every second" spaced "$WORK/options.events" OPTIONS 3
stop_pid "$DEV_PID"

run pong tcp double-crlf
check "tcp pong: Successful" wait_device_field "$WEB" "" status Successful 5
sleep 3.5
check "tcp pong: a CRLFCRLF ping every second" spaced "$WORK/pong.events" CRLFCRLF 3
check "tcp pong: still Successful" equals "$(device_field "$WEB" "" status)" Successful
check "tcp pong: one connection" equals "$(count_text "$WORK/pong.events" CONNECT)" 1
stop_pid "$DEV_PID"

run nopong tcp double-crlf --no-pong
check "tcp no pong: Successful at first" wait_device_field "$WEB" "" status Successful 5
check "tcp no pong: the device gives up on the flow after 10 s" \
  wait_for_text "$WORK/nopong.out" "no CRLF pong within 10 s" 15
check "tcp no pong: the status left Successful" \
  contains "$WORK/nopong.out" "status No reply from server (was Successful)"
check "tcp no pong: the server saw the connection close" \
  wait_for_text "$WORK/nopong.events" CLOSE 3
check "tcp no pong: registered again on a new connection" \
  wait_for_text_count "$WORK/nopong.events" CONNECT 2 5
check "tcp no pong: Successful again" wait_device_field "$WEB" "" status Successful 5
check "tcp no pong: two REGISTERs in all" test "$(count_text "$WORK/nopong.events" REGISTER)" -ge 2
stop_pid "$DEV_PID"
finish
