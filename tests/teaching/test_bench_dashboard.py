"""A smoke run of bench/dashboard.py at a small size, so the bench cannot rot."""

import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow


def test_the_dashboard_bench_runs_and_prints_every_page():
    env = {**os.environ, "DEBUG": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "bench/dashboard.py",
            "--students",
            "20,30",
            "--submissions-per-student",
            "5",
            "--runs",
            "2",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for page in ("dashboard", "student timeline", "gradebook.csv", "per-exercise", "per-quiz"):
        line = next(line for line in result.stdout.splitlines() if line.startswith(page))
        assert line.rstrip().endswith(("met", "MISSED"))
        # Both sizes side by side, with the same number of queries.
        twenty, thirty = (cell.split() for cell in line.split(" | ")[1:3])
        assert twenty[0] == thirty[0], line
    assert "targets:" in result.stdout
