"""courses.selectors.counted_quiz_score: the share of a checkpoint that counts for a
student, under the cohort's policy (the best attempt, or the latest), after the late
factor the attempt was made with."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.selectors import counted_quiz_score
from tests.factories import QuizAttemptFactory

pytestmark = pytest.mark.django_db

START = timezone.now() - timedelta(days=3)


def attempt(user, quiz, score, *, hours=0, factor=1.0):
    return QuizAttemptFactory(
        user=user,
        quiz=quiz,
        score=score,
        passed=score >= 0.8,
        created_at=START + timedelta(hours=hours),
        score_factor=factor,
        late_by_s=0 if factor == 1.0 else 86_400,
    )


def counted(student, quiz, policy=None) -> float | None:
    chosen = {} if policy is None else {"policy": policy}
    return counted_quiz_score(student_id=student.id, quiz_id=quiz.id, **chosen)


def test_the_best_attempt_counts_by_default(student, quiz):
    attempt(student, quiz, 1.0, hours=0)
    attempt(student, quiz, 0.5, hours=1)
    assert counted(student, quiz) == pytest.approx(1.0)
    assert counted(student, quiz, "best") == pytest.approx(1.0)


def test_under_latest_the_latest_attempt_counts_even_when_worse(student, quiz):
    attempt(student, quiz, 1.0, hours=0)
    attempt(student, quiz, 0.5, hours=1)
    assert counted(student, quiz, "latest") == pytest.approx(0.5)


def test_the_late_factor_of_the_attempt_that_counts_applies(student, quiz):
    attempt(student, quiz, 0.75, hours=0)
    attempt(student, quiz, 1.0, hours=30, factor=0.6)
    assert counted(student, quiz, "best") == pytest.approx(0.75)  # 0.75 beats 1.0 x 0.6
    assert counted(student, quiz, "latest") == pytest.approx(0.6)


def test_attempts_made_at_the_same_instant_count_the_later_row(student, quiz):
    attempt(student, quiz, 0.9)
    attempt(student, quiz, 0.2)
    assert counted(student, quiz, "latest") == pytest.approx(0.2)


def test_nothing_counts_before_an_attempt(student, second_student, quiz):
    attempt(second_student, quiz, 1.0)
    assert counted(student, quiz, "best") is None
    assert counted(student, quiz, "latest") is None


def test_another_students_later_attempt_does_not_count(student, second_student, quiz):
    attempt(student, quiz, 0.4, hours=0)
    attempt(second_student, quiz, 1.0, hours=5)
    assert counted(student, quiz, "latest") == pytest.approx(0.4)


def test_an_unknown_policy_is_an_error_not_the_default(student, quiz):
    attempt(student, quiz, 0.5)
    with pytest.raises(ValueError, match="worst"):
        counted(student, quiz, "worst")
