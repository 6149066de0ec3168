"""Reads behind the per-exercise and per-quiz pages of a cohort.

Each function takes the cohort and the item and runs a fixed number of queries whatever
the cohort's size: aggregates grouped by student in the database, or one pass over the
values() of the cohort's rows for that one item (its submissions, its attempts). Only
the cohort's students count; its instructors' own tries are left out.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Min, Q

from courses.models import Cohort, Exercise, Membership, Question, Quiz, QuizAttempt
from grading.models import Submission

# Attempts-until-pass are binned 1, 2, ..., 9 and 10 or more.
ATTEMPT_BINS = 10
RECENT_SUBMISSIONS = 20


def cohort_students(*, cohort: Cohort):
    """The cohort's students' ids, as a subquery."""
    return Membership.objects.filter(cohort=cohort, role=Membership.Role.STUDENT).values("user_id")


def cohort_size(*, cohort: Cohort) -> int:
    return Membership.objects.filter(cohort=cohort, role=Membership.Role.STUDENT).count()


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# Exercises ---------------------------------------------------------------------------


@dataclass
class CheckFailure:
    name: str
    failed: int  # submissions where it failed
    run: int  # submissions where it ran
    students: int  # students who failed it at least once

    @property
    def share(self) -> float | None:
        return _share(self.failed, self.run)


@dataclass
class MistakeHit:
    slug: str
    title: str
    students: int
    submissions: int
    cohort_size: int

    @property
    def share(self) -> float | None:
        return _share(self.students, self.cohort_size)


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

    @property
    def pass_rate_of_tried(self) -> float | None:
        return _share(self.passed, self.tried)

    @property
    def pass_rate_of_cohort(self) -> float | None:
        return _share(self.passed, self.cohort_size)

    @property
    def attempt_labels(self) -> list[str]:
        return [str(n) for n in range(1, ATTEMPT_BINS)] + [f"{ATTEMPT_BINS}+"]


def exercise_get(*, cohort: Cohort, slug: str) -> Exercise:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Exercise.objects.select_related("course"), course=cohort.course, slug=slug
    )


def exercise_stats(*, cohort: Cohort, exercise: Exercise, mistake_titles: dict) -> ExerciseStats:
    """Pass rates, attempts and time until pass, the checks that fail most and the share
    of the cohort that made each known mistake. `mistake_titles` maps a known mistake's
    slug to its title (from the exercise's files); mistakes seen in results but no longer
    in the files are listed under their slug."""
    students = cohort_students(cohort=cohort)
    size = cohort_size(cohort=cohort)
    submissions = Submission.objects.filter(exercise=exercise, student_id__in=students)
    passed = Q(verdict=Submission.Verdict.PASSED)
    # One row per student who tried: first try, and first passing attempt.
    per_student = list(
        submissions.values("student_id").annotate(
            first_at=Min("created_at"),
            pass_attempt=Min("attempt", filter=passed),
            passed_at=Min("created_at", filter=passed),
            count=Count("id"),
        )
    )
    bins = [0] * ATTEMPT_BINS
    durations, attempts = [], []
    for row in per_student:
        if row["pass_attempt"] is None:
            continue
        bins[min(row["pass_attempt"], ATTEMPT_BINS) - 1] += 1
        attempts.append(row["pass_attempt"])
        durations.append(max(timedelta(0), row["passed_at"] - row["first_at"]))

    # One pass over the graded submissions' per-check rows.
    run, failed = Counter(), Counter()
    failed_students: dict[str, set] = defaultdict(set)
    mistake_students: dict[str, set] = defaultdict(set)
    mistake_submissions: Counter = Counter()
    rows = submissions.filter(state=Submission.State.DONE).values_list(
        "student_id", "result__checks"
    )
    graded = 0
    for student_id, checks in rows.iterator(chunk_size=500):
        graded += 1
        seen_mistakes = set()
        for check in checks if isinstance(checks, list) else []:
            if not isinstance(check, dict) or not check.get("name"):
                continue
            name = check["name"]
            run[name] += 1
            if not check.get("passed"):
                failed[name] += 1
                failed_students[name].add(student_id)
            if check.get("mistake"):
                seen_mistakes.add(check["mistake"])
        for slug in seen_mistakes:
            mistake_students[slug].add(student_id)
            mistake_submissions[slug] += 1
    check_failures = sorted(
        (
            CheckFailure(name, failed[name], run[name], len(failed_students[name]))
            for name in run
            if failed[name]
        ),
        key=lambda c: (-c.failed, c.name),
    )
    known = dict(mistake_titles)
    mistakes = [
        MistakeHit(
            slug,
            known.get(slug, slug),
            len(mistake_students[slug]),
            mistake_submissions[slug],
            size,
        )
        for slug in [*known, *sorted(set(mistake_students) - set(known))]
    ]
    mistakes.sort(key=lambda m: (-m.students, m.title))
    return ExerciseStats(
        cohort_size=size,
        tried=len(per_student),
        passed=len(attempts),
        attempts_to_pass=bins,
        median_time_to_pass=statistics.median(durations) if durations else None,
        median_attempts_to_pass=statistics.median(attempts) if attempts else None,
        submissions=graded,
        check_failures=check_failures,
        mistakes=mistakes,
    )


def recent_submissions(*, cohort: Cohort, exercise: Exercise, limit: int = RECENT_SUBMISSIONS):
    return list(
        Submission.objects.filter(exercise=exercise, student_id__in=cohort_students(cohort=cohort))
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


# Quizzes -----------------------------------------------------------------------------


@dataclass
class WrongOption:
    index: int
    text: str
    count: int
    wrong_answers: int  # wrong answers to the question, the share's whole

    @property
    def share(self) -> float | None:
        return _share(self.count, self.wrong_answers)


@dataclass
class QuestionStats:
    question: Question
    number: int
    attempts: int  # attempts that included the question
    right: int
    best_attempts: int  # students whose best attempt included it
    best_right: int
    unanswered: int
    wrong_option: WrongOption | None = None

    @property
    def share_right(self) -> float | None:
        return _share(self.right, self.attempts)

    @property
    def share_right_best(self) -> float | None:
        return _share(self.best_right, self.best_attempts)

    @property
    def wrong(self) -> int:
        return self.attempts - self.right

    @property
    def share_wrong(self) -> float | None:
        return _share(self.wrong, self.attempts)


@dataclass
class QuizStats:
    cohort_size: int
    attempts: int
    students: int  # students with at least one attempt
    passed: int  # students who passed at least once
    questions: list[QuestionStats]

    @property
    def by_difficulty(self) -> list[QuestionStats]:
        """Hardest first: the largest share of wrong answers among attempts."""
        asked = [q for q in self.questions if q.attempts]
        return sorted(asked, key=lambda q: (-(q.share_wrong or 0), q.number))

    @property
    def pass_rate_of_tried(self) -> float | None:
        return _share(self.passed, self.students)

    @property
    def pass_rate_of_cohort(self) -> float | None:
        return _share(self.passed, self.cohort_size)


def quiz_get(*, cohort: Cohort, slug: str) -> Quiz:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Quiz.objects.select_related("course", "lesson"), course=cohort.course, slug=slug
    )


def _choice_indices(answer, count: int) -> list[int]:
    """The choice indices an answer names, as the checkpoint form stores them: a string
    index for a single choice, a list of them for multiple select (see Quiz.grade)."""
    raw = answer if isinstance(answer, list | tuple) else [answer]
    picked = []
    for value in raw:
        if isinstance(value, bool):
            continue
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, int) and 0 <= value < count and value not in picked:
            picked.append(value)
    return picked


def quiz_stats(*, cohort: Cohort, quiz: Quiz, option_html=None) -> QuizStats:
    """Correctness per question among all attempts and among each student's best attempt
    (highest score, earliest on a tie), the most chosen wrong option of choice questions,
    and the questions ranked by share wrong. `option_html(text)` renders a choice's text."""
    questions = list(quiz.questions.filter(is_active=True).order_by("position"))
    size = cohort_size(cohort=cohort)
    rows = (
        QuizAttempt.objects.filter(quiz=quiz, user_id__in=cohort_students(cohort=cohort))
        .order_by("created_at", "id")
        .values_list("user_id", "score", "passed", "answers", "results")
    )
    attempts = 0
    best: dict[int, tuple[float, dict, dict]] = {}
    passed_students = set()
    asked, right, unanswered = Counter(), Counter(), Counter()
    picked_wrong: dict[str, Counter] = defaultdict(Counter)
    choice_questions = {
        q.slug: q for q in questions if q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE)
    }
    for user_id, score, passed, answers, results in rows.iterator(chunk_size=500):
        attempts += 1
        answers = answers if isinstance(answers, dict) else {}
        results = results if isinstance(results, dict) else {}
        if passed:
            passed_students.add(user_id)
        if user_id not in best or score > best[user_id][0]:
            best[user_id] = (score, answers, results)
        for slug, outcome in results.items():
            correct = bool(isinstance(outcome, dict) and outcome.get("correct"))
            asked[slug] += 1
            right[slug] += correct
            if slug not in answers:
                unanswered[slug] += 1
            question = choice_questions.get(slug)
            if question is not None and not correct and slug in answers:
                choices = question.spec.get("choices") or []
                for index in _choice_indices(answers[slug], len(choices)):
                    if not choices[index].get("correct"):
                        picked_wrong[slug][index] += 1
    best_asked, best_right = Counter(), Counter()
    for _, _, results in best.values():
        for slug, outcome in results.items():
            best_asked[slug] += 1
            best_right[slug] += bool(isinstance(outcome, dict) and outcome.get("correct"))
    stats = []
    for number, question in enumerate(questions, start=1):
        slug = question.slug
        item = QuestionStats(
            question=question,
            number=number,
            attempts=asked[slug],
            right=right[slug],
            best_attempts=best_asked[slug],
            best_right=best_right[slug],
            unanswered=unanswered[slug],
        )
        if picked_wrong[slug]:
            index, count = min(picked_wrong[slug].items(), key=lambda kv: (-kv[1], kv[0]))
            text = question.spec["choices"][index]["text"]
            item.wrong_option = WrongOption(
                index=index,
                text=option_html(text) if option_html else text,
                count=count,
                wrong_answers=asked[slug] - right[slug],
            )
        stats.append(item)
    return QuizStats(
        cohort_size=size,
        attempts=attempts,
        students=len(best),
        passed=len(passed_students),
        questions=stats,
    )
