"""An exercise folder read once for everyone: validated without running anything (what
the importer needs), then imported (what the grader needs), with one set of defaults and
one fingerprint for both."""

import pytest

from judge.exercise import ExerciseInvalid, exercise_from_course, load_exercise, read_exercise
from judge.fingerprint import fingerprint
from tests.helpers import ROOT

COURSE = ROOT / "tests" / "fixtures" / "course-min"


@pytest.fixture
def course(course_min_dir):
    return course_min_dir


def folder(course):
    return course / "exercises" / "mean-abs"


def test_reading_gives_what_a_page_shows_and_the_defaults(course):
    files, problems = read_exercise(folder(course), root=course)
    assert problems == []
    assert files.folder == "exercises/mean-abs"
    assert files.meta.slug == "mean-abs"
    assert (files.meta.time_s, files.meta.memory_mb) == (5.0, 256)
    assert files.starter.startswith("def mean_abs(x):")
    assert [m.slug for m in files.meta.mistakes] == ["no-abs", "sum-not-mean"]


def test_reading_runs_none_of_the_exercises_code(course):
    (folder(course) / "checks.py").write_text(
        (folder(course) / "checks.py").read_text() + "\nraise SystemExit('ran')\n"
    )
    files, problems = read_exercise(folder(course), root=course)
    assert problems == []
    with pytest.raises(ExerciseInvalid, match="checks.py failed to import"):
        load_exercise(folder(course), root=course)
    assert files is not None


def test_every_problem_is_named_with_its_file_and_line(course):
    path = folder(course) / "exercise.yaml"
    path.write_text(path.read_text().replace("points: 10", "points: 0"))
    (folder(course) / "starter.py").unlink()
    files, problems = read_exercise(folder(course), root=course)
    assert files is None
    assert [str(p) for p in problems] == [
        "exercises/mean-abs/starter.py: file is missing",
        f"exercises/mean-abs/exercise.yaml:{_line(path, 'points: 0')}: points must be a number above 0",
    ]
    with pytest.raises(ExerciseInvalid, match="points must be a number above 0"):
        load_exercise(folder(course), root=course)


def _line(path, needle):
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_loading_imports_the_reference_checks_and_mistakes(course):
    spec = load_exercise(folder(course), root=course)
    assert callable(spec.reference.mean_abs)
    assert spec.checks
    assert [m.slug for m in spec.mistakes] == ["no-abs", "sum-not-mean"]
    assert spec.mistake_hints()["no-abs"]
    assert spec.interface.names == ["x"]


def test_the_fingerprint_leaves_out_the_grading_quality_corpus_and_bytecode(course):
    spec = load_exercise(folder(course), root=course)
    (folder(course) / "tests" / "correct").mkdir(parents=True)
    (folder(course) / "tests" / "correct" / "other.py").write_text("x = 1\n")
    (folder(course) / "__pycache__").mkdir(exist_ok=True)
    (folder(course) / "__pycache__" / "checks.cpython-311.pyc").write_bytes(b"\0")
    assert fingerprint(folder(course), skip=("tests",)) == spec.fingerprint
    (folder(course) / "statement.md").write_text("Changed.\n")
    assert fingerprint(folder(course), skip=("tests",)) != spec.fingerprint


def test_a_cached_exercise_is_loaded_again_once_its_files_change(course):
    first = exercise_from_course(course, "mean-abs")
    assert exercise_from_course(course, "mean-abs") is first
    (folder(course) / "statement.md").write_text("A new statement.\n")
    second = exercise_from_course(course, "mean-abs")
    assert second is not first
    assert second.statement == "A new statement.\n"


def test_an_exercise_that_is_not_there_is_invalid(course):
    with pytest.raises(ExerciseInvalid, match="no exercise 'nope'"):
        exercise_from_course(course, "nope")
