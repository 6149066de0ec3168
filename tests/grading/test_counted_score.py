"""grading.selectors.counted_score: the share of an exercise that counts for a student,
under the cohort's policy (the best graded attempt, or the latest), with the score staff
changed and the late factor the attempt was made with."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grading.models import ScoreOverride
from grading.selectors import counted_score

pytestmark = pytest.mark.django_db

START = timezone.now() - timedelta(days=3)


@pytest.fixture
def attempts(student, exercise, make_submission):
    """A better early attempt and a worse late one, an hour apart."""

    def make(*scores, **fields):
        return [
            make_submission(
                student, exercise, score=score, created_at=START + timedelta(hours=n), **fields
            )
            for n, score in enumerate(scores)
        ]

    return make


def counted(student, exercise, policy=None) -> float | None:
    chosen = {} if policy is None else {"policy": policy}
    return counted_score(student_id=student.id, exercise_id=exercise.id, **chosen)


def change(submission, score: float) -> ScoreOverride:
    return ScoreOverride.objects.create(submission=submission, score=score, reason="reviewed")


def test_the_best_attempt_counts_by_default(student, exercise, attempts):
    attempts(0.9, 0.5)
    assert counted(student, exercise) == pytest.approx(0.9)
    assert counted(student, exercise, "best") == pytest.approx(0.9)


def test_under_latest_the_latest_graded_attempt_counts_even_when_worse(student, exercise, attempts):
    attempts(0.9, 0.5)
    assert counted(student, exercise, "latest") == pytest.approx(0.5)


def test_a_submission_not_graded_yet_is_not_the_latest(
    student, exercise, attempts, make_submission
):
    attempts(0.9, 0.5)
    make_submission(student, exercise, state="queued", verdict="", score=None)
    make_submission(student, exercise, state="blocked", verdict="", score=None)
    assert counted(student, exercise, "latest") == pytest.approx(0.5)


def test_the_late_factor_of_the_attempt_that_counts_applies(student, exercise, attempts):
    _, late = attempts(0.8, 1.0)
    type(late).objects.filter(pk=late.pk).update(score_factor=0.7, late_by_s=86_400)
    assert counted(student, exercise, "best") == pytest.approx(0.8)  # 0.8 beats 1.0 x 0.7
    assert counted(student, exercise, "latest") == pytest.approx(0.7)


def test_a_score_staff_changed_stands_under_both_policies(student, exercise, attempts):
    early, late = attempts(0.9, 0.3)
    change(late, 0.5)
    change(late, 0.6)  # the latest change stands
    assert counted(student, exercise, "latest") == pytest.approx(0.6)
    change(early, 0.2)  # copied: the early best is set to 0.2
    assert counted(student, exercise, "best") == pytest.approx(0.6)
    assert counted(student, exercise, "latest") == pytest.approx(0.6)


def test_a_change_to_an_earlier_attempt_does_not_count_under_latest(student, exercise, attempts):
    early, _ = attempts(0.2, 0.4)
    change(early, 1.0)
    assert counted(student, exercise, "best") == pytest.approx(1.0)
    assert counted(student, exercise, "latest") == pytest.approx(0.4)


def test_attempts_made_at_the_same_instant_count_the_later_row(student, exercise, make_submission):
    make_submission(student, exercise, score=0.9, created_at=START)
    make_submission(student, exercise, score=0.1, created_at=START)
    assert counted(student, exercise, "latest") == pytest.approx(0.1)


def test_nothing_counts_before_a_graded_attempt(student, exercise, make_submission):
    assert counted(student, exercise, "best") is None
    assert counted(student, exercise, "latest") is None
    make_submission(student, exercise, state="queued", verdict="", score=None)
    assert counted(student, exercise, "best") is None
    assert counted(student, exercise, "latest") is None


def test_another_students_attempts_do_not_count(
    student, second_student, exercise, attempts, make_submission
):
    attempts(0.3)
    make_submission(second_student, exercise, score=1.0, created_at=START + timedelta(days=1))
    assert counted(student, exercise, "latest") == pytest.approx(0.3)
    assert counted(student, exercise, "best") == pytest.approx(0.3)


def test_an_unknown_policy_is_an_error_not_the_default(student, exercise, attempts):
    attempts(0.5)
    with pytest.raises(ValueError, match="worst"):
        counted(student, exercise, "worst")


def test_the_policy_is_keyword_only(student, exercise):
    with pytest.raises(TypeError):
        counted_score(student.id, exercise.id, "latest")  # type: ignore[misc]
