"""The Python peer's Lambda bootstrap: a Runtime API loop around `app(event, context)`.

What Lambda's Python runtime does for a Chalice app, written small with the standard
library so that `coldstart-stub` can time it exactly as it times the Rust bootstraps: the
interpreter starts, imports the handler module (`app.py`, and Chalice with it), then asks
the Runtime API for the next event, answers it and asks again. AWS's own runtime
(awslambdaric) does more at start (its C HTTP client, logging setup), so this is a
generous stand-in: Python's real cold start is longer, never shorter.
"""

import http.client
import json
import os

from app import app


class LambdaContext:
    """The attributes of the context object Lambda's Python runtime passes."""

    def __init__(self, request_id, deadline_ms, arn):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        import time

        return max(self._deadline_ms - int(time.time() * 1000), 0)


def main():
    host, _, port = os.environ["AWS_LAMBDA_RUNTIME_API"].partition(":")
    api = http.client.HTTPConnection(host, int(port or 80))
    while True:
        api.request("GET", "/2018-06-01/runtime/invocation/next")
        invocation = api.getresponse()
        event = json.loads(invocation.read())
        request_id = invocation.getheader("Lambda-Runtime-Aws-Request-Id")
        context = LambdaContext(
            request_id,
            int(invocation.getheader("Lambda-Runtime-Deadline-Ms", "0")),
            invocation.getheader("Lambda-Runtime-Invoked-Function-Arn"),
        )
        body = json.dumps(app(event, context)).encode()
        api.request(
            "POST",
            f"/2018-06-01/runtime/invocation/{request_id}/response",
            body,
            {"Content-Type": "application/json"},
        )
        api.getresponse().read()


if __name__ == "__main__":
    main()
