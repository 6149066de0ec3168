"""Helpers for tests that start the project in a subprocess with a chosen environment."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Variables that select services or secrets: removed so each subprocess starts from the
# embedded defaults unless the test sets them.
SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "BROKER_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "DESCENT_VAR_DIR",
)


def clean_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(overrides)
    return env


def run_python(code: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_manage(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def course_copy(fixture: Path, tmp_path: Path) -> Path:
    """A copy of a fixture course under tmp_path, for a test to edit."""
    target = tmp_path / fixture.name
    shutil.copytree(fixture, target)
    return target
