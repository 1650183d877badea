"""Invoke an unpacked Lambda package's handler in this interpreter, as Lambda would.

    python -I -S deploy/invoke_local.py PACKAGE_DIR [HANDLER] < events.jsonl

Reads one event (JSON) per line of standard input and prints one JSON line per
event with the handler's result and how long it took, after a first line with
the time taken to import the handler module and to set up the app. The last
line lists the modules then imported and how many regular expressions the
project compiled rather than read from its shipped copy. With ``-I -S`` only the package and the
standard library are importable, as on Lambda's runtime, so a missing
dependency shows up here rather than after deploying.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import uuid


class Context:
    """The parts of Lambda's context object that handlers read."""

    function_name = "local"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-central-1:000000000000:function:local"
    log_group_name = "/aws/lambda/local"
    log_stream_name = "local"

    def __init__(self, deadline: float) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main() -> int:
    package = os.path.abspath(sys.argv[1])
    module_name, _, function_name = (sys.argv[2] if len(sys.argv) > 2 else "handler.lambda_handler").rpartition(".")
    sys.path.insert(0, package)
    os.chdir(package)  # Lambda starts functions in their code folder

    t0 = time.perf_counter()
    module = importlib.import_module(module_name)
    t1 = time.perf_counter()
    setup_ms = None
    if hasattr(module, "LambdaHandler"):  # zappa: loads settings and imports the app
        module.LambdaHandler()
        setup_ms = (time.perf_counter() - t1) * 1000
    handler = getattr(module, function_name)
    print(json.dumps({"import_ms": (t1 - t0) * 1000, "setup_ms": setup_ms}), flush=True)

    for line in sys.stdin:
        if not line.strip():
            continue
        event = json.loads(line)
        start = time.perf_counter()
        result = handler(event, Context(time.monotonic() + 30))
        ms = (time.perf_counter() - start) * 1000
        print(json.dumps({"ms": ms, "result": result}), flush=True)
    copies = sys.modules.get("assistant.compiled_copies")
    compiled = copies.patterns_compiled_here() if copies else None  # not taken from the shipped copy
    print(json.dumps({"modules": sorted(sys.modules), "patterns_compiled": compiled}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
