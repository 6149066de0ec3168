"""The per-quiz page of a cohort: correctness per question among attempts and among
each student's best attempt, the most chosen wrong option, and difficulty."""

from dataclasses import asdict
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.importing import course_sync
from courses.models import QuizAttempt
from courses.services import cohort_create, cohort_join
from tests.helpers import ROOT

QUIZ_COURSE = ROOT / "tests" / "fixtures" / "course-quiz"
# Right answers to the fixture quiz (tests/fixtures/course-quiz/quizzes/basics.yaml),
# in the form the checkpoint stores them (courses/forms.py: Checkpoint.answers_from).
RIGHT = {
    "direction": "0",
    "zero-gradient": ["0", "1"],
    "two-steps": "1.92",
    "big-loss": "900000000",
    "train-step": [0, 1, 2, 3],
}


@pytest.fixture
def quiz(db):
    course = course_sync(path=QUIZ_COURSE).course
    return course.quizzes.select_related("course").get(slug="basics")


@pytest.fixture
def cohort(quiz, cohort_instructor):
    return cohort_create(course=quiz.course, name="Tuesday group", created_by=cohort_instructor)


@pytest.fixture
def other_cohort(quiz, other_instructor):
    return cohort_create(course=quiz.course, name="Thursday group", created_by=other_instructor)


def students(cohort, n, prefix="q"):
    people = [
        get_user_model().objects.create(username=f"{prefix}{cohort.id}-{i}") for i in range(n)
    ]
    for user in people:
        cohort_join(cohort=cohort, user=user)
    return people


_seeds = iter(range(10**6))


def attempt(user, quiz, **changes):
    """Store an attempt graded by Quiz.grade, as quiz_attempt_submit stores it; `changes`
    replace the right answers (None leaves the question unanswered)."""
    seed = f"seed-{next(_seeds)}"
    one_step = quiz.questions.get(slug="one-step").answer_for(seed)
    answers = {**RIGHT, "one-step": repr(one_step)}
    for slug, value in changes.items():
        slug = slug.replace("_", "-")
        if value is None:
            answers.pop(slug)
        else:
            answers[slug] = value
    result = quiz.grade(answers, seed)
    count = QuizAttempt.objects.filter(user=user, quiz=quiz).count()
    return QuizAttempt.objects.create(
        user=user,
        quiz=quiz,
        seed=seed,
        answers=answers,
        score=result.score,
        passed=result.passed,
        results={
            slug: {"correct": correct, **asdict(feedback)}
            for slug, (correct, feedback) in result.results.items()
        },
        created_at=timezone.now() - timedelta(hours=10) + timedelta(minutes=count),
    )


def url(cohort, quiz):
    return reverse("teaching:quiz", args=[cohort.uuid, quiz.slug])


@pytest.fixture
def teacher(client, cohort_instructor):
    client.force_login(cohort_instructor)
    return client


def by_slug(stats):
    return {item.question.slug: item for item in stats.questions}


def test_correctness_per_question_among_attempts_and_best_attempts(
    teacher, quiz, cohort, other_cohort, cohort_instructor
):
    a, b = students(cohort, 2)
    attempt(a, quiz, direction="1", two_steps="2")  # wrong twice
    attempt(a, quiz)  # then all right: the best attempt
    attempt(b, quiz, direction="1")
    (outsider,) = students(other_cohort, 1, prefix="o")
    attempt(outsider, quiz, direction="1")
    attempt(cohort_instructor, quiz, direction="1")

    response = teacher.get(url(cohort, quiz))
    assert response.status_code == 200
    stats = response.context["stats"]
    assert (stats.cohort_size, stats.attempts, stats.students) == (2, 3, 2)
    items = by_slug(stats)
    direction = items["direction"]
    assert (direction.attempts, direction.right) == (3, 1)
    assert (direction.best_attempts, direction.best_right) == (2, 1)
    assert (items["two-steps"].right, items["two-steps"].best_right) == (2, 2)
    assert items["big-loss"].share_right == 1.0
    html = response.content.decode()
    assert '33% <span class="meta">(1 of 3)' in html
    assert '50% <span class="meta">(1 of 2)' in html


def test_the_most_chosen_wrong_option_shows_its_text(teacher, quiz, cohort):
    a, b, c = students(cohort, 3)
    attempt(a, quiz, zero_gradient=["0", "2"])  # a wrong pick: "On a steep wall."
    attempt(b, quiz, zero_gradient=["2"])
    attempt(c, quiz, zero_gradient=["0"])  # wrong by omission: no wrong option chosen
    attempt(c, quiz, direction="1")  # "Along the gradient."

    response = teacher.get(url(cohort, quiz))
    items = by_slug(response.context["stats"])
    wrong = items["zero-gradient"].wrong_option
    assert (wrong.index, wrong.count, wrong.wrong_answers) == (2, 2, 3)
    assert wrong.text == "On a steep wall."
    assert items["direction"].wrong_option.text == "Along the gradient."
    assert items["two-steps"].wrong_option is None
    html = response.content.decode()
    assert "On a steep wall." in html
    assert "chosen in 2 of 3 wrong answers" in html


def test_questions_are_ranked_by_share_wrong(teacher, quiz, cohort):
    a, b, c = students(cohort, 3)
    attempt(a, quiz, two_steps="5", big_loss=None)
    attempt(b, quiz, two_steps="5")
    attempt(c, quiz, two_steps="5", big_loss="1")
    response = teacher.get(url(cohort, quiz))
    stats = response.context["stats"]
    ranked = [item.question.slug for item in stats.by_difficulty]
    assert ranked[:2] == ["two-steps", "big-loss"]
    assert by_slug(stats)["big-loss"].unanswered == 1
    assert by_slug(stats)["two-steps"].share_wrong == 1.0
    html = response.content.decode()
    assert html.index("Hardest first") < html.index("<strong>Q3</strong> wrong in <strong>100%")


def test_a_quiz_nobody_tried_says_so(teacher, quiz, cohort):
    students(cohort, 2)
    html = teacher.get(url(cohort, quiz)).content.decode()
    assert "nobody tried yet" in html
    assert "No attempts yet." in html


def test_a_quiz_of_another_course_is_not_found(teacher, cohort):
    assert teacher.get(reverse("teaching:quiz", args=[cohort.uuid, "nope"])).status_code == 404


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_a_student_of_the_cohort_or_another_cohorts_instructor_may_not_see_it(
    request, client, quiz, cohort, other_cohort, student, who
):
    cohort_join(cohort=cohort, user=student)
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(cohort, quiz)).status_code in (403, 404)


def test_anonymous_users_are_sent_to_log_in(client, quiz, cohort):
    response = client.get(url(cohort, quiz))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def fill(cohort, quiz, n):
    for index, student in enumerate(students(cohort, n, prefix=f"n{n}-")):
        attempt(student, quiz, direction="1", zero_gradient=["2"])
        if index % 2:
            attempt(student, quiz)


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_page_runs_the_same_few_queries_whatever_the_cohort_size(
    client, quiz, cohort_instructor, django_assert_max_num_queries
):
    small = cohort_create(course=quiz.course, name="small", created_by=cohort_instructor)
    large = cohort_create(course=quiz.course, name="large", created_by=cohort_instructor)
    fill(small, quiz, 2)
    fill(large, quiz, 25)
    client.force_login(cohort_instructor)
    client.get(url(small, quiz))
    with django_assert_max_num_queries(20):
        small_count = count_queries(client, url(small, quiz))
    with django_assert_max_num_queries(20):
        large_count = count_queries(client, url(large, quiz))
    assert small_count == large_count
