import pytest

from courses import services
from courses.models import LessonProgress, QuizAttempt

pytestmark = pytest.mark.django_db


def test_skipping_after_answering_keeps_the_answer(student, lesson):
    services.lesson_think_answer(user=student, lesson=lesson, answer="Downhill")
    progress = services.lesson_think_skip(user=student, lesson=lesson)
    assert progress.think_answer == "Downhill"
    assert progress.think_skipped is False


def test_the_reading_position_is_clamped_to_0_to_1(student, lesson):
    assert (
        services.lesson_reading_save(user=student, lesson=lesson, position=3).reading_position
        == 1.0
    )
    assert (
        services.lesson_reading_save(user=student, lesson=lesson, position=-1).reading_position
        == 0.0
    )


def test_visiting_a_passed_lesson_keeps_it_passed(student, lesson):
    LessonProgress.objects.create(user=student, lesson=lesson, state=LessonProgress.State.PASSED)
    assert services.lesson_progress_visit(user=student, lesson=lesson).state == "passed"


def test_an_attempt_with_a_stale_token_is_refused(student, lesson, quiz):
    services.lesson_progress_visit(user=student, lesson=lesson)
    with pytest.raises(services.StaleQuizForm):
        services.quiz_attempt_submit(user=student, quiz=quiz, answers={}, token="not-the-token")
    assert not QuizAttempt.objects.exists()


def test_each_attempt_replaces_the_pending_seed(student, lesson, quiz):
    progress = services.lesson_progress_visit(user=student, lesson=lesson)
    attempt = services.quiz_attempt_submit(
        user=student, quiz=quiz, answers={}, token=progress.quiz_token
    )
    progress.refresh_from_db()
    assert attempt.seed != progress.quiz_seed


def test_the_pending_seed_is_not_derivable_from_the_form_token(student, lesson):
    progress = services.lesson_progress_visit(user=student, lesson=lesson)
    assert progress.quiz_seed not in progress.quiz_token


def test_joining_twice_keeps_one_membership(cohort, student):
    services.cohort_join(cohort=cohort, user=student)
    _, created = services.cohort_join(cohort=cohort, user=student)
    assert created is False
    assert cohort.memberships.filter(user=student).count() == 1
