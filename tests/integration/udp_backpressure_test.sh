#!/usr/bin/env bash
# UDP sends the kernel cannot take at once (EAGAIN, send buffer full) wait in Asio's queue and
# arrive complete and in order. On an ordinary loopback the kernel delivers every datagram
# within the sending system call, so EAGAIN never happens; here the transport's own unit test
# (UdpBackpressureTest) runs inside a network namespace created for it, whose loopback is
# rate-limited to 64 Mbit/s by a tbf qdisc, so datagrams stay charged to the sending socket
# while they wait to be transmitted. Needs root (ip netns, tc); skipped without.
source "$(dirname "$0")/lib.sh"

TESTS_BIN="$SIPREG_BIN_DIR/../tests/transport_unit_tests"
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! command -v tc >/dev/null; then
  echo "skip - needs root, ip and tc to make a rate-limited loopback in a network namespace"
  exit 0
fi
[ -x "$TESTS_BIN" ] || { echo "FAIL - $TESTS_BIN not built"; exit 1; }

NS="sipreg-udpbp-$$"
netns_cleanup() {
  ip netns del "$NS" 2>/dev/null
  cleanup
}
trap netns_cleanup EXIT

check "network namespace $NS created" ip netns add "$NS"
check "its loopback is up" ip netns exec "$NS" ip link set lo up
check "its loopback is rate-limited (tbf 64mbit)" \
  ip netns exec "$NS" tc qdisc add dev lo root tbf rate 64mbit burst 64kb latency 4s
[ "$FAILURES" -eq 0 ] || { finish; exit 1; }

ip netns exec "$NS" env SIPREG_TEST_THROTTLED_LOOPBACK=1 "$TESTS_BIN" \
  --gtest_filter='UdpBackpressureTest.*' >"$WORK/gtest.txt" 2>&1
RC=$?
check "UdpBackpressureTest passes on the slow loopback" equals "$RC" 0
check "and really ran (not skipped)" grep -q "^\[  PASSED  \] 1 test" "$WORK/gtest.txt"
[ "$FAILURES" -eq 0 ] || sed 's/^/    | /' "$WORK/gtest.txt"
finish
