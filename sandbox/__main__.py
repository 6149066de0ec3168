"""python -m sandbox selftest | bench [--runs N] [--pause SECONDS]"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from sandbox.client import Sandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("selftest", help="probe the isolation; exit 1 unless every check passes")
    bench = sub.add_parser("bench", help="time empty runs against a bare numpy import")
    bench.add_argument("--runs", type=int, default=200)
    bench.add_argument("--pause", type=float, default=0.0)
    args = parser.parse_args(argv)

    with Sandbox() as sb:
        if args.command == "selftest":
            report = sb.selftest()
            print(json.dumps(dataclasses.asdict(report), indent=2, sort_keys=True, default=str))
            return 0 if report.ok else 1
        # Only the bench command needs it.
        from sandbox.bench import bare_numpy_import, empty_run_overhead

        result = {
            "empty_run": dataclasses.asdict(
                empty_run_overhead(args.runs, sandbox=sb, pause_s=args.pause)
            ),
            "python_import_numpy": dataclasses.asdict(bare_numpy_import()),
        }
        print(json.dumps(result, indent=2))
        return 0


if __name__ == "__main__":
    sys.exit(main())
