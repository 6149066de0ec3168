"""A smoke run of bench/load.py's open loop at a low rate, so the deadline-rush bench
cannot rot: the stack starts, Poisson arrivals are graded, and the report has its figures."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.helpers import ROOT
from tests.stack import answers

pytestmark = pytest.mark.slow


@pytest.mark.timeout(240)
def test_the_open_loop_grades_every_arrival_and_reports_the_figures():
    if not answers(5432) or not shutil.which("redis-server"):
        pytest.skip("the open loop needs PostgreSQL and redis-server")
    result = subprocess.run(
        [sys.executable, "bench/load.py", "--open-loop", "--rate", "2", "--ramp-s", "2",
         "--hold-s", "6", "--students", "20", "--drain-s", "60"],
        cwd=ROOT, env={**os.environ, "DEBUG": "0"}, capture_output=True, text=True, timeout=220,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "mix: right 55%, wrong 40%, hostile 5%" in out
    step = re.search(
        r"^\s+2\.0\s+(\d+)\s+(\d+)\s+([\d.]+) \|\s+(\d+)\s+(\d+)\s+(\d+) \|\s+(\d+)\s+(\d+)\s+(\d+)"
        r" \|\s+\d+\s+-?[\d.]+\s+(\d+)\s+(\d+)",
        out, re.MULTILINE,
    )  # fmt: skip
    assert step, out
    arrived, skipped, _, c50, c95, c99, d50, d95, d99, lost, twice = (
        float(g) for g in step.groups()
    )
    assert arrived > 0
    assert skipped == 0
    assert 0 < c50 <= c95 <= c99
    assert 0 < d50 <= d95 <= d99
    assert (lost, twice) == (0, 0)
    assert "grading queue / db queued+running / refining" in out
    assert re.search(r"sustained [\d.]+ verdicts/s during the hold = [\d.]+ per core", out)
    assert "lost 0, graded twice 0, skipped arrivals 0" in out
