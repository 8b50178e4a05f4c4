"""Benchmark: time to grade a full submission, against numpy's own forward+backward pass."""

from __future__ import annotations

import statistics
import time
from typing import Callable

import numpy as np

from graders.grading import _variant, grade
from graders.solve import _solve_cached, solve
from graders.variants import generate


def _numpy_backprop(spec: dict) -> Callable[[], float]:
    """A bare numpy forward + backward + update of the same network (sigmoid/tanh, ½SSE)."""
    ws = [np.array(w) for w in spec["weights"]]
    bs = [np.array(b, dtype=float) for b in spec["biases"]]
    x0, target = np.array(spec["inputs"]), np.array(spec["targets"])
    acts = spec["activations"]

    def run() -> float:
        outs = [x0]
        for w, b, act in zip(ws, bs, acts):
            net = w @ outs[-1] + (b if b.size else 0.0)
            outs.append(np.tanh(net) if act == "tanh" else 1.0 / (1.0 + np.exp(-net)))
        delta = -(target - outs[-1])
        grads = []
        for layer in range(len(ws) - 1, -1, -1):
            out = outs[layer + 1]
            deriv = 1 - out**2 if acts[layer] == "tanh" else out * (1 - out)
            delta = delta * deriv
            grads.append(np.outer(delta, outs[layer]))
            delta = ws[layer].T @ delta
        new = [w - spec["learning_rate"] * g for w, g in zip(ws, reversed(grads))]
        return float(new[0][0, 0])

    return run


def _answers(spec: dict) -> dict[str, str]:
    """Every part answered, a few wrong so follow-through and diagnosis run."""
    values = solve(spec).quantities()
    answers = {k: f"{v:.6g}" for k, v in values.items()}
    first_out = next(k for k in values if k.startswith("out_h"))
    answers[first_out] = f"{values[first_out] * 1.1:.6g}"  # wrong: later parts follow through
    answers["dE_dout_o1"] = f"{-values['dE_dout_o1']:.6g}"  # sign flipped
    answers["w1_new"] = f"{values['w1_new'] + 2 * (values['w1_new'] - solve(spec).givens['w1']):.6g}"
    return answers


def _timed(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds per call over `repeat` calls, timed in batches of 10."""
    samples = []
    for _ in range(max(1, repeat // 10)):
        start = time.perf_counter()
        for _ in range(10):
            fn()
        samples.append((time.perf_counter() - start) / 10)
    return statistics.median(samples)


def _cold(template: str, count: int) -> float:
    """Median seconds to grade a variant's first submission (variant caches empty)."""
    spec = generate(template, "bench")
    answers = _answers(spec)
    samples = []
    for _ in range(count):
        _variant.cache_clear()
        _solve_cached.cache_clear()
        start = time.perf_counter()
        grade(spec, answers)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_template(template: str, repeat: int) -> dict[str, float]:
    """Cold, warm and baseline timings (seconds) for one template."""
    spec = generate(template, "bench")
    answers = _answers(spec)
    report = grade(spec, answers)
    baseline = _timed(_numpy_backprop(spec), repeat)
    warm = _timed(lambda: grade(spec, answers), repeat)
    cold = _cold(template, max(20, repeat // 50))
    return {"parts": len(report.parts), "baseline": baseline, "warm": warm, "cold": cold}


def main(repeat: int = 2000) -> int:
    """Print the figures for the article network and a 4-8-8-3 network."""
    print("grading one full submission (median; one core)")
    print(f"{'network':<14}{'parts':>6}{'numpy fwd+bwd':>16}{'warm':>12}{'cold':>12}"
          f"{'warm/numpy':>12}{'cold/numpy':>12}")
    for template in ("article", "deep-4-8-8-3"):
        r = bench_template(template, repeat)
        print(f"{template:<14}{r['parts']:>6}{r['baseline'] * 1e6:>13.1f} µs"
              f"{r['warm'] * 1e6:>9.1f} µs{r['cold'] * 1e6:>9.1f} µs"
              f"{r['warm'] / r['baseline']:>11.1f}×{r['cold'] / r['baseline']:>11.1f}×")
    return 0
