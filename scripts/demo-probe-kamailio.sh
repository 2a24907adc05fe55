#!/usr/bin/env bash
# The main job on the bundled demo config: start a local Kamailio registrar with
# the Asterisk guide's accounts (demo/kamailio.cfg), then let `sipreg probe`
# register demo-alice and demo-bob the way a phone would and explain the result.
# A second probe with a wrong password shows what "Rejected by Server" looks like.
# usage: demo.sh [BUILD_DIR]   (DEMO_PORT=5060 by default)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
port=${DEMO_PORT:-5060}
export SIPREG_SOURCE_DIR=$root SIPREG_BIN_DIR=$build/apps
source "$root/tests/integration/lib.sh"

echo "Starting Kamailio (demo/kamailio.cfg) on udp+tcp 127.0.0.1:$port ..."
start_kamailio "$port" || { echo "Is port $port in use? Try DEMO_PORT=15060 make demo"; exit 1; }

rc=0
echo; echo "\$ sipreg probe --server 127.0.0.1:$port --user demo-alice --password verysecretpassword"
"$SIPREG" probe --server "127.0.0.1:$port" --user demo-alice --password verysecretpassword || rc=1
echo; echo "\$ sipreg probe --server 127.0.0.1:$port --transport tcp --user demo-bob --password othersecretpassword"
"$SIPREG" probe --server "127.0.0.1:$port" --transport tcp --user demo-bob --password othersecretpassword || rc=1
echo; echo "\$ sipreg probe --server 127.0.0.1:$port --user demo-bob --password not-the-password"
"$SIPREG" probe --server "127.0.0.1:$port" --user demo-bob --password not-the-password
[ $? -eq 1 ] || rc=1
echo
[ $rc -eq 0 ] && echo "Demo finished: both phones registered; the wrong password was rejected." \
  || echo "Demo finished with unexpected results (see above)."
exit $rc
