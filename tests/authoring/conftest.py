"""A course in a bare git repository on this machine, the way an instructor's remote
looks to Descent, and helpers to push changes to it as the instructor would."""

import shutil
import subprocess
from pathlib import Path

import pytest

from authoring import services
from authoring.models import SyncRun
from courses.services import instructor_grant
from sandbox import isolated_sandbox
from tests.conftest import person
from tests.helpers import ROOT

COURSE_MIN = ROOT / "tests" / "fixtures" / "course-min"
QUIZ = """\
slug: first
title: "Checkpoint: the first lesson"
pass_threshold: 1.0
questions:
  - id: loss-is
    kind: single
    prompt: "What is a loss?"
    choices:
      - text: "One number that says how wrong the model is."
        correct: true
        explanation: "Training makes it smaller."
      - text: "A list of the model's weights."
        explanation: "The weights are what training changes, not what it measures."
"""

# A right mean_abs, and a check the reference passes that a publish can add.
RIGHT = "import numpy as np\n\ndef mean_abs(x):\n    return float(np.mean(np.abs(x)))\n"
STRICTER_CHECKS = """
import numpy as np

def pair(d):
    return (np.array([[-1.0, 2.0], [3.0, -4.0]]),)


def is_two_and_half(call, out):
    return None if abs(out - 2.5) < 1e-12 else f"got {out} for [[-1, 2], [3, -4]]"


CHECKS.append(PropertyCheck("a worked example", pair, is_two_and_half, cases=1, points=1))
"""


def git(*args, cwd: Path) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "GIT_CONFIG_NOSYSTEM": "1",
             "GIT_AUTHOR_NAME": "Teacher", "GIT_AUTHOR_EMAIL": "t@example.org",
             "GIT_COMMITTER_NAME": "Teacher", "GIT_COMMITTER_EMAIL": "t@example.org"},
    )  # fmt: skip
    return done.stdout.strip()


class CourseRepo:
    """A bare repository (the remote) and a clone to commit to it from."""

    def __init__(self, root: Path):
        self.bare = root / "repos" / "course.git"
        self.work = root / "work"
        shutil.copytree(COURSE_MIN, self.work)
        (self.work / "quizzes").mkdir()
        (self.work / "quizzes" / "first.yaml").write_text(QUIZ)
        lesson = self.work / "lessons" / "01-first.md"
        lesson.write_text(lesson.read_text().replace("think:", "quiz: first\nthink:", 1))
        git("init", "--quiet", "-b", "main", cwd=self.work)
        self.commit("The tiny course")
        self.bare.parent.mkdir(parents=True)
        git("clone", "--quiet", "--bare", str(self.work), str(self.bare), cwd=root)
        git("remote", "add", "origin", str(self.bare), cwd=self.work)

    def commit(self, message: str) -> str:
        git("add", "-A", cwd=self.work)
        git("commit", "--quiet", "-m", message, cwd=self.work)
        return git("rev-parse", "HEAD", cwd=self.work)

    def write(self, path: str, content: str) -> None:
        target = self.work / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)

    def commit_and_push(self, message: str) -> str:
        sha = self.commit(message)
        git("push", "--quiet", "origin", "main", cwd=self.work)
        return sha

    def head(self) -> str:
        return git("rev-parse", "main", cwd=self.bare)

    def log(self) -> list[str]:
        return git("log", "--format=%an|%s", "main", cwd=self.bare).splitlines()


@pytest.fixture
def authoring_dirs(tmp_path, settings):
    settings.AUTHORING_DIR = tmp_path / "authoring"
    settings.AUTHORING_LOCAL_ROOTS = [tmp_path / "repos"]
    return tmp_path


@pytest.fixture
def course_repo(authoring_dirs):
    return CourseRepo(authoring_dirs)


@pytest.fixture
def author(db):
    user = person("mary", email="mary@example.org", first_name="Mary")
    instructor_grant(user=user)
    return user


def run_sync(run: SyncRun) -> SyncRun:
    """Do what the worker does with a queued sync, here, in this process's sandbox."""
    services.sync_execute(run_id=run.pk, get_sandbox=isolated_sandbox)
    run.refresh_from_db()
    return run
