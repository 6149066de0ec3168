"""One exercise across a cohort: pass rates, attempts and time until pass, the checks that
fail most, and the share of the cohort that made each known mistake. Only the cohort's
students count; its instructors' own tries are left out."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404

from courses.models import Cohort, Exercise
from grading import standings as standings_kinds
from grading.models import ExerciseStanding, ExerciseTally, Submission

from .items import cohort_size, share, student_ids

# Attempts-until-pass are binned 1, 2, ..., 9 and 10 or more.
ATTEMPT_BINS = 10
RECENT_SUBMISSIONS = 20


@dataclass
class CheckFailure:
    name: str
    failed: int  # submissions where it failed
    run: int  # submissions where it ran
    students: int  # students who failed it at least once

    @property
    def share(self) -> float | None:
        return share(self.failed, self.run)


@dataclass
class MistakeHit:
    slug: str
    title: str
    students: int
    submissions: int
    cohort_size: int

    @property
    def share(self) -> float | None:
        return share(self.students, self.cohort_size)


@dataclass
class ExerciseStats:
    cohort_size: int
    tried: int
    passed: int
    # Index i holds the students who passed on attempt i + 1; the last bin is 10 or more.
    attempts_to_pass: list[int]
    median_time_to_pass: timedelta | None
    median_attempts_to_pass: float | None
    submissions: int
    check_failures: list[CheckFailure] = field(default_factory=list)
    mistakes: list[MistakeHit] = field(default_factory=list)
    # The automatic diagnoses of wrong answers no known mistake matched, by label
    # ("off by a factor of 2"): students and submissions, like the known mistakes.
    diagnoses: list[MistakeHit] = field(default_factory=list)

    @property
    def pass_rate_of_tried(self) -> float | None:
        return share(self.passed, self.tried)

    @property
    def pass_rate_of_cohort(self) -> float | None:
        return share(self.passed, self.cohort_size)

    @property
    def attempt_labels(self) -> list[str]:
        return [str(n) for n in range(1, ATTEMPT_BINS)] + [f"{ATTEMPT_BINS}+"]


def exercise_get(*, cohort: Cohort, slug: str) -> Exercise:
    return get_object_or_404(
        Exercise.objects.select_related("course"), course=cohort.course, slug=slug
    )


def exercise_stats(*, cohort: Cohort, exercise: Exercise, mistake_titles: dict) -> ExerciseStats:
    """Pass rates, attempts and time until pass, the checks that fail most and the share
    of the cohort that made each known mistake. `mistake_titles` maps a known mistake's
    slug to its title (stored with the exercise); mistakes seen in results but no longer
    in the files are listed under their slug. Read from the standings and tallies
    (grading/standings.py), summed over the cohort's students in SQL: four queries."""
    size = cohort_size(cohort=cohort)
    students = student_ids(cohort)
    # A submission that a broken exercise blocked was never the student's attempt.
    standings = ExerciseStanding.objects.filter(
        exercise=exercise, student_id__in=students, attempts__gt=0
    )
    passing = _passing(standings)
    tallies = (
        ExerciseTally.objects.filter(exercise=exercise, student_id__in=students)
        .values("kind", "label")
        .annotate(
            total_runs=Sum("runs"),
            total_hits=Sum("hits"),
            students=Count("id", filter=Q(hits__gt=0)),
        )
        .order_by()
    )
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in tallies:
        by_kind[row["kind"]].append(row)
    return ExerciseStats(
        cohort_size=size,
        tried=passing.tried,
        passed=len(passing.attempts),
        attempts_to_pass=passing.bins,
        median_time_to_pass=statistics.median(passing.durations) if passing.durations else None,
        median_attempts_to_pass=(statistics.median(passing.attempts) if passing.attempts else None),
        submissions=passing.graded,
        check_failures=_check_failures(by_kind[standings_kinds.CHECK]),
        mistakes=_mistakes(by_kind[standings_kinds.MISTAKE], mistake_titles, size),
        diagnoses=_diagnoses(by_kind[standings_kinds.DIAGNOSIS], size),
    )


@dataclass
class _Passing:
    tried: int
    graded: int
    bins: list[int]  # students who passed on attempt 1, 2, ..., ATTEMPT_BINS or more
    attempts: list[int]  # each passing student's attempt number when they passed
    durations: list[timedelta]  # each passing student's time from first try to pass


def _passing(standings) -> _Passing:
    totals = standings.aggregate(tried=Count("id"), graded=Sum("graded"))
    result = _Passing(
        tried=totals["tried"],
        graded=totals["graded"] or 0,
        bins=[0] * ATTEMPT_BINS,
        attempts=[],
        durations=[],
    )
    rows = standings.filter(pass_attempt__isnull=False).values_list(
        "pass_attempt", "first_at", "passed_at"
    )
    for attempt, first_at, passed_at in rows.iterator(chunk_size=2000):
        result.bins[min(attempt, ATTEMPT_BINS) - 1] += 1
        result.attempts.append(attempt)
        result.durations.append(max(timedelta(0), passed_at - first_at))
    return result


def _check_failures(rows: list[dict]) -> list[CheckFailure]:
    failures = (
        CheckFailure(row["label"], row["total_hits"], row["total_runs"], row["students"])
        for row in rows
        if row["total_hits"]
    )
    return sorted(failures, key=lambda c: (-c.failed, c.name))


def _mistakes(rows: list[dict], titles: dict, size: int) -> list[MistakeHit]:
    seen = {row["label"]: row for row in rows}
    known = dict(titles)
    slugs = [*known, *sorted(set(seen) - set(known))]
    hits = [
        MistakeHit(
            slug,
            known.get(slug, slug),
            seen[slug]["students"] if slug in seen else 0,
            seen[slug]["total_hits"] if slug in seen else 0,
            size,
        )
        for slug in slugs
    ]
    return sorted(hits, key=lambda m: (-m.students, m.title))


# The page lists the most common automatic diagnoses (labels cut by grading/standings.py).
DIAGNOSES_SHOWN = 12


def _diagnoses(rows: list[dict], size: int) -> list[MistakeHit]:
    hits = [
        MistakeHit(row["label"], row["label"], row["students"], row["total_hits"], size)
        for row in rows
    ]
    return sorted(hits, key=lambda m: (-m.students, m.title))[:DIAGNOSES_SHOWN]


def recent_submissions(*, cohort: Cohort, exercise: Exercise, limit: int = RECENT_SUBMISSIONS):
    return list(
        Submission.objects.filter(exercise=exercise, student_id__in=student_ids(cohort))
        .select_related("student")
        .only(
            "uuid",
            "attempt",
            "state",
            "verdict",
            "score",
            "source",
            "created_at",
            "student__username",
            "student__first_name",
            "student__last_name",
        )
        .order_by("-created_at", "-id")[:limit]
    )
