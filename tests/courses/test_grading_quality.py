"""Grading quality, measured on the shipped course through the real sandbox: every
correct-but-different solution in an exercise's tests/correct must pass, every realistic
mistake in tests/wrong and mistakes/ must fail, the reference must score 1.0 and the
starter below it. A known-mistake variant must also be recognised as itself."""

from pathlib import Path

import pytest
from django.conf import settings

from grading.sandbox_pool import worker_sandbox
from judge.engine import grade_source
from judge.exercise import exercise_from_course

EXERCISES = settings.SHIPPED_COURSE_DIR / "exercises"
GRADED = sorted(p.parent.name for p in EXERCISES.glob("*/checks.py"))


def _files(kind: str) -> list[tuple[str, Path]]:
    return [
        (slug, path) for slug in GRADED for path in sorted((EXERCISES / slug).glob(f"{kind}/*.py"))
    ]


def _id(item) -> str:
    slug, path = item
    return f"{slug}/{path.parent.name}/{path.stem}"


@pytest.fixture(scope="module")
def sandbox():
    return worker_sandbox()


def grade(slug: str, source: str, sandbox, seed: int = 11):
    return grade_source(
        source, exercise_from_course(settings.SHIPPED_COURSE_DIR, slug), sandbox, seed=seed
    )


@pytest.mark.parametrize("slug", GRADED)
def test_the_reference_passes_and_the_starter_does_not(slug, sandbox):
    spec = exercise_from_course(settings.SHIPPED_COURSE_DIR, slug)
    reference = grade(slug, spec.reference_source, sandbox)
    assert (reference.verdict, reference.score) == ("passed", 1.0), reference.message
    assert grade(slug, spec.starter, sandbox).score < 1.0


@pytest.mark.parametrize("item", _files("tests/correct"), ids=_id)
def test_a_correct_but_different_solution_passes(item, sandbox):
    slug, path = item
    for seed in (1, 2):
        result = grade(slug, path.read_text(), sandbox, seed=seed)
        failed = [f"{c.name}: {c.message}" for c in result.checks if not c.passed]
        assert result.verdict == "passed", failed or result.message


@pytest.mark.parametrize("item", _files("tests/wrong"), ids=_id)
def test_a_realistic_mistake_fails_with_a_message(item, sandbox):
    slug, path = item
    source = path.read_text()
    result = grade(slug, source, sandbox)
    failed = [c for c in result.checks if not c.passed]
    assert failed
    assert all(c.message for c in failed)
    if source.startswith("# wrong (advisory):"):
        # Only a check of what the jail reports about the code can see this mistake (its
        # arguments changed in place): a note, never points, whatever the report says.
        assert (result.verdict, result.score) == ("passed", 1.0)
        assert all(c.points == 0 for c in failed)
    else:
        assert result.verdict in ("failed", "error"), result.message


@pytest.mark.parametrize("item", _files("mistakes"), ids=_id)
def test_a_known_mistake_fails_and_gets_its_hint(item, sandbox):
    slug, path = item
    result = grade(slug, path.read_text(), sandbox)
    assert result.verdict in ("failed", "error")
    assert result.mistake == path.stem, [c.message for c in result.checks if not c.passed]
    assert result.hint
