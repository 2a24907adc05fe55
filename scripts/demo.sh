#!/usr/bin/env bash
# The main job: sipregd in the foreground on the bundled demo config
# (demo/sip.conf: the Asterisk guide's demo-alice and demo-bob on udp+tcp
# 127.0.0.1:5060, state in ./var/sipreg). Stop it with Ctrl-C.
# usage: demo.sh [BUILD_DIR]     (DEMO_CONFIG=demo/pjsip.conf for the pjsip dialect)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
config=${DEMO_CONFIG:-demo/sip.conf}
cd "$root"
"$build/apps/sipregd" --check-config -c "$config"
cat <<MSG
Starting sipregd on $config. From another terminal in $root:

  $build/apps/sipreg probe --server 127.0.0.1:5060 --user demo-alice --password verysecretpassword
  $build/apps/sipreg probe --server 127.0.0.1:5060 --user demo-bob --password wrong-password
  $build/apps/sipreg sip show peers

or point a phone at 127.0.0.1:5060 as demo-bob / othersecretpassword. Ctrl-C stops sipregd.

MSG
exec "$build/apps/sipregd" -f -v -c "$config"
