"""Answer parsing and tolerance benchmark: the cost of the checks a submission's text goes
through, as ratios against `float()` of the same kind of text measured in the same run.

Rows: a plain number, an expression over the page's names, a refused 100,000-character input,
nasty inputs (each must be refused), and one tolerance check. These used to be timed unit tests;
speed is measured here, never asserted in a test.

    .venv/bin/python benchmarks/parsing.py [--repeat 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graders.parsing import AnswerError, parse_answer  # noqa: E402
from graders.tolerance import Tolerance, within  # noqa: E402

NAMES = {"w1": 0.05, "i1": 0.1, "w2": 0.1, "i2": 0.2, "b1": 0.3}
NASTY = ["9" * 100_000, "(" * 5000, "1e999999", "exp(exp(exp(exp(99))))", "2**2**2**2**2", "__import__('os')"]


def per_call(fn: Callable[[], object], repeat: int) -> float:
    """Median over 5 rounds of the seconds one call takes."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        rounds.append((time.perf_counter() - start) / repeat)
    return statistics.median(rounds)


def refused(text: str) -> Callable[[], object]:
    """A call that parses `text` and insists it is refused."""
    def run() -> None:
        try:
            parse_answer(text, NAMES)
        except AnswerError:
            return
        raise SystemExit(f"not refused: {text[:40]!r}")
    return run


def main(repeat: int) -> int:
    baseline = per_call(lambda: float("0.6506"), repeat)
    tolerance = Tolerance()
    rows = [
        ("plain number '0.6506'", per_call(lambda: parse_answer("0.6506"), repeat)),
        ("expression 1/(1+exp(-(w1*i1+w2*i2+b1)))",
         per_call(lambda: parse_answer("1/(1+exp(-(w1*i1+w2*i2+b1)))", NAMES), repeat // 10 or 1)),
        ("tolerance check (4 significant figures)", per_call(lambda: within(0.6505, 0.65050, tolerance), repeat)),
    ]
    rows += [(f"refused {text[:24]!r}{'…' if len(text) > 24 else ''}", per_call(refused(text), repeat // 20 or 1))
             for text in NASTY]
    print(f"baseline float('0.6506'): {baseline * 1e6:.3f} µs")
    print(f"{'row':<48} {'µs/call':>10} {'× baseline':>11}")
    for name, seconds in rows:
        print(f"{name:<48} {seconds * 1e6:>10.2f} {seconds / baseline:>10.0f}×")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    raise SystemExit(main(parser.parse_args().repeat))
