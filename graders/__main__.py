"""Command line: python -m graders solve | grade | bench."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from graders.bench import main as bench_main
from graders.grading import Policy, grade
from graders.solve import solve
from graders.spec import SpecError
from graders.variants import TEMPLATES, UnknownTemplate, generate


def _solved(spec: dict[str, Any]) -> dict[str, Any]:
    solution = solve(spec)
    return {"spec": solution.spec.to_dict(), "quantities": solution.quantities()}


def _read_json(path: str) -> Any:
    with (sys.stdin if path == "-" else open(path, encoding="utf-8")) as handle:
        return json.load(handle)


def _solve_lines(stream: TextIO, out: TextIO) -> int:
    """One JSON spec a line in, one solved object a line out; bad lines get an error object."""
    status = 0
    for line in stream:
        if not line.strip():
            continue
        try:
            out.write(json.dumps(_solved(json.loads(line))) + "\n")
        except (ValueError, SpecError) as err:
            out.write(json.dumps({"error": str(err)}) + "\n")
            status = 1
    return status


def cmd_solve(args: argparse.Namespace) -> int:
    if args.spec == "-":
        return _solve_lines(sys.stdin, sys.stdout)
    spec = _read_json(args.spec) if args.spec else generate(args.template, args.seed)
    result = _solved(spec)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result["quantities"].items():
            print(f"{key:>16} = {value:.6g}")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    spec = _read_json(args.spec)
    answers = _read_json(args.answers)
    if not isinstance(answers, dict):
        raise ValueError("answers must be a JSON object of part key → typed string")
    policy = Policy.from_dict(_read_json(args.policy)) if args.policy else None
    report = grade(spec, answers, policy)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        for key, part in report.parts.items():
            if part.status != "missing":
                print(f"{key:>16}  {part.status:<13} {part.answer!s:<14} {part.expected:.6g}")
        print(f"score {report.score:.3f}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    return bench_main(repeat=args.repeat)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m graders", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    solve_p = sub.add_parser("solve", help="every quantity of a network")
    source = solve_p.add_mutually_exclusive_group(required=True)
    source.add_argument("--template", choices=sorted(TEMPLATES))
    source.add_argument("--spec", help="a JSON spec file, or - for JSON Lines on stdin")
    solve_p.add_argument("--seed", default="0")
    solve_p.add_argument("--json", action="store_true")
    solve_p.set_defaults(run=cmd_solve)
    grade_p = sub.add_parser("grade", help="grade typed answers")
    grade_p.add_argument("--spec", required=True)
    grade_p.add_argument("--answers", required=True)
    grade_p.add_argument("--policy")
    grade_p.add_argument("--json", action="store_true")
    grade_p.set_defaults(run=cmd_grade)
    bench_p = sub.add_parser("bench", help="time grading against a numpy baseline")
    bench_p.add_argument("--repeat", type=int, default=2000)
    bench_p.set_defaults(run=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; bad input prints one clear line on stderr and exits 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (OSError, ValueError, SpecError, UnknownTemplate) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
