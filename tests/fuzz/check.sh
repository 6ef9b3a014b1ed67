#!/bin/sh
# SPDX-License-Identifier: MIT
# check.sh NAME BINARY WORKDIR SECONDS SEED_DIR...: runs one libFuzzer target
# for SECONDS on its working corpus (WORKDIR/corpus, grown from the seeds) and
# prints one line for tests/run.py: "PASS: fuzz NAME (N inputs)" or
# "FAIL: fuzz NAME: reason (input: FILE, log: FILE)". Rerun a failing input
# with: BINARY FILE
set -u
name=$1 bin=$2 work=$3 secs=$4
shift 4
mkdir -p "$work/corpus" "$work/crashes"
log=$work/log
# -timeout: an input that runs this long is a hang and fails the target.
"$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/crashes/" "$work/corpus" "$@" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$rc" -eq 0 ] && [ "${runs:-0}" -gt 0 ]; then
	echo "PASS: fuzz $name (${runs} inputs)"
	exit 0
fi
# The first line that says what broke: our own checks, then the sanitizers, then libFuzzer.
reason=$(grep -m 1 -o 'FUZZ-FAIL: .*' "$log" ||
	 grep -m 1 -o 'runtime error: .*' "$log" ||
	 grep -m 1 -o 'ERROR: AddressSanitizer: .*' "$log" ||
	 grep -m 1 -o 'ERROR: LeakSanitizer: .*' "$log" ||
	 grep -m 1 -o 'ERROR: libFuzzer: .*' "$log" ||
	 grep -m 1 -o 'ALARM: .*' "$log")
[ -n "$reason" ] || reason="exited $rc after ${runs:-no} inputs"
input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
echo "FAIL: fuzz $name: $reason (input: ${input:-none}, log: $log)"
exit 1
