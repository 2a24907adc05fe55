#!/usr/bin/env bash
# Runs every sipreg test: the release build's unit and integration tests, the
# unit tests again under ASan+UBSan, the multi-threaded parts under TSan (the
# registrar, transport and device unit tests, and sipregd itself in two
# integration scripts), and a bounded libFuzzer run. Prints one
# closing line "N passed, N failed" over all ctest runs. Exit 0 only if all pass.
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-25}
passed=0; failed=0; rc=0

run_ctest() {  # dir, label, extra args...
  local dir=$1 label=$2; shift 2
  local log; log=$(mktemp)
  ctest --test-dir "$dir" -L "$label" --output-on-failure "$@" 2>&1 | tee "$log"
  local line; line=$(grep -E 'tests passed, [0-9]+ tests failed out of' "$log" | tail -1)
  if [ -n "$line" ]; then
    local total fail
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    fail=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
    passed=$((passed + total - fail)); failed=$((failed + fail))
    [ "$fail" -eq 0 ] || rc=1
  else
    echo "test-all: ctest -L $label in $dir ran no test" >&2; rc=1
  fi
  rm -f "$log"
}

step() { echo; echo "=== $*"; }

step "release build"
cmake -S . -B build -G Ninja >/dev/null && cmake --build build -j "$JOBS" || exit 1
step "unit tests"
run_ctest build unit -j "$JOBS"
step "integration tests (real kamailio, sipp)"
run_ctest build integration

step "ASan+UBSan build of the unit tests"
cmake -S . -B build-asan -G Ninja -DSIPREG_SANITIZE=ON -DSIPREG_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=Debug >/dev/null && cmake --build build-asan -j "$JOBS" || exit 1
run_ctest build-asan unit -j "$JOBS"

step "TSan build of the multi-threaded parts"
# The registrar's commit thread, the log writer threads, the HTTP server and the
# device's threads against the io thread: unit tests, then a real sipregd under
# load (sipp) and killed under load (persistence).
cmake -S . -B build-tsan -G Ninja -DSIPREG_SANITIZE_THREAD=ON -DSIPREG_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
  cmake --build build-tsan -j "$JOBS" --target registrar_unit_tests transport_unit_tests \
    device_unit_tests sipregd sipreg || exit 1
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
run_ctest build-tsan unit -j "$JOBS"  # the test binaries built above (the others are not labelled)
run_ctest build-tsan integration -R 'sipregd_(persistence|sipp)_test'
unset TSAN_OPTIONS

step "fuzzing (${FUZZ_SECONDS}s per target)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DSIPREG_BUILD_FUZZ=ON \
  -DSIPREG_BUILD_TESTS=OFF -DSIPREG_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
  cmake --build build-fuzz -j "$JOBS" --target parser_fuzz framer_fuzz device_config_fuzz || exit 1
if bash scripts/run-fuzz.sh build-fuzz "$FUZZ_SECONDS"; then
  passed=$((passed + 2))
else
  failed=$((failed + 1)); rc=1
fi

echo
echo "${passed} passed, ${failed} failed"
exit $rc
