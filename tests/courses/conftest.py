import shutil

import pytest

from courses.importer import course_sync
from tests.helpers import ROOT

QUIZ_FIXTURE = ROOT / "tests" / "fixtures" / "course-quiz"


@pytest.fixture
def quiz_course_dir(tmp_path):
    """A copy of the one-lesson course with a quiz of every kind and one exercise."""
    target = tmp_path / "quizzed"
    shutil.copytree(QUIZ_FIXTURE, target)
    return target


@pytest.fixture
def quiz_course(db, quiz_course_dir):
    return course_sync(path=quiz_course_dir, selfcheck=False).course


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def line_of(path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in {path.name}")
