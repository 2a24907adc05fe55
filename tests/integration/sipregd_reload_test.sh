#!/usr/bin/env bash
# `sipreg reload`: sipregd re-reads its config while running. Accounts that stay keep their
# bindings (even when their settings change), new accounts can register at once, removed ones
# lose their bindings, a changed password applies to the next REGISTER, settings that need a
# restart are reported as such, and a broken file changes nothing (FILE:LINE error, exit 1).
source "$(dirname "$0")/lib.sh"
show() { sed 's/^/    | /' "$1"; }
verdict() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$1"; }

PORT=$(free_port)
SRV="127.0.0.1:$PORT"
STATE="$WORK/state"
CONF="$WORK/sip.conf"
GENERAL="[general]
udpbindaddr=127.0.0.1:$PORT
statedir=$STATE
auth_algorithms=md5
"
{ echo "$GENERAL"; demo_peers; } >"$CONF"
start_sipregd "$STATE" "$CONF" || exit 1

run_probe "$WORK/alice1.json" --server "$SRV" --user demo-alice --password verysecretpassword --json --timeout 3
check "before reload: demo-alice registers" equals "$PROBE_RC" 0
run_probe "$WORK/bob1.json" --server "$SRV" --user demo-bob --password othersecretpassword --json --timeout 3
check "before reload: demo-bob registers" equals "$PROBE_RC" 0
ALICE_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seen_from"].rsplit(":",1)[1])' "$WORK/alice1.json")

# New file: alice gets a new password and qualify, bob is gone, carol is new.
cat >"$CONF" <<EOF
$GENERAL
[demo-alice]
type=friend
host=dynamic
secret=brandnewpassword
qualify=yes

[demo-carol]
type=friend
host=dynamic
secret=carolsecret
EOF
admin "$STATE" reload >"$WORK/reload.txt" 2>&1
check "reload exits 0" equals "$?" 0
check "reload reports added, changed and removed accounts" \
  grep -qE "^Reloaded .*sip\.conf: 2 accounts; added: demo-carol; changed: demo-alice; removed: demo-bob \(1 bindings dropped\)$" "$WORK/reload.txt"
[ "$FAILURES" -eq 0 ] || show "$WORK/reload.txt"
check "NOTICE line for the reload in the log" wait_for_text "$STATE/messages" "reload_config: Reloaded " 2
check "VERBOSE line for demo-bob's dropped binding" \
  wait_for_text "$STATE.stderr" "Unregistered SIP 'demo-bob' (sip:demo-bob@127.0.0.1:" 2

admin "$STATE" sip show peers >"$WORK/peers.txt" 2>&1
check "demo-alice kept her binding across the reload" \
  grep -qE "^demo-alice +127\.0\.0\.1 +D +N +$ALICE_PORT " "$WORK/peers.txt"
check "demo-bob is no longer listed" not_contains "$WORK/peers.txt" "demo-bob"
check "demo-carol is listed, not registered yet" grep -qE "^demo-carol +\(Unspecified\) " "$WORK/peers.txt"
[ "$FAILURES" -eq 0 ] || show "$WORK/peers.txt"
admin "$STATE" sip show peers --page 2 --page-size 1 >"$WORK/page2.txt" 2>&1
check "sip show peers --page 2 --page-size 1: only the second peer, and the page line" bash -c \
  "grep -c '^demo-' '$WORK/page2.txt' | grep -qx 1 && grep -q '^demo-carol ' '$WORK/page2.txt' &&
   grep -qx 'Page 2 of 2 (1 peers a page; --page N for more)' '$WORK/page2.txt'"
check "sip show peers like carol: only demo-carol" \
  equals "$(admin "$STATE" sip show peers like carol | grep -c '^demo-')" 1

run_probe "$WORK/alice-old.json" --server "$SRV" --user demo-alice --password verysecretpassword --json --timeout 3
check "demo-alice's old password is now refused" equals "$(verdict "$WORK/alice-old.json")" "Rejected by Server"
run_probe "$WORK/alice-new.json" --server "$SRV" --user demo-alice --password brandnewpassword --json --timeout 3
check "demo-alice's new password works" equals "$(verdict "$WORK/alice-new.json")" "Successful"
run_probe "$WORK/carol.json" --server "$SRV" --user demo-carol --password carolsecret --json --timeout 3
check "demo-carol registers right after the reload" equals "$(verdict "$WORK/carol.json")" "Successful"
run_probe "$WORK/bob2.json" --server "$SRV" --user demo-bob --password othersecretpassword --json --timeout 3
check "demo-bob is refused after the reload" equals "$(verdict "$WORK/bob2.json")" "Rejected by Server"
check "demo-alice is qualified after the reload (OPTIONS to the probe's port go unanswered)" \
  wait_for_text "$STATE.stderr" "Peer 'demo-alice' is now UNREACHABLE!" 8

# Settings that need a restart keep their running value, and the reload says so.
sed -i 's/^\[general\]$/[general]\ncommit_delay=7\ncommit_delay_batch=20\nnoncelifetime=45/' "$CONF"
admin "$STATE" reload >"$WORK/restart.txt" 2>&1
check "restart-only settings: reload exits 0" equals "$?" 0
check "restart-only settings: commit_delay is reported as needing a restart" \
  grep -qx "warning: commit_delay changed; it takes effect when sipregd restarts" "$WORK/restart.txt"
check "restart-only settings: commit_delay_batch is reported as needing a restart" \
  grep -qx "warning: commit_delay_batch changed; it takes effect when sipregd restarts" "$WORK/restart.txt"
check "restart-only settings: noncelifetime is reported as needing a restart" \
  grep -qx "warning: noncelifetime changed; it takes effect when sipregd restarts" "$WORK/restart.txt"
check "restart-only settings: no account changed" \
  grep -qE "^Reloaded .*sip\.conf: 2 accounts$" "$WORK/restart.txt"
[ "$FAILURES" -eq 0 ] || show "$WORK/restart.txt"

# A broken file: exit 1, FILE:LINE, nothing changes.
cp "$CONF" "$WORK/good.conf"
printf '[demo-dave]\ntype=friend\nhost=dynamic\nsecret\n' >>"$CONF"
LINE=$(grep -n '^secret$' "$CONF" | cut -d: -f1)
admin "$STATE" reload >"$WORK/bad.txt" 2>&1
check "broken file: reload exits 1" equals "$?" 1
check "broken file: the error names FILE:LINE" grep -qF "$CONF:$LINE:" "$WORK/bad.txt"
check "broken file: says the configuration is unchanged" contains "$WORK/bad.txt" "Configuration unchanged."
admin "$STATE" sip show peers >"$WORK/peers2.txt" 2>&1
check "broken file: still demo-alice and demo-carol, no demo-dave" \
  equals "$(grep -oE '^demo-[a-z]+' "$WORK/peers2.txt" | tr '\n' ' ')" "demo-alice demo-carol "
run_probe "$WORK/carol2.json" --server "$SRV" --user demo-carol --password carolsecret --json --timeout 3
check "broken file: accounts still work" equals "$(verdict "$WORK/carol2.json")" "Successful"

stop_pid "$SIPREGD_PID"
check "sipregd exits 0 on SIGTERM" equals "$STOP_RC" 0
finish
