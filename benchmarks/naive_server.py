"""Serve the naive baseline over the assistant's HTTP contract, so the evaluator can score it.

python benchmarks/naive_server.py ../shared/sites/ikim-website --port 8001
python3 ../shared/eval/evaluate.py --url http://127.0.0.1:8001 --questions ../shared/eval/dev_questions.yaml
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from flask import Flask, jsonify, request

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.naive import NaiveIndex  # noqa: E402


def create_app(index: NaiveIndex) -> Flask:
    app = Flask("naive_server")

    @app.post("/api/ask")
    def ask():
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("question"), str) or not body["question"].strip():
            return jsonify({"error": "send JSON with a non-empty string 'question'"}), 400
        history = body.get("history") or []
        if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
            return jsonify({"error": "'history' must be a list of strings"}), 400
        return jsonify(index.answer_json(body["question"], history))

    @app.get("/api/health")
    def health():
        return jsonify({"status": "ok", "paragraphs": len(index.paragraphs)})

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="Jekyll source folder")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--base-url", default=None, help="public address (default: url from _config.yml)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    index = NaiveIndex.build(args.site, args.base_url)
    print(
        f"naive index: {len(index.paragraphs)} paragraphs from {args.site} "
        f"in {(time.perf_counter() - start) * 1000:.0f} ms",
        flush=True,
    )
    create_app(index).run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
