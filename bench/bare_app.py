"""The bare Flask baseline that ``bench/run.py`` compares the emulator against.

Three routes, nothing else: ``GET /health``; ``GET /items`` returning ~1 KB of JSON (serialised
per request, as the emulator does); ``POST /orders`` validating a ~1 KB JSON body with a
``Draft202012Validator`` compiled once. Served by :func:`sandbox.gateway.server.serve`, i.e.
under exactly the emulator's gunicorn configuration (one worker, same worker class and threads).

    python bench/bare_app.py --port 18000 --worker-class gthread --threads 32
"""

from __future__ import annotations

import argparse
from typing import Any

from flask import Flask, Response, jsonify, request
from jsonschema import Draft202012Validator

from sandbox.gateway.server import WORKER_CLASSES, serve

ORDER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["partner", "commonHeader", "body"],
    "additionalProperties": False,
    "properties": {
        "partner": {
            "type": "object",
            "required": ["comId", "srvId"],
            "additionalProperties": False,
            "properties": {
                "comId": {"type": "string", "pattern": "^[A-Z][0-9]{4}$"},
                "srvId": {"type": "string", "minLength": 1, "maxLength": 10},
            },
        },
        "commonHeader": {
            "type": "object",
            "required": ["reqIdConsumer", "ci"],
            "additionalProperties": False,
            "properties": {
                "reqIdPlatform": {"type": "string", "maxLength": 64},
                "reqIdConsumer": {"type": "string", "minLength": 1, "maxLength": 64},
                "ci": {"type": "string", "pattern": "^[A-Za-z0-9+/]{60,100}={0,2}$"},
            },
        },
        "body": {
            "type": "object",
            "required": ["accInfo", "orders"],
            "additionalProperties": False,
            "properties": {
                "accInfo": {
                    "type": "object",
                    "required": ["vtAccNo", "realAccNo"],
                    "properties": {
                        "vtAccNo": {"type": "string", "pattern": "^[0-9]{12}$"},
                        "realAccNo": {"type": "string", "pattern": "^[0-9-]{8,20}$"},
                    },
                },
                "orders": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 20,
                    "items": {
                        "type": "object",
                        "required": ["isinCode", "side", "qty", "price", "ordType"],
                        "additionalProperties": False,
                        "properties": {
                            "isinCode": {"type": "string", "pattern": "^KR[0-9A-Z]{10}$"},
                            "side": {"enum": ["BUY", "SELL"]},
                            "qty": {"type": "integer", "minimum": 1, "maximum": 1000000},
                            "price": {"type": "number", "exclusiveMinimum": 0},
                            "ordType": {"enum": ["LIMIT", "MARKET"]},
                            "memo": {"type": "string", "maxLength": 100},
                        },
                    },
                },
            },
        },
    },
}

_CI = "Q9z5ccmjYNrhPVXrdfgfgfFdfgFGHdfg3fGFGgghDFFGghghgSSSfgfgcvbdfgert45rgfgdfgfhpf5vmzjaA=="

# The ~1 KB body bench/run.py posts to /orders (valid against ORDER_SCHEMA).
SAMPLE_ORDER: dict[str, Any] = {
    "partner": {"comId": "F9999", "srvId": "999"},
    "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": "bench", "ci": _CI},
    "body": {
        "accInfo": {"vtAccNo": "000111222333", "realAccNo": "123-45-678901"},
        "orders": [
            {"isinCode": f"KR7{code:06d}00{n}", "side": "BUY" if n % 2 else "SELL",
             "qty": 10 * (n + 1), "price": 71200.0 + n * 50, "ordType": "LIMIT",
             "memo": f"bench order {n}"}
            for n, code in enumerate((5930, 660, 35420, 5380, 51910, 207940, 68270))
        ],
    },
}

# ~1 KB of JSON for GET /items.
ITEMS: dict[str, Any] = {
    "items": [
        {"isinCode": f"KR7{code:06d}00{n % 10}", "name": f"종목 {n}", "market": "KOSPI",
         "lastPrice": 71200 + 100 * n, "change": -300 + 40 * n, "volume": 1234567 + n}
        for n, code in enumerate((5930, 660, 35420, 5380, 51910, 207940, 68270, 12330))
    ],
}


def create_app() -> Flask:
    app = Flask("bare")
    validator = Draft202012Validator(ORDER_SCHEMA)

    @app.get("/health")
    def health() -> Response:
        return jsonify(status="ok")

    @app.get("/items")
    def items() -> Response:
        return jsonify(ITEMS)

    @app.post("/orders")
    def orders() -> tuple[Response, int]:
        body: Any = request.get_json(silent=True)
        errors = [e.message for e in validator.iter_errors(body)]
        if errors:
            return jsonify(error="invalid body", details=errors[:5]), 400
        return jsonify(result="accepted", count=len(body["body"]["orders"])), 200

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--worker-class", choices=WORKER_CLASSES, default="gthread")
    parser.add_argument("--threads", type=int, default=32)
    args = parser.parse_args()
    serve(create_app, args.host, args.port, threads=args.threads,
          worker_class=args.worker_class)


if __name__ == "__main__":
    main()
