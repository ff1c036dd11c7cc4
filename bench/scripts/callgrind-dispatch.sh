#!/usr/bin/env bash
# Instructions per Lambda event under callgrind, for every side and event: repeatable
# whatever else the machine is doing. Used for the findings in bench/README.md.
#
#   bench/scripts/callgrind-dispatch.sh [SIDE [EVENT]]
#
# Builds the `dispatch_loop` example (release code with symbols), runs it under callgrind
# with 1 and 1,001 dispatches, and prints (total(1001) - total(1)) / 1000 per side and event.
# The 1,001-dispatch profiles stay in bench/target/callgrind/ for callgrind_annotate.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$BENCH"
timeout 3600 cargo build --quiet --profile profiling -p bench-dispatch --example dispatch_loop
bin="$BENCH/target/profiling/examples/dispatch_loop"
out="$BENCH/target/callgrind"
mkdir -p "$out"
sides=("${1:-ours}")
[[ $# -ge 1 ]] || sides=(ours lambda_http_axum floor)
events=("${2:-}")
[[ $# -ge 2 ]] || events=(v1_get_user v1_post_echo v2_get_user v2_post_echo)
total() {
    callgrind_annotate "$1" 2>/dev/null | sed -n 's/^\([0-9,]*\) (100.0%).*PROGRAM TOTALS.*/\1/p' | tr -d ,
}
printf '%-18s %-14s %s\n' side event instructions/event
for side in "${sides[@]}"; do
    for event in "${events[@]}"; do
        for n in 1 1001; do
            timeout 600 valgrind --tool=callgrind --callgrind-out-file="$out/dispatch-$side-$event-$n.out" \
                "$bin" "$side" "$event" "$n" 2>/dev/null
        done
        a=$(total "$out/dispatch-$side-$event-1.out")
        b=$(total "$out/dispatch-$side-$event-1001.out")
        printf '%-18s %-14s %d\n' "$side" "$event" $(((b - a) / 1000))
    done
done
