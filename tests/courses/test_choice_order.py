"""The choices of a checkpoint question are shown in an order drawn from the attempt's
seed: the same for the page and the review of one attempt, different from one attempt to
the next, and graded by which choice was picked, never by its position, so the review of
a blank attempt is no answer key to click through on the next one."""

import re
from dataclasses import asdict

import pytest
from django.urls import reverse

from courses.forms import choice_order
from courses.models import LessonProgress, QuizAttempt

pytestmark = pytest.mark.django_db

# Fixed seeds, so every assertion below is deterministic.
SEEDS = [f"fixed-seed-{n}" for n in range(10)]
CHOICE_QUESTIONS = ("direction", "zero-gradient")  # the fixture quiz's, in page order
REVIEW_CHOICE = re.compile(
    r'<li class="(?P<classes>[^"]*)">\s*<span class="choice-text">(?P<text>.*?)</span>', re.S
)


def lesson_url(lesson, name="lesson"):
    return reverse(f"courses:{name}", args=[lesson.course.slug, lesson.slug])


@pytest.fixture
def reader(student_client, lesson):
    student_client.post(lesson_url(lesson, "lesson_think"), {"skip": "1"})
    student_client.get(lesson_url(lesson))
    return student_client


def use_seed(student, lesson, seed) -> LessonProgress:
    """Make `seed` the pending attempt's seed, as if the server had drawn it."""
    LessonProgress.objects.filter(user=student, lesson=lesson).update(quiz_seed=seed)
    return LessonProgress.objects.get(user=student, lesson=lesson)


def form_choices(page: str, slug: str) -> list[tuple[str, str]]:
    """(posted value, label) of each choice of question `slug` on the form, top to bottom."""
    pattern = rf'value="(\d+)">\s*<label for="q-{slug}-\1">(.*?)</label>'
    return re.findall(pattern, page, re.S)


def review_choices(page: str) -> dict[str, list[dict]]:
    """Per choice question of the review, top to bottom: text, correct, selected."""
    lists = re.findall(r'<ul class="choice-review">(.*?)</ul>', page, re.S)
    assert len(lists) == len(CHOICE_QUESTIONS)
    return {
        slug: [
            {
                "text": match["text"],
                "correct": "choice-correct" in match["classes"],
                "selected": "choice-selected" in match["classes"],
            }
            for match in REVIEW_CHOICE.finditer(block)
        ]
        for slug, block in zip(CHOICE_QUESTIONS, lists, strict=True)
    }


def file_texts(quiz, slug) -> list[str]:
    return [choice["text"] for choice in quiz.questions.get(slug=slug).spec["choices"]]


def submit(client, lesson, data):
    return client.post(lesson_url(lesson, "checkpoint_submit"), data)


def test_the_order_differs_between_attempts(quiz):
    for slug in CHOICE_QUESTIONS:
        question = quiz.questions.get(slug=slug)
        orders = {tuple(choice_order(question, seed)) for seed in SEEDS}
        assert len(orders) > 1, slug
        assert all(sorted(order) == list(range(len(order))) for order in orders)


def test_the_page_shows_the_choices_in_the_attempts_order(reader, student, lesson, quiz):
    for seed in SEEDS[:3]:
        use_seed(student, lesson, seed)
        page = reader.get(lesson_url(lesson)).content.decode()
        for slug in CHOICE_QUESTIONS:
            texts = file_texts(quiz, slug)
            order = choice_order(quiz.questions.get(slug=slug), seed)
            assert form_choices(page, slug) == [
                (str(shown), texts[index]) for shown, index in enumerate(order)
            ]


def test_one_attempt_keeps_its_order_on_every_render_and_in_its_review(
    reader, student, lesson, quiz
):
    progress = use_seed(student, lesson, SEEDS[0])
    first = reader.get(lesson_url(lesson)).content.decode()
    again = reader.get(lesson_url(lesson)).content.decode()
    shown = {slug: [text for _, text in form_choices(first, slug)] for slug in CHOICE_QUESTIONS}
    assert shown == {
        slug: [text for _, text in form_choices(again, slug)] for slug in CHOICE_QUESTIONS
    }
    response = submit(reader, lesson, {"attempt": progress.quiz_token})
    for _ in range(2):
        review = review_choices(reader.get(response["Location"]).content.decode())
        assert {slug: [c["text"] for c in review[slug]] for slug in CHOICE_QUESTIONS} == shown


def test_grading_follows_the_choice_not_its_position(reader, student, lesson, quiz):
    direction = quiz.questions.get(slug="direction")
    zero_gradient = quiz.questions.get(slug="zero-gradient")
    for seed in SEEDS:
        progress = use_seed(student, lesson, seed)
        right = choice_order(direction, seed).index(0)
        right_set = [str(choice_order(zero_gradient, seed).index(i)) for i in (0, 1)]
        submit(
            reader,
            lesson,
            {
                "attempt": progress.quiz_token,
                "q-direction": str(right),
                "q-zero-gradient": right_set,
            },
        )
        attempt = QuizAttempt.objects.get(user=student, seed=seed)
        # Stored as the file's indices, the same whatever the order on the page.
        assert attempt.answers == {"direction": "0", "zero-gradient": ["0", "1"]}
        assert attempt.results["direction"]["correct"] is True
        assert attempt.results["zero-gradient"]["correct"] is True


def test_the_same_position_is_not_always_right(reader, student, lesson, quiz):
    outcomes = set()
    for seed in SEEDS:
        progress = use_seed(student, lesson, seed)
        submit(reader, lesson, {"attempt": progress.quiz_token, "q-direction": "0"})
        outcomes.add(
            QuizAttempt.objects.get(user=student, seed=seed).results["direction"]["correct"]
        )
    assert outcomes == {True, False}


def test_a_blank_attempts_review_does_not_keep_the_answer_in_one_place(
    reader, student, lesson, quiz
):
    correct_positions = {slug: set() for slug in CHOICE_QUESTIONS}
    for seed in SEEDS:
        progress = use_seed(student, lesson, seed)
        response = submit(reader, lesson, {"attempt": progress.quiz_token})
        review = review_choices(reader.get(response["Location"]).content.decode())
        for slug in CHOICE_QUESTIONS:
            # Every choice is there with its verdict, none marked as picked.
            assert sorted(c["text"] for c in review[slug]) == sorted(file_texts(quiz, slug))
            assert not any(c["selected"] for c in review[slug])
            positions = tuple(i for i, c in enumerate(review[slug]) if c["correct"])
            correct_positions[slug].add(positions)
    for slug, positions in correct_positions.items():
        assert len(positions) > 1, slug


def test_an_attempt_stored_by_file_index_reviews_each_choice_by_identity(
    reader, student, lesson, quiz
):
    # Answers and per-choice results have always been stored by the file's index, as
    # attempts made before the shuffle were: whatever order the review now shows, each
    # verdict and "your choice" stays on its own choice.
    seed = next(s for s in SEEDS if choice_order(quiz.questions.get(slug="direction"), s) == [1, 0])
    answers = {"direction": "1", "zero-gradient": ["0", "2"]}
    result = quiz.grade(answers, seed)
    attempt = QuizAttempt.objects.create(
        user=student,
        quiz=quiz,
        seed=seed,
        answers=answers,
        score=result.score,
        passed=result.passed,
        results={
            slug: {"correct": correct, **asdict(feedback)}
            for slug, (correct, feedback) in result.results.items()
        },
    )
    page = reader.get(f"{lesson_url(lesson)}?attempt={attempt.uuid}").content.decode()
    review = {
        slug: {c["text"]: (c["correct"], c["selected"]) for c in choices}
        for slug, choices in review_choices(page).items()
    }
    assert review["direction"] == {
        "Against the gradient.": (True, False),
        "Along the gradient.": (False, True),
    }
    assert review["zero-gradient"] == {
        "At a minimum.": (True, True),
        "At a saddle point.": (True, False),
        "On a steep wall.": (False, True),
    }
    assert "Question 1: not right" in page
    assert "Question 2: not right" in page


def test_a_form_drawn_before_a_choice_was_added_is_not_graded(
    reader, student, lesson, quiz, settings
):
    # Positions map to choices through the order of the quiz as it is: once a publish
    # adds a choice, an old form's positions would land on other choices. The choice is
    # added to the row directly, which no publish does, so the lesson page's cache (kept
    # per published version: tests/courses/test_lesson_cache.py) is off here.
    settings.LESSON_HTML_CACHE = False
    page = reader.get(lesson_url(lesson)).content.decode()
    shape = re.search(r'name="shape" value="([0-9a-f]+)"', page).group(1)
    progress = LessonProgress.objects.get(user=student, lesson=lesson)
    direction = quiz.questions.get(slug="direction")
    direction.spec["choices"].append({"text": "A new choice.", "explanation": "No."})
    direction.save()
    response = submit(
        reader,
        lesson,
        {"attempt": progress.quiz_token, "shape": shape, "q-direction": "0"},
    )
    assert response.status_code == 302
    assert not QuizAttempt.objects.filter(user=student).exists()
    shown = reader.get(lesson_url(lesson)).content.decode()
    assert "changed after that form was opened" in shown
    # the fresh form carries the new shape and is graded
    new_shape = re.search(r'name="shape" value="([0-9a-f]+)"', shown).group(1)
    assert new_shape != shape
    submit(reader, lesson, {"attempt": progress.quiz_token, "shape": new_shape})
    assert QuizAttempt.objects.filter(user=student).count() == 1
