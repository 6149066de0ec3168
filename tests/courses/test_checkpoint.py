"""The checkpoint quiz at the end of a lesson, through the pages a student uses."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from courses.forms import choice_order, display_order
from courses.models import LessonProgress, QuizAttempt

pytestmark = pytest.mark.django_db


def lesson_url(lesson, name="lesson"):
    return reverse(f"courses:{name}", args=[lesson.course.slug, lesson.slug])


@pytest.fixture
def reader(student_client, lesson):
    student_client.post(lesson_url(lesson, "lesson_think"), {"skip": "1"})
    student_client.get(lesson_url(lesson))
    return student_client


def pending(student, lesson) -> LessonProgress:
    return LessonProgress.objects.get(user=student, lesson=lesson)


def shown(question, seed, *file_indices) -> list[str]:
    """The positions on the page (what the form posts) of choices named by file index."""
    order = choice_order(question, seed)
    return [str(order.index(index)) for index in file_indices]


def answers_form(quiz, progress, wrong=()):
    """A filled form with every answer right, except the question slugs in `wrong`."""
    seed = progress.quiz_seed
    questions = {q.slug: q for q in quiz.questions.all()}
    direction, zero_gradient = questions["direction"], questions["zero-gradient"]
    data = {
        "attempt": progress.quiz_token,
        "q-direction": shown(direction, seed, 1 if "direction" in wrong else 0)[0],
        "q-zero-gradient": shown(
            zero_gradient, seed, *([0] if "zero-gradient" in wrong else [0, 1])
        ),
        "q-two-steps": "2" if "two-steps" in wrong else "1.92",
        "q-big-loss": "900000000",
    }
    order = display_order(questions["train-step"], seed)
    truth = [3, 2, 1, 0] if "train-step" in wrong else [0, 1, 2, 3]
    for position, true_index in enumerate(truth, start=1):
        data[f"q-train-step-{position}"] = str(order.index(true_index))
    answer = questions["one-step"].answer_for(seed)
    data["q-one-step"] = str(answer + 1000 if "one-step" in wrong else answer)
    return data


def submit(client, lesson, data):
    return client.post(lesson_url(lesson, "checkpoint_submit"), data)


def test_the_quiz_is_a_form_with_an_input_for_every_kind(reader, lesson):
    page = reader.get(lesson_url(lesson)).content.decode()
    assert 'type="radio" name="q-direction"' in page
    assert 'type="checkbox" name="q-zero-gradient"' in page
    assert 'type="number" step="any"' in page
    assert 'name="q-two-steps"' in page
    assert 'name="q-one-step"' in page
    assert 'select id="q-train-step-1" name="q-train-step-1"' in page
    assert '<label for="q-train-step-4">Position 4</label>' in page


def test_no_correct_answer_reaches_the_page_before_submission(reader, student, lesson, quiz):
    page = reader.get(lesson_url(lesson)).content.decode()
    one_step = quiz.questions.get(slug="one-step")
    seed = pending(student, lesson).quiz_seed
    for leak in (
        "The gradient points uphill.",  # choice explanations
        "The bottom is level.",
        "1.92",
        "900000000",
        "Each step multiplies",
        "x0 - alpha * 2 * a * x0",
        seed,
        f'"{one_step.answer_for(seed)}"',
        '"correct"',
    ):
        assert leak not in page


def test_the_ordering_items_are_never_shown_in_the_correct_order(reader, student, lesson, quiz):
    question = quiz.questions.get(slug="train-step")
    order = display_order(question, pending(student, lesson).quiz_seed)
    assert order != sorted(order)


def test_parameterized_prompts_show_the_attempts_numbers(reader, student, lesson, quiz):
    seed = pending(student, lesson).quiz_seed
    prompt = quiz.questions.get(slug="one-step").prompt_for(seed)
    assert prompt in reader.get(lesson_url(lesson)).content.decode()


def test_submitting_stores_an_attempt_with_the_results(reader, student, lesson, quiz):
    seed = pending(student, lesson).quiz_seed
    response = submit(
        reader, lesson, answers_form(quiz, pending(student, lesson), wrong={"direction"})
    )
    attempt = QuizAttempt.objects.get(user=student)
    assert response["Location"] == f"{lesson_url(lesson)}?attempt={attempt.uuid}#checkpoint"
    assert attempt.seed == seed
    assert attempt.results["direction"]["correct"] is False
    assert attempt.results["two-steps"]["correct"] is True
    assert attempt.score == pytest.approx(5 / 6)
    json.dumps(attempt.results)  # plain data


def test_the_results_show_each_choices_explanation(reader, student, lesson, quiz):
    response = submit(
        reader, lesson, answers_form(quiz, pending(student, lesson), wrong={"direction"})
    )
    page = reader.get(response["Location"]).content.decode()
    assert "The gradient points uphill." in page
    assert "climbs the" in page
    assert "A wall is steep, not level." in page
    assert "Question 1: not right" in page


def test_the_results_explain_parameterized_answers_with_the_attempts_numbers(
    reader, student, lesson, quiz
):
    progress = pending(student, lesson)
    values = quiz.questions.get(slug="one-step").values_for(progress.quiz_seed)
    response = submit(reader, lesson, answers_form(quiz, progress, wrong={"one-step"}))
    page = reader.get(response["Location"]).content.decode()
    assert f"x_1 = {values['x0']} -" in page


def test_passing_at_the_threshold_completes_the_lesson(reader, student, lesson, quiz):
    # 5 of 6 right is 83%, above the fixture's 80%.
    submit(reader, lesson, answers_form(quiz, pending(student, lesson), wrong={"direction"}))
    progress = pending(student, lesson)
    assert progress.state == LessonProgress.State.PASSED
    assert progress.passed_at is not None
    assert QuizAttempt.objects.get(user=student).passed is True


def test_below_the_threshold_the_lesson_stays_unfinished(reader, student, lesson, quiz):
    submit(
        reader,
        lesson,
        answers_form(quiz, pending(student, lesson), wrong={"direction", "one-step"}),
    )
    assert pending(student, lesson).state == LessonProgress.State.READING
    assert QuizAttempt.objects.get(user=student).passed is False


def test_failing_a_retry_keeps_the_lesson_passed(reader, student, lesson, quiz):
    submit(reader, lesson, answers_form(quiz, pending(student, lesson)))
    submit(
        reader,
        lesson,
        answers_form(quiz, pending(student, lesson), wrong={"direction", "two-steps"}),
    )
    assert pending(student, lesson).state == LessonProgress.State.PASSED


def test_a_retry_draws_a_new_seed_and_new_numbers(reader, student, lesson, quiz):
    question = quiz.questions.get(slug="one-step")
    first = pending(student, lesson).quiz_seed
    submit(reader, lesson, answers_form(quiz, pending(student, lesson), wrong={"one-step"}))
    second = pending(student, lesson).quiz_seed
    assert second != first
    assert question.prompt_for(second) in reader.get(lesson_url(lesson)).content.decode()
    submit(reader, lesson, answers_form(quiz, pending(student, lesson)))
    seeds = set(QuizAttempt.objects.values_list("seed", flat=True))
    assert seeds == {first, second}
    # The numbers are drawn from the seed: over a few retries they do not all repeat.
    prompts = {question.prompt_for(seed) for seed in seeds | {pending(student, lesson).quiz_seed}}
    assert len(prompts) > 1


def test_a_form_from_an_earlier_attempt_is_not_graded(reader, student, lesson, quiz):
    stale = answers_form(quiz, pending(student, lesson), wrong={"one-step"})
    submit(reader, lesson, stale)
    response = submit(reader, lesson, stale)
    assert response["Location"] == lesson_url(lesson) + "#checkpoint"
    assert QuizAttempt.objects.filter(user=student).count() == 1


def test_an_unanswered_question_counts_as_wrong(reader, student, lesson, quiz):
    data = answers_form(quiz, pending(student, lesson))
    del data["q-big-loss"]
    submit(reader, lesson, data)
    result = QuizAttempt.objects.get(user=student).results["big-loss"]
    assert result["correct"] is False
    assert result["message"] == "Not answered."


def test_a_student_cannot_see_another_students_attempt(
    reader, student, second_student, lesson, quiz
):
    submit(reader, lesson, answers_form(quiz, pending(student, lesson)))
    attempt = QuizAttempt.objects.get(user=student)
    other = Client()
    other.force_login(second_student)
    other.post(lesson_url(lesson, "lesson_think"), {"skip": "1"})
    response = other.get(f"{lesson_url(lesson)}?attempt={attempt.uuid}")
    assert response.status_code == 404


def test_anonymous_visitors_cannot_submit(client, lesson):
    response = client.post(lesson_url(lesson, "checkpoint_submit"), {"q-direction": "0"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not QuizAttempt.objects.exists()


def test_submitting_needs_the_csrf_token(student, lesson, quiz):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    LessonProgress.objects.create(user=student, lesson=lesson, think_skipped=True)
    response = client.post(
        lesson_url(lesson, "checkpoint_submit"), answers_form(quiz, pending(student, lesson))
    )
    assert response.status_code == 403
    assert not QuizAttempt.objects.exists()


def test_the_review_explains_unanswered_questions_too(reader, student, lesson, quiz):
    response = submit(reader, lesson, {"attempt": pending(student, lesson).quiz_token})
    page = reader.get(response["Location"]).content.decode()
    assert "The gradient points uphill." in page
    assert "1.92" in page
    assert "Each step multiplies" in page


def test_only_answers_the_form_could_send_are_stored(reader, student, lesson, quiz):
    progress = pending(student, lesson)
    data = answers_form(quiz, progress)
    data["q-direction"] = "x" * 100_000  # no such choice
    data["q-zero-gradient"] = ["1", "0", "1", "7", "0"] * 20  # repeats and a ghost choice
    order = choice_order(quiz.questions.get(slug="zero-gradient"), progress.quiz_seed)
    submit(reader, lesson, data)
    stored = QuizAttempt.objects.get(user=student).answers
    assert "direction" not in stored
    # Stored as the file's indices of the choices shown at positions 0 and 1.
    assert stored["zero-gradient"] == sorted([str(order[0]), str(order[1])], key=int)


def test_a_malformed_attempt_id_is_a_404_not_a_crash(reader, lesson):
    assert reader.get(lesson_url(lesson) + "?attempt=zzz").status_code == 404
