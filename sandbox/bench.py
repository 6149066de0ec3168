"""Measuring what the sandbox itself costs, for `bench/grading.py` and `python -m sandbox bench`."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from sandbox.client import Sandbox
from sandbox.limits import ZYGOTE_ENV, Limits


@dataclass(frozen=True)
class Timing:
    runs: int
    median_ms: float
    p95_ms: float
    min_ms: float
    max_ms: float

    @classmethod
    def of(cls, samples_ms: list[float]) -> Timing:
        ordered = sorted(samples_ms)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        return cls(
            runs=len(ordered),
            median_ms=round(statistics.median(ordered), 3),
            p95_ms=round(p95, 3),
            min_ms=round(ordered[0], 3),
            max_ms=round(ordered[-1], 3),
        )


def empty_run_overhead(
    runs: int = 200,
    *,
    sandbox: Sandbox | None = None,
    limits: Limits | None = None,
    pause_s: float = 0.0,
) -> Timing:
    """Wall time of a whole empty run as the worker sees it: spawn, load "pass", exit, and
    the final status. The zygote's start-up is excluded (it happens once per worker).

    `pause_s` idles between runs, as a grader does while it prepares inputs and judges."""
    own = sandbox is None
    sb = sandbox or Sandbox()
    try:
        sb.info()
        samples = []
        for _ in range(runs + 3):
            if pause_s:
                time.sleep(pause_s)
            start = time.perf_counter()
            with sb.session(limits) as s:
                s.load("pass")
            if s.outcome is None or s.outcome.status != "ok":
                raise RuntimeError(f"empty run did not end ok: {s.outcome}")
            samples.append((time.perf_counter() - start) * 1000)
        # The first runs also pay for building the first spare jail.
        return Timing.of(samples[3:])
    finally:
        if own:
            sb.close()


def bare_numpy_import(runs: int = 20) -> Timing:
    """`python -c "import numpy"` with the zygote's environment, for comparison."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import numpy"], env=dict(ZYGOTE_ENV), check=True)
        samples.append((time.perf_counter() - start) * 1000)
    return Timing.of(samples)
