#!/usr/bin/env python3
"""A Lambda Runtime API on 127.0.0.1 that hands out one event N times, then ends the function.

    python3 scripts/runtime_api_stub.py --event FILE --count N --port-file PATH

Serves `GET /2018-06-01/runtime/invocation/next` N times with the event (and the headers
Lambda sends), accepts the responses, and answers the (N+1)th `next` with HTTP 500: every
bootstrap then ends on its own, so that a profiler running it (callgrind) writes its
profile. `callgrind-runtime.sh` runs bootstraps against it with N = 1 and N = 101: the
difference is the cost of 100 events through the bootstrap's real Runtime API loop, HTTP
included. Binds 127.0.0.1 only; exits after the last answer or after --timeout seconds.
"""

import argparse
import http.server
import pathlib
import sys
import threading


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--event", required=True, type=pathlib.Path)
    parser.add_argument("--count", required=True, type=int)
    parser.add_argument("--port-file", required=True, type=pathlib.Path)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    event = args.event.read_bytes()
    state = {"handed": 0, "answered": 0}
    done = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def reply(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path != "/2018-06-01/runtime/invocation/next":
                return self.reply(404)
            if state["handed"] >= args.count:
                done.set()
                return self.reply(500, b'{"errorMessage":"no more events"}')
            state["handed"] += 1
            self.reply(
                200,
                event,
                [
                    ("Content-Type", "application/json"),
                    ("Lambda-Runtime-Aws-Request-Id", f"8476a536-e9f4-11e8-9739-{state['handed']:012d}"),
                    ("Lambda-Runtime-Deadline-Ms", "1900000000000"),
                    ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:bench"),
                    ("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=0"),
                ],
            )

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if not self.path.endswith("/response") or b'"statusCode":200' not in body:
                print(f"runtime_api_stub: unexpected {self.path}: {body[:200]!r}", file=sys.stderr)
                sys.stderr.flush()
            state["answered"] += 1
            self.reply(202)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    args.port_file.write_text(str(server.server_address[1]))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    finished = done.wait(args.timeout)
    server.shutdown()
    if not finished or state["answered"] != args.count:
        print(f"runtime_api_stub: {state['answered']} of {args.count} events answered", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
