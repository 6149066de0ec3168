"""Exercise folders: what is validated, what reaches the database (and what never does),
and the self-check that grades the reference and the starter in the real sandbox."""

import shutil

import pytest

from courses.importing import CourseInvalid, course_sync
from courses.models import Exercise
from judge.selfcheck import SandboxSelfCheck
from sandbox import SandboxUnavailable
from tests.courses.conftest import edit, line_of


def problems_of(course_dir, selfcheck=None) -> list[str]:
    with pytest.raises(CourseInvalid) as info:
        course_sync(path=course_dir, selfcheck=selfcheck)
    return [str(p) for p in info.value.problems]


def folder(course_dir):
    return course_dir / "exercises" / "double"


def test_it_imports_what_a_page_shows_of_an_exercise(db, quiz_course_dir):
    course_sync(path=quiz_course_dir)
    exercise = Exercise.objects.get(slug="double")
    assert (exercise.title, exercise.entry, exercise.kind) == (
        "Double every entry",
        "double",
        "function",
    )
    assert exercise.lesson.slug == "basics"
    assert exercise.signature == "double(x) -> ndarray"
    assert (exercise.points, exercise.time_limit_s, exercise.memory_limit_mb) == (5, 5, 256)
    assert exercise.hints == ["Multiply by two."]
    assert exercise.known_mistakes == [{"slug": "halves", "title": "halves instead of doubling"}]
    assert "<code>double(x)</code>" in exercise.statement_html
    assert 'raise NotImplementedError("return 2 * x")' in exercise.starter_code
    assert exercise.source_dir == "exercises/double"
    assert exercise.directory == quiz_course_dir.resolve() / "exercises" / "double"


def test_no_field_holds_the_reference_the_checks_or_the_mistakes(db, quiz_course_dir):
    course_sync(path=quiz_course_dir)
    row = Exercise.objects.filter(slug="double").values().get()
    stored = repr(row)
    assert "2.0 * np.asarray" not in stored  # the reference's body
    assert "ReferenceCheck" not in stored
    assert "/ 2.0" not in stored  # the known mistake's body
    assert "You divided by two" not in stored  # its targeted hint


@pytest.mark.parametrize("name", ["reference.py", "starter.py", "checks.py", "statement.md"])
def test_it_rejects_an_exercise_without_a_required_file(db, quiz_course_dir, name):
    (folder(quiz_course_dir) / name).unlink()
    assert problems_of(quiz_course_dir) == [f"exercises/double/{name}: file is missing"]


def test_it_rejects_a_known_mistake_file_that_does_not_exist(db, quiz_course_dir):
    (folder(quiz_course_dir) / "mistakes" / "halves.py").unlink()
    line = line_of(folder(quiz_course_dir) / "exercise.yaml", "file: mistakes/halves.py")
    assert problems_of(quiz_course_dir) == [
        f"exercises/double/exercise.yaml:{line}: mistake file mistakes/halves.py does not exist"
    ]


def test_it_rejects_a_mistake_file_outside_the_exercise(db, quiz_course_dir):
    edit(folder(quiz_course_dir) / "exercise.yaml", "mistakes/halves.py", "../../course.yaml")
    [problem] = problems_of(quiz_course_dir)
    assert "outside the exercise folder" in problem


def test_it_rejects_a_syntax_error_with_its_file_and_line(db, quiz_course_dir):
    path = folder(quiz_course_dir) / "checks.py"
    edit(path, "CHECKS = [", "CHECKS = [[")
    [problem] = problems_of(quiz_course_dir)
    assert problem.startswith("exercises/double/checks.py:")
    assert "syntax error" in problem


def test_it_rejects_a_slug_that_does_not_match_its_folder(db, quiz_course_dir):
    edit(folder(quiz_course_dir) / "exercise.yaml", "slug: double", "slug: doubler")
    problems = problems_of(quiz_course_dir)
    assert (
        "exercises/double/exercise.yaml:1: slug 'doubler' must match the folder name 'double'"
        in problems
    )


def test_a_removed_exercise_is_kept_inactive(db, quiz_course_dir):
    course_sync(path=quiz_course_dir)
    pk = Exercise.objects.get(slug="double").pk
    shutil.rmtree(folder(quiz_course_dir))
    edit(quiz_course_dir / "lessons" / "01-basics.md", "exercises: [double]", "exercises: []")
    edit(quiz_course_dir / "lessons" / "01-basics.md", "[the exercise](exercise:double)", "it")
    report = course_sync(path=quiz_course_dir)
    assert Exercise.objects.get(pk=pk).is_active is False
    assert report.counts["exercises"] == {"deactivated": 1}


# The self-check, through the real sandbox (tests run as root here) -----------------------


def test_the_selfcheck_passes_a_sound_exercise_and_records_its_hash(db, quiz_course_dir, selfcheck):
    report = course_sync(path=quiz_course_dir, selfcheck=selfcheck)
    assert report.selfchecked == ["double"]
    assert len(Exercise.objects.get(slug="double").content_hash) == 64


def test_it_refuses_an_exercise_whose_reference_fails_a_property(db, quiz_course_dir, selfcheck):
    # The reference always agrees with itself; a wrong one is caught by the property checks.
    edit(folder(quiz_course_dir) / "reference.py", "return 2.0 *", "return 2.01 *")
    [problem] = problems_of(quiz_course_dir, selfcheck)
    assert problem.startswith("exercises/double/reference.py: the reference scores 0.")
    assert "is twice the input" in problem
    assert not Exercise.objects.exists()


def test_it_refuses_a_reference_that_modifies_its_input(db, quiz_course_dir, selfcheck):
    edit(
        folder(quiz_course_dir) / "reference.py",
        "    return 2.0 * np.asarray(x, dtype=np.float64)",
        "    x *= 2.0\n    return x",
    )
    [problem] = problems_of(quiz_course_dir, selfcheck)
    assert "does not modify x" in problem


def test_it_refuses_a_reference_that_raises(db, quiz_course_dir, selfcheck):
    edit(
        folder(quiz_course_dir) / "reference.py",
        "    return 2.0 * np.asarray(x, dtype=np.float64)",
        "    raise RuntimeError('unfinished')",
    )
    [problem] = problems_of(quiz_course_dir, selfcheck)
    assert problem.startswith("exercises/double/reference.py: the reference scores 0.00")


def test_it_refuses_an_exercise_whose_starter_already_passes(db, quiz_course_dir, selfcheck):
    (folder(quiz_course_dir) / "starter.py").write_text(
        (folder(quiz_course_dir) / "reference.py").read_text()
    )
    assert problems_of(quiz_course_dir, selfcheck) == [
        "exercises/double/starter.py: the starter code passes every check"
    ]


def test_it_selfchecks_only_exercises_whose_files_changed(db, quiz_course_dir, selfcheck):
    course_sync(path=quiz_course_dir, selfcheck=selfcheck)
    assert course_sync(path=quiz_course_dir, selfcheck=selfcheck).selfchecked == []
    edit(folder(quiz_course_dir) / "statement.md", "times two", "multiplied by two")
    assert course_sync(path=quiz_course_dir, selfcheck=selfcheck).selfchecked == ["double"]


def test_the_grading_quality_corpus_is_not_part_of_what_the_selfcheck_vouches_for(
    db, quiz_course_dir, selfcheck
):
    course_sync(path=quiz_course_dir, selfcheck=selfcheck)
    corpus = folder(quiz_course_dir) / "tests" / "correct"
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "another.py").write_text("def double(x):\n    return x + x\n")
    assert course_sync(path=quiz_course_dir, selfcheck=selfcheck).selfchecked == []


def test_a_broken_reference_is_caught_after_an_earlier_good_import(db, quiz_course_dir, selfcheck):
    course_sync(path=quiz_course_dir, selfcheck=selfcheck)
    edit(folder(quiz_course_dir) / "reference.py", "return 2.0 *", "return 3.0 *")
    problems = problems_of(quiz_course_dir, selfcheck)
    assert [p.split(":")[0] for p in problems] == ["exercises/double/reference.py"]


def test_skipping_the_selfcheck_leaves_changed_files_to_be_checked_later(
    db, quiz_course_dir, selfcheck
):
    course_sync(path=quiz_course_dir)
    assert Exercise.objects.get(slug="double").content_hash == ""
    edit(folder(quiz_course_dir) / "reference.py", "return 2.0 *", "return 3.0 *")
    course_sync(path=quiz_course_dir)
    problems = problems_of(quiz_course_dir, selfcheck)
    assert problems[0].startswith("exercises/double/reference.py: the reference scores")


def test_without_a_sandbox_it_imports_unchecked_and_warns(db, quiz_course_dir, selfcheck):
    def unavailable():
        raise SandboxUnavailable("no user namespaces")

    report = course_sync(path=quiz_course_dir, selfcheck=SandboxSelfCheck(unavailable))
    assert report.selfchecked == []
    assert report.warnings == [
        "the sandbox is unavailable (no user namespaces): 1 changed exercise(s) imported "
        "without their self-check"
    ]
    assert Exercise.objects.get(slug="double").content_hash == ""
    assert course_sync(path=quiz_course_dir, selfcheck=selfcheck).selfchecked == ["double"]
