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
            "20",
            "--submissions-per-student",
            "5",
            "--runs",
            "2",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for page in ("dashboard", "student timeline", "gradebook.csv"):
        line = next(line for line in result.stdout.splitlines() if line.startswith(page))
        assert " 200 " in line
        assert line.rstrip().endswith(("met", "MISSED"))
    assert "targets:" in result.stdout
