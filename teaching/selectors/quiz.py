"""One checkpoint across a cohort: correctness per question, among all attempts and among
each student's best, the most chosen wrong option, the questions ranked by difficulty."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from courses.models import Cohort, Question, Quiz, QuizAttempt

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
        QuizAttempt.objects.filter(quiz=quiz, user_id__in=student_ids(cohort))
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
