#!/usr/bin/env bash
# Instructions per request of a local server under callgrind: repeatable whatever else the
# machine is doing, unlike seconds. Used for the findings in bench/README.md.
#
#   bench/scripts/callgrind-local.sh ours|ours-quiet|axum PATH [SECONDS]
#
# Needs `cargo build --profile profiling --bins` in bench/ (release code with symbols).
# Starts the server under callgrind on 127.0.0.1, warms it up, zeroes the counters, runs wrk
# (1 thread, 16 connections) on PATH for SECONDS (default 10), dumps, and prints the
# instructions per request and the top functions, inclusive. POST /echo sends the 1 KB body.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
which="${1:?ours, ours-quiet or axum}"
path="${2:?a path such as / or /users/bob or /echo}"
seconds="${3:-10}"
out="$BENCH/target/callgrind"
mkdir -p "$out"
port=$((20000 + RANDOM % 20000))
case "$which" in
ours) cmd=("$BENCH/target/profiling/ours" --host 127.0.0.1 --port "$port") ;;
ours-quiet) cmd=("$BENCH/target/profiling/ours" --host 127.0.0.1 --port "$port"); export BENCH_QUIET=1 ;;
axum) cmd=("$BENCH/target/profiling/axum-server" --port "$port") ;;
*) echo "unknown server $which" >&2; exit 2 ;;
esac
file="$out/$which-${path//\//_}.out"
rm -f "$file"*
timeout -k 5 $((seconds * 20 + 120)) valgrind --tool=callgrind --callgrind-out-file="$file" \
    "${cmd[@]}" >/dev/null 2>"$out/$which.valgrind.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
wrk_env=()
if [[ "$path" == /echo ]]; then wrk_env=(WRK_METHOD=POST "WRK_BODY=$BENCH/fixtures/body-1k.json"); fi
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.2
done
env "${wrk_env[@]}" timeout 60 wrk -t1 -c16 -d2s -s "$BENCH/wrk/report.lua" "http://127.0.0.1:$port$path" >/dev/null
pid=$(pgrep -P "$(pgrep -P $server | head -1)" | head -1 || true)
[[ -n "$pid" ]] || pid=$(pgrep -P $server | head -1)
callgrind_control -z "$pid" >/dev/null
requests=$(env "${wrk_env[@]}" timeout $((seconds + 60)) wrk -t1 -c16 -d"${seconds}s" -s "$BENCH/wrk/report.lua" \
    "http://127.0.0.1:$port$path" | sed -n 's/^WRK_JSON {"requests":\([0-9]*\).*/\1/p')
callgrind_control -d "$pid" >/dev/null
sleep 1
dump=$(ls -t "$file"* | head -1)
total=$(callgrind_annotate "$dump" 2>/dev/null | sed -n 's/^\([0-9,]*\) (100.0%).*PROGRAM TOTALS.*/\1/p' | tr -d ,)
echo "$which $path: $requests requests, $total instructions, $((total / requests)) instructions/request"
echo "dump: $dump"
callgrind_annotate --inclusive=yes "$dump" 2>/dev/null | sed -n '/file:function/,$p' | head -45
