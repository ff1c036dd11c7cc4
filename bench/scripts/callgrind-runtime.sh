#!/usr/bin/env bash
# Instructions of a Lambda bootstrap under callgrind, through its real Runtime API loop:
# start-up to exit with one event, and per event (HTTP to the Runtime API included).
#
#   bench/scripts/callgrind-runtime.sh [BOOTSTRAP...]     default: ours and lambda-http-axum
#
# Each bootstrap (a path, or the name of a bin of the bench workspace, built with the
# `profiling` profile: release code with symbols) serves the REST API GET event from
# `runtime_api_stub.py`, once and then 101 times, and exits when the stub ends the function.
# Prints the instructions of the 1-event run (start-up, one event, exit) and
# (total(101) - total(1)) / 100 per event. Profiles stay in bench/target/callgrind/.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$BENCH"
bootstraps=("$@")
[[ $# -ge 1 ]] || bootstraps=(ours lambda-http-axum)
out="$BENCH/target/callgrind"
mkdir -p "$out"
total() {
    callgrind_annotate "$1" 2>/dev/null | sed -n 's/^\([0-9,]*\) (100.0%).*PROGRAM TOTALS.*/\1/p' | tr -d ,
}
printf '%-24s %16s %16s\n' bootstrap 'one event, total' 'per event'
for bootstrap in "${bootstraps[@]}"; do
    if [[ -x "$bootstrap" ]]; then
        bin="$bootstrap"
    else
        timeout 3600 cargo build --quiet --profile profiling --bin "$bootstrap"
        bin="$BENCH/target/profiling/$bootstrap"
    fi
    name="$(basename "$bin")"
    for n in 1 101; do
        port_file="$(mktemp)"
        timeout 600 python3 "$BENCH/scripts/runtime_api_stub.py" --event "$BENCH/fixtures/v1-get-user.json" \
            --count "$n" --port-file "$port_file" --timeout 500 &
        stub=$!
        for _ in $(seq 100); do [[ -s "$port_file" ]] && break; sleep 0.1; done
        # Lambda's environment, nothing of this shell's.
        timeout 600 env -i AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$port_file")" \
            AWS_LAMBDA_FUNCTION_NAME=bench AWS_LAMBDA_FUNCTION_VERSION='$LATEST' \
            AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128 AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/bench \
            AWS_LAMBDA_LOG_STREAM_NAME='2024/01/01/[$LATEST]0123456789abcdef' \
            AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH=true \
            valgrind --tool=callgrind --callgrind-out-file="$out/runtime-$name-$n.out" "$bin" \
            >/dev/null 2>&1 || true
        wait "$stub"
        rm -f "$port_file"
    done
    a=$(total "$out/runtime-$name-1.out")
    b=$(total "$out/runtime-$name-101.out")
    printf '%-24s %16d %16d\n' "$name" "$a" $(((b - a) / 100))
done
