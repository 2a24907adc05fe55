#!/usr/bin/env bash
# Many extensions from one sipreg-device: 300 accounts on sipregd, register_rate = 100.
# Every one becomes Successful, and in no 1-second window does the device start more REGISTER
# transactions than the rate allows (plus its burst of 1/20 s worth). SIGTERM unregisters all. How long 1,000 and
# 10,000 take is measured by bench/load/device-many.sh, not asserted here.
source "$(dirname "$0")/lib.sh"

MANY="$SIPREG_SOURCE_DIR/tests/integration/many_extensions.py"
N=300
RATE=100

SPORT=$(free_port)
WEB=$(free_port)
STATE="$WORK/state"
python3 "$MANY" configs "$N" "$SPORT" "$WEB" "$RATE" "$STATE" "$WORK/sip.conf" "$WORK/device.conf"
start_sipregd "$STATE" "$WORK/sip.conf" || exit 1

start_device device "$WORK/device.conf"

# 300 × (REGISTER + answer to the challenge) at 100/s is 6 s; 60 s is only a hang guard.
python3 "$MANY" wait "$WEB" "$N" 60 >"$WORK/wait.out"
rc=$?
check "all $N extensions Successful" equals "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/    | /' "$WORK/wait.out"
sent=$(grep -c ": REGISTER sent to " "$WORK/device.out")
check "every extension took two REGISTERs (challenge, answer): $sent" equals "$sent" $((2 * N))
peak=$(python3 "$MANY" rate "$WORK/device.out")
# The limiter lets a burst of RATE/20 through after a quiet spell: RATE + RATE/20 + 1 at most.
check "at most $((RATE + RATE / 20 + 1)) REGISTERs in any second (saw $peak)" \
  test "$peak" -le $((RATE + RATE / 20 + 1))
check "the rate was used, not undershot (saw $peak)" test "$peak" -ge $((RATE * 8 / 10))
admin "$STATE" sip show peers >"$WORK/peers.txt" 2>&1
check "sipregd counts all $N online" contains "$WORK/peers.txt" "Unmonitored: $N online, 0 offline"

start=$(date +%s%N)
stop_pid "$DEVICE_PID"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "SIGTERM: clean exit after unregistering (${elapsed_ms} ms)" equals "$STOP_RC" 0
admin "$STATE" sip show peers >"$WORK/peers-off.txt" 2>&1
# Shutting down lifts the rate so that every unregister fits in the 5 s deadline.
check "SIGTERM: every extension unregistered" contains "$WORK/peers-off.txt" "Unmonitored: 0 online, $N offline"
grep -q "Unmonitored: 0 online" "$WORK/peers-off.txt" || tail -3 "$WORK/peers-off.txt"
finish
