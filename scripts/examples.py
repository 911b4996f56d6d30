#!/usr/bin/env python3
"""(Re)write the recorded answer of every operation's example (``schemas/**/*.example.json``).

    python scripts/examples.py                 # rewrite every example's "response"
    python scripts/examples.py OPERATION...    # only these operations (e.g. order.new)
    python scripts/examples.py --check         # exit 1 listing the examples whose recorded
                                               # answer is not what the emulator answers now

Each example's request (after its ``given`` steps) runs in-process against a freshly reset
default world: seed 42, clock frozen at 2026-11-24T10:00:00+09:00, 1,000 generated users,
strict response validation, as in ``tests/conftest.py``. Only the ``response`` part is
written; the summary, the set-up steps and the request are the author's. The output is a pure
function of the emulator: the same bytes on every run (``tests/test_contract.py`` replays the
examples and fails when one is stale).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox.examples import (  # noqa: E402
    ExampleError,
    canonical,
    default_app,
    example_path,
    load_example,
    replay,
)
from sandbox.registry import Operation, all_operations  # noqa: E402


def dump(example: dict[str, Any]) -> str:
    """The file text of an example: keys in the documented order, two-space indent."""
    order = ("summary", "given", "request", "response")
    ordered = {key: example[key] for key in order if key in example}
    ordered.update({k: v for k, v in example.items() if k not in ordered})
    return json.dumps(ordered, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("operations", nargs="*", help="operation ids (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if an example is missing or stale")
    args = parser.parse_args(argv)
    operations: list[Operation] = all_operations()
    if args.operations:
        unknown = set(args.operations) - {op.id for op in operations}
        if unknown:
            parser.error(f"unknown operations: {', '.join(sorted(unknown))}")
        operations = [op for op in operations if op.id in args.operations]
    app = default_app()
    problems: list[str] = []
    written = 0
    for op in operations:
        path = example_path(op)
        if not path.is_file():
            problems.append(f"{op.id}: no example ({path.relative_to(ROOT)})")
            continue
        example = load_example(op)
        try:
            answer, _ = replay(app, op, example)
        except ExampleError as error:
            problems.append(f"{op.id}: {error}")
            continue
        if canonical(answer) == canonical(example.get("response")):
            continue
        if args.check:
            problems.append(f"{op.id}: the recorded answer differs ({path.relative_to(ROOT)})")
            continue
        example["response"] = answer
        path.write_text(dump(example), encoding="utf-8")
        written += 1
        print(f"wrote {path.relative_to(ROOT)} ({answer['status']})")
    for problem in problems:
        print(problem, file=sys.stderr)
    if args.check and problems:
        print("refresh with: python scripts/examples.py", file=sys.stderr)
    elif not args.check:
        print(f"{written} example(s) rewritten, {len(operations) - written} unchanged")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
