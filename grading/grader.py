"""Grading one submission row: the one path shared by a first grading and a regrade.

``exercise_spec`` finds the exercise's files for a row (ExerciseInvalid when they cannot
be graded); ``grade`` runs the judge on the row's source in this process's sandbox and
returns the result with what the student may see of it (``student_result``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError

from courses.models import Exercise
from judge.engine import GradeResult, grade_source
from judge.exercise import ExerciseInvalid, ExerciseSpec, exercise_from_course
from sandbox import SandboxUnavailable

# Faults of the machinery, not of the student's code or of the exercise: worth a retry.
INFRASTRUCTURE = (SandboxUnavailable, DatabaseError, SoftTimeLimitExceeded)


@dataclass
class Graded:
    result: GradeResult
    data: dict  # what the student may see: Submission.result


def exercise_spec(exercise: Exercise) -> ExerciseSpec:
    if not exercise.course.source_path:
        raise ExerciseInvalid("this course was not imported from files: there are no checks")
    return exercise_from_course(exercise.course.source_path, exercise.slug)


def student_result(result: GradeResult, mistake_hints: dict[str, str]) -> dict:
    """What the student may see of a grading: the checks with each known mistake's hint
    resolved to text. The reference, the checks' code and the variants never appear."""
    data = result.to_dict()
    for check in data["checks"]:
        check["mistake_hint"] = mistake_hints.get(check["mistake"]) if check["mistake"] else None
    return bounded_result(data)


# What one result may take in the database and in every poll of the API. The judge keeps
# each part small (messages, figures, output caps); this is the cap on the sum.
MAX_RESULT_BYTES = 256 * 1024
_OUTPUT_KEPT = 8000


def _size(data: dict) -> int:
    return len(json.dumps(data, default=str))


def bounded_result(data: dict) -> dict:
    """The result, with the largest parts shortened (output first, then figures, then
    error tracebacks) until it fits MAX_RESULT_BYTES."""
    if _size(data) <= MAX_RESULT_BYTES:
        return data
    for stream in ("stdout", "stderr"):
        text = data.get(stream) or ""
        if len(text) > _OUTPUT_KEPT:
            data[stream] = text[:_OUTPUT_KEPT] + "\n[... cut: the result was too large to keep]"
    checks = data.get("checks", [])
    for check in checks:
        if _size(data) <= MAX_RESULT_BYTES:
            return data
        if check.get("figure"):
            check["figure"] = None
            check["message"] = "the figure was too large to keep"
    for check in checks:
        error = check.get("error")
        if isinstance(error, dict) and _size(data) > MAX_RESULT_BYTES:
            error["traceback"] = ""
            error["message"] = str(error.get("message", ""))[:500]
    return data


def grade(*, exercise: Exercise, source: str, sandbox, defer_shrink: bool = False) -> Graded:
    """Grade ``source`` against the exercise; raises ExerciseInvalid (an authoring fault)
    and the sandbox's infrastructure faults, never for the student's code."""
    spec = exercise_spec(exercise)
    result = grade_source(source, spec, sandbox, defer_shrink=defer_shrink)
    return Graded(result, student_result(result, spec.mistake_hints()))
