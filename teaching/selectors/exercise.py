"""One exercise across a cohort: pass rates, attempts and time until pass, the checks that
fail most, and the share of the cohort that made each known mistake. Only the cohort's
students count; its instructors' own tries are left out."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Min, Q
from django.shortcuts import get_object_or_404

from courses.models import Cohort, Exercise
from grading.models import Submission

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
    in the files are listed under their slug."""
    size = cohort_size(cohort=cohort)
    # A submission that a broken exercise blocked was never the student's attempt.
    submissions = Submission.objects.filter(
        exercise=exercise, student_id__in=student_ids(cohort)
    ).exclude(state=Submission.State.BLOCKED)
    passing = _passing(submissions)
    tally = _CheckTally()
    rows = submissions.filter(state=Submission.State.DONE).values_list(
        "student_id", "result__checks"
    )
    for student_id, checks in rows.iterator(chunk_size=500):
        tally.add(student_id, checks)
    return ExerciseStats(
        cohort_size=size,
        tried=passing.tried,
        passed=len(passing.attempts),
        attempts_to_pass=passing.bins,
        median_time_to_pass=statistics.median(passing.durations) if passing.durations else None,
        median_attempts_to_pass=(statistics.median(passing.attempts) if passing.attempts else None),
        submissions=tally.graded,
        check_failures=tally.check_failures(),
        mistakes=tally.mistakes(mistake_titles, size),
        diagnoses=tally.diagnoses(size),
    )


@dataclass
class _Passing:
    tried: int
    bins: list[int]  # students who passed on attempt 1, 2, ..., ATTEMPT_BINS or more
    attempts: list[int]  # each passing student's attempt number when they passed
    durations: list[timedelta]  # each passing student's time from first try to pass


def _passing(submissions) -> _Passing:
    """One row per student who tried: first try, and first passing attempt."""
    passed = Q(verdict=Submission.Verdict.PASSED)
    per_student = list(
        submissions.values("student_id").annotate(
            first_at=Min("created_at"),
            pass_attempt=Min("attempt", filter=passed),
            passed_at=Min("created_at", filter=passed),
            count=Count("id"),
        )
    )
    result = _Passing(tried=len(per_student), bins=[0] * ATTEMPT_BINS, attempts=[], durations=[])
    for row in per_student:
        if row["pass_attempt"] is None:
            continue
        result.bins[min(row["pass_attempt"], ATTEMPT_BINS) - 1] += 1
        result.attempts.append(row["pass_attempt"])
        result.durations.append(max(timedelta(0), row["passed_at"] - row["first_at"]))
    return result


# The page lists the most common automatic diagnoses; the labels come from the judge's own
# words (judge.diagnose), cut to LABEL_CHARS in case a stored result says otherwise.
DIAGNOSES_SHOWN = 12
LABEL_CHARS = 80


def _diagnosis_label(diagnosis) -> str | None:
    if not isinstance(diagnosis, dict) or diagnosis.get("kind") == "known_mistake":
        return None
    label = diagnosis.get("label")
    return label[:LABEL_CHARS] if isinstance(label, str) and label else None


class _CheckTally:
    """One pass over the graded submissions' per-check rows (stored JSON: checked for
    shape as it is read)."""

    def __init__(self):
        self.graded = 0
        self.run: Counter = Counter()
        self.failed: Counter = Counter()
        self.failed_students: dict[str, set] = defaultdict(set)
        self.mistake_students: dict[str, set] = defaultdict(set)
        self.mistake_submissions: Counter = Counter()
        self.diagnosis_students: dict[str, set] = defaultdict(set)
        self.diagnosis_submissions: Counter = Counter()

    def add(self, student_id: int, checks) -> None:
        self.graded += 1
        seen_mistakes = set()
        seen_diagnoses = set()
        for check in checks if isinstance(checks, list) else []:
            if not isinstance(check, dict) or not check.get("name"):
                continue
            name = check["name"]
            self.run[name] += 1
            if not check.get("passed"):
                self.failed[name] += 1
                self.failed_students[name].add(student_id)
            if check.get("mistake"):
                seen_mistakes.add(check["mistake"])
            label = _diagnosis_label(check.get("diagnosis"))
            if label and not check.get("passed"):
                seen_diagnoses.add(label)
        for slug in seen_mistakes:
            self.mistake_students[slug].add(student_id)
            self.mistake_submissions[slug] += 1
        for label in seen_diagnoses:
            self.diagnosis_students[label].add(student_id)
            self.diagnosis_submissions[label] += 1

    def diagnoses(self, size: int) -> list[MistakeHit]:
        hits = [
            MistakeHit(
                label,
                label,
                len(self.diagnosis_students[label]),
                self.diagnosis_submissions[label],
                size,
            )
            for label in self.diagnosis_students
        ]
        return sorted(hits, key=lambda m: (-m.students, m.title))[:DIAGNOSES_SHOWN]

    def check_failures(self) -> list[CheckFailure]:
        failures = (
            CheckFailure(name, self.failed[name], self.run[name], len(self.failed_students[name]))
            for name in self.run
            if self.failed[name]
        )
        return sorted(failures, key=lambda c: (-c.failed, c.name))

    def mistakes(self, titles: dict, size: int) -> list[MistakeHit]:
        known = dict(titles)
        slugs = [*known, *sorted(set(self.mistake_students) - set(known))]
        hits = [
            MistakeHit(
                slug,
                known.get(slug, slug),
                len(self.mistake_students[slug]),
                self.mistake_submissions[slug],
                size,
            )
            for slug in slugs
        ]
        return sorted(hits, key=lambda m: (-m.students, m.title))


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
