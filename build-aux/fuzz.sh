#!/bin/sh
# Builds the fuzz targets of tests/fuzz with clang's libFuzzer (with
# AddressSanitizer and UndefinedBehaviorSanitizer) and runs each for
# SECONDS, two at a time.
#
#   sh build-aux/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS defaults to 60 (the test command's short run); a night is
# 28800. TARGET is any of csv, image, couch, s3-listing, sigv4 (all by
# default). What a target learns is kept in build-fuzz/corpus/TARGET for
# the next run. An input that makes a target fail is written to
# build-fuzz/findings/; once the bug is fixed, copy it to
# tests/fuzz/regressions/TARGET/ so that the ordinary tests replay it.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-csv image couch s3-listing sigv4}
builddir=build-fuzz

if [ ! -f "$builddir/build.ninja" ]; then
  CC=clang meson setup "$builddir" -Dfuzzing=true -Dui_tests=false \
    -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link
fi
programs=""
for t in $targets; do programs="$programs fuzz-$t"; done
# shellcheck disable=SC2086
meson compile -C "$builddir" $programs

mkdir -p "$builddir/findings" "$builddir/logs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LC_ALL=C.UTF-8

run_one() {
  t=$1
  corpus="$builddir/corpus/$t"
  dict=""
  mkdir -p "$corpus"
  [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
  # shellcheck disable=SC2086
  if "$builddir/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=30 -max_len=16384 \
       -print_final_stats=1 -artifact_prefix="$builddir/findings/$t-" $dict \
       "$corpus" "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t" >"$builddir/logs/$t.log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$builddir/logs/$t.log")
    echo "fuzz $t: ${runs:-?} inputs in $seconds s, nothing found"
  else
    echo "fuzz $t: FOUND A FAILURE; the input is in $builddir/findings/, the log in $builddir/logs/$t.log:" >&2
    grep -E 'ERROR|SUMMARY|CRITICAL|WARNING|ERROR:|#[0-9]+ ' "$builddir/logs/$t.log" | head -30 >&2
    return 1
  fi
}

status=0
for t in $targets; do
  mkdir -p "tests/fuzz/regressions/$t"
done
# Two at a time, one per core.
set -- $targets
while [ $# -gt 0 ]; do
  first=$1; shift
  second=""
  if [ $# -gt 0 ]; then second=$1; shift; fi
  run_one "$first" & pid1=$!
  pid2=""
  if [ -n "$second" ]; then run_one "$second" & pid2=$!; fi
  wait $pid1 || status=1
  if [ -n "$pid2" ]; then wait "$pid2" || status=1; fi
done
exit $status
