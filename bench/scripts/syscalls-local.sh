#!/usr/bin/env bash
# System calls per request of a local server under wrk (`strace -c`): what CPU time per
# request pays in the kernel besides the instructions callgrind counts. Used for the
# findings in bench/README.md (round 6).
#
#   bench/scripts/syscalls-local.sh ours|ours-quiet|axum PATH [SECONDS]
#
# Needs `cargo build --profile profiling --bins` in bench/ and strace. Starts the server on
# 127.0.0.1, warms it up, attaches strace -f -c for SECONDS (default 3) of wrk (1 thread, 16
# connections) on PATH and prints each system call's count per request. strace slows the
# server, so only the counts mean anything, not the times.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
which="${1:?ours, ours-quiet or axum}"
path="${2:?a path such as / or /users/bob or /echo}"
seconds="${3:-3}"
out="$BENCH/target/strace"
mkdir -p "$out"
port=$((20000 + RANDOM % 20000))
case "$which" in
ours) cmd=("$BENCH/target/profiling/ours" --host 127.0.0.1 --port "$port") ;;
ours-quiet) cmd=("$BENCH/target/profiling/ours" --host 127.0.0.1 --port "$port"); export BENCH_QUIET=1 ;;
axum) cmd=("$BENCH/target/profiling/axum-server" --port "$port") ;;
*) echo "unknown server $which" >&2; exit 2 ;;
esac
"${cmd[@]}" >/dev/null 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
done
wrk_env=()
if [[ "$path" == /echo ]]; then wrk_env=(WRK_METHOD=POST "WRK_BODY=$BENCH/fixtures/body-1k.json"); fi
env "${wrk_env[@]}" timeout 60 wrk -t1 -c16 -d1s -s "$BENCH/wrk/report.lua" "http://127.0.0.1:$port$path" >/dev/null
counts="$out/$which-${path//\//_}.txt"
timeout $((seconds + 60)) strace -f -c -o "$counts" -p "$server" 2>/dev/null &
tracer=$!
sleep 0.5
requests=$(env "${wrk_env[@]}" timeout $((seconds + 60)) wrk -t1 -c16 -d"${seconds}s" -s "$BENCH/wrk/report.lua" \
    "http://127.0.0.1:$port$path" | sed -n 's/^WRK_JSON {"requests":\([0-9]*\).*/\1/p')
kill -INT $tracer
wait $tracer || true
echo "$which $path: $requests requests under strace"
awk -v r="$requests" '$NF != "total" && $4 ~ /^[0-9]+$/ { printf "  %-14s %7.3f per request\n", $NF, $4 / r }' "$counts"
