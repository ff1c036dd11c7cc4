"""Per-event dispatch of Python Chalice, in-process: event JSON in, response JSON out.

    python dispatch.py --iterations N --batches B EVENT_NAME=FILE ...

For each event, what Lambda's Python runtime does per invocation around the handler:
`json.loads` of the event bytes, `app(event, context)`, `json.dumps` of the answer. Each
event is checked once (a 200 with the expected body) before it is timed; then B batches of
N calls are timed with `perf_counter_ns`. Prints one JSON object: per event, the median and
the fastest batch in microseconds per event.

Chalice routes REST API (payload 1.0) events only: an HTTP API (2.0) event has no
`requestContext.resourcePath` and Chalice answers it with a 500 "Unknown request.", so the
harness gives it only 1.0 events.
"""

import argparse
import json
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from app import app  # noqa: E402


class LambdaContext:
    aws_request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = "128"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "2024/01/01/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self):
        return 30_000


def dispatch(raw, context):
    return json.dumps(app(json.loads(raw), context))


def check(name, raw, body):
    answer = json.loads(dispatch(raw, LambdaContext()))
    if answer.get("statusCode") != 200:
        raise SystemExit(f"python, {name}: not a 200: {answer}")
    got = json.loads(answer["body"])
    want = {"name": "bob"} if "get_user" in name else json.loads(body)
    if got != want:
        raise SystemExit(f"python, {name}: wrong body: {answer['body'][:200]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--batches", type=int, default=15)
    parser.add_argument("--body", required=True, help="the 1 KB body of the echo events")
    parser.add_argument("events", nargs="+", metavar="NAME=FILE")
    args = parser.parse_args()
    body = pathlib.Path(args.body).read_text()
    context = LambdaContext()
    results = {}
    for spec in args.events:
        name, _, path = spec.partition("=")
        raw = pathlib.Path(path).read_bytes()
        check(name, raw, body)
        for _ in range(args.iterations // 10 + 1):  # warm-up
            dispatch(raw, context)
        per_event = []
        for _ in range(args.batches):
            start = time.perf_counter_ns()
            for _ in range(args.iterations):
                dispatch(raw, context)
            per_event.append((time.perf_counter_ns() - start) / args.iterations / 1000)
        results[name] = {
            "median_us": statistics.median(per_event),
            "min_us": min(per_event),
            "batches": per_event,
        }
    json.dump(results, sys.stdout)
    print()


if __name__ == "__main__":
    main()
