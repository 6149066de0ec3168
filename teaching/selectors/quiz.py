"""One checkpoint across a cohort: correctness per question, among all attempts and among
each student's best, the most chosen wrong option, the questions ranked by difficulty."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404

from courses.models import Cohort, Question, Quiz
from grading import standings as kinds
from grading.models import QuizStanding, QuizTally

from .items import cohort_size, share, student_ids


@dataclass
class WrongOption:
    index: int
    text: str
    count: int
    wrong_answers: int  # wrong answers to the question, the share's whole

    @property
    def share(self) -> float | None:
        return share(self.count, self.wrong_answers)


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
        return share(self.right, self.attempts)

    @property
    def share_right_best(self) -> float | None:
        return share(self.best_right, self.best_attempts)

    @property
    def wrong(self) -> int:
        return self.attempts - self.right

    @property
    def share_wrong(self) -> float | None:
        return share(self.wrong, self.attempts)


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
        return share(self.passed, self.students)

    @property
    def pass_rate_of_cohort(self) -> float | None:
        return share(self.passed, self.cohort_size)


def quiz_get(*, cohort: Cohort, slug: str) -> Quiz:
    return get_object_or_404(
        Quiz.objects.select_related("course", "lesson"), course=cohort.course, slug=slug
    )


def quiz_stats(*, cohort: Cohort, quiz: Quiz, option_html=None) -> QuizStats:
    """Correctness per question among all attempts and among each student's best attempt
    (highest score, earliest on a tie), the most chosen wrong option of choice questions,
    and the questions ranked by share wrong. `option_html(text)` renders a choice's text.
    Read from the standings and tallies (grading/standings.py), summed over the cohort's
    students in SQL."""
    questions = list(quiz.questions.filter(is_active=True).order_by("position"))
    size = cohort_size(cohort=cohort)
    students = student_ids(cohort)
    totals = QuizStanding.objects.filter(quiz=quiz, user_id__in=students).aggregate(
        attempts=Sum("attempts"),
        students=Count("id"),
        passed=Count("id", filter=Q(passes__gt=0)),
    )
    tallies = (
        QuizTally.objects.filter(quiz=quiz, user_id__in=students)
        .values_list("kind", "label")
        .annotate(Sum("runs"), Sum("hits"))
        .order_by()
    )
    sums: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    picked_wrong: dict[str, Counter] = defaultdict(Counter)
    for kind, label, runs, hits in tallies:
        if kind == kinds.PICKED:
            slug, _, index = label.rpartition("#")
            if index.isdigit():
                picked_wrong[slug][int(index)] += runs
        else:
            sums[kind][label] = (runs, hits)
    asked = {slug: runs for slug, (runs, _) in sums[kinds.ASKED].items()}
    right = {slug: hits for slug, (_, hits) in sums[kinds.ASKED].items()}
    unanswered = {slug: runs for slug, (runs, _) in sums[kinds.UNANSWERED].items()}
    best = sums[kinds.BEST]
    stats = []
    for number, question in enumerate(questions, start=1):
        slug = question.slug
        item = QuestionStats(
            question=question,
            number=number,
            attempts=asked.get(slug, 0),
            right=right.get(slug, 0),
            best_attempts=best.get(slug, (0, 0))[0],
            best_right=best.get(slug, (0, 0))[1],
            unanswered=unanswered.get(slug, 0),
        )
        choices = question.spec.get("choices") or []
        wrong = {i: n for i, n in picked_wrong[slug].items() if i < len(choices)}
        if wrong:
            index, count = min(wrong.items(), key=lambda kv: (-kv[1], kv[0]))
            text = question.spec["choices"][index]["text"]
            item.wrong_option = WrongOption(
                index=index,
                text=option_html(text) if option_html else text,
                count=count,
                wrong_answers=asked.get(slug, 0) - right.get(slug, 0),
            )
        stats.append(item)
    return QuizStats(
        cohort_size=size,
        attempts=totals["attempts"] or 0,
        students=totals["students"],
        passed=totals["passed"],
        questions=stats,
    )
