#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time over a scratch copy of its seed corpus.
# usage: run-fuzz.sh BUILD_DIR SECONDS
set -uo pipefail
build=$1; secs=$2
root=$(cd "$(dirname "$0")/.." && pwd)
for target in parser_fuzz framer_fuzz device_config_fuzz; do
  name=${target%_fuzz}
  work=$(mktemp -d)
  cp -r "$root/tests/fuzz/corpus/$name/." "$work/corpus"
  echo "fuzz: $target for ${secs}s"
  "$build/tests/fuzz/$target" -max_total_time="$secs" -max_len=8192 -timeout=10 \
    -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1
  status=$?
  grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' "$work/log"
  if [ "$status" -ne 0 ]; then
    tail -40 "$work/log" >&2
    echo "fuzz: $target FAILED (artifacts kept in $work)" >&2
    exit 1
  fi
  rm -rf "$work"
done
