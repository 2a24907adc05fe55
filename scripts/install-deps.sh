#!/usr/bin/env bash
# Installs every Debian 12 package sipreg needs to build, test and run its demo.
# Idempotent: only missing packages are installed. Runs apt-get as root or via sudo.
# Then installs the browser tests' Node packages (tests/browser, from its lock file).
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  # libraries
  libasio-dev libssl-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libsqlite3-dev libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev libc-ares-dev
  libmimalloc-dev
  # real peers for tests and the demo
  sip-tester kamailio kamailio-sqlite-modules baresip sqlite3 openssl python3 iproute2 fail2ban curl
  dnsmasq-base
  chromium
)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

SUDO=""
need_root() {
  if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo for: $*" >&2; exit 1; }
    SUDO="sudo"
  fi
}
apt_updated=0
apt_install() {
  need_root "$@"
  echo "install-deps: installing $*"
  if [ "$apt_updated" -eq 0 ]; then
    $SUDO apt-get update -qq
    apt_updated=1
  fi
  # The kamailio package would start a system service; the tests start their own instances.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@"
}

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# Browser tests (tests/browser): Node with playwright-core, driving the system
# chromium above. An existing node/npm (e.g. from NodeSource) is used as is.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi
if [ ! -d "$ROOT/tests/browser/node_modules/playwright-core" ]; then
  echo "install-deps: npm ci in tests/browser"
  npm ci --prefix "$ROOT/tests/browser" --no-audit --no-fund
fi
