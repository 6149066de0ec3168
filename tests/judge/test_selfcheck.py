"""The one self-check: an exercise's reference scores 1.0 and its starter below it, in
the real sandbox, with a seed fixed by the files."""

import shutil

import pytest

from judge.exercise import load_exercise
from judge.selfcheck import SandboxSelfCheck, content_seed, selfcheck
from sandbox import SandboxUnavailable
from tests.helpers import ROOT

COURSE = ROOT / "tests" / "fixtures" / "course-min"


@pytest.fixture
def course(course_min_dir):
    return course_min_dir


def exercise(course):
    return course / "exercises" / "mean-abs"


def test_a_sound_exercise_passes(course, sandbox):
    check = selfcheck(load_exercise(exercise(course), root=course), sandbox)
    assert check.ok
    assert (check.reference.verdict, check.reference.score) == ("passed", 1.0)
    assert check.starter.score < 1.0
    assert check.reference.seed == content_seed(check.spec)


def test_a_starter_that_passes_is_a_problem_of_the_starter_file(course, sandbox):
    shutil.copy(exercise(course) / "reference.py", exercise(course) / "starter.py")
    check = selfcheck(load_exercise(exercise(course), root=course), sandbox)
    assert [str(p) for p in check.problems] == [
        "exercises/mean-abs/starter.py: the starter code passes every check"
    ]


def test_the_importers_self_check_names_files_the_grader_cannot_load(course, sandbox):
    (exercise(course) / "checks.py").write_text("CHECKS = []\n")
    run = SandboxSelfCheck(lambda: sandbox)
    [problem] = run(exercise(course), course)
    assert problem.file == "exercises/mean-abs/exercise.yaml"
    assert "non-empty CHECKS list" in problem.message


def test_without_a_sandbox_the_self_check_says_so_before_loading_anything(course):
    def unavailable():
        raise SandboxUnavailable("no user namespaces")

    with pytest.raises(SandboxUnavailable, match="no user namespaces"):
        SandboxSelfCheck(unavailable)(exercise(course), course)
