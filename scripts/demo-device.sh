#!/usr/bin/env bash
# sipreg-device on the bundled demo/device.conf (demo-alice as the page extension, demo-bob
# as the ring extension) against the sipregd of `make demo` on 127.0.0.1:5060. The config is
# copied to var/device.conf first, because the web interface saves its changes there.
# usage: demo-device.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cd "$root"
mkdir -p var
[ -f var/device.conf ] || cp demo/device.conf var/device.conf
"$build/apps/sipreg-device" --check-config -c var/device.conf
cat <<MSG
Starting sipreg-device on var/device.conf (run \`make demo\` in another terminal first).
Web interface: http://127.0.0.1:8080/  (user admin, password demo)
Status from a script: curl -u admin:demo http://127.0.0.1:8080/api/status
Ctrl-C unregisters both extensions and stops.

MSG
exec "$build/apps/sipreg-device" -c var/device.conf
