"""Grading quiz answers on the imported rows, and the per-student numbers of
parameterized questions."""

import pytest

from courses.expressions import evaluate
from courses.models import Question, Quiz


@pytest.fixture
def quiz(quiz_course):
    return Quiz.objects.get(course=quiz_course, slug="basics")


def question(quiz, slug) -> Question:
    return quiz.questions.get(slug=slug)


def test_a_single_choice_question_is_right_only_for_the_correct_choice(quiz):
    q = question(quiz, "direction")
    assert q.grade(0)[0] is True
    assert q.grade(1)[0] is False


def test_a_single_choice_accepts_the_index_as_form_text(quiz):
    assert question(quiz, "direction").grade("0")[0] is True


def test_choice_feedback_carries_every_choice_explanation(quiz):
    correct, feedback = question(quiz, "direction").grade(1)
    assert not correct
    assert [c["explanation"] for c in feedback.choices] == [
        "The gradient points uphill.",
        "That climbs the [loss](glossary:loss).",
    ]
    assert [c["selected"] for c in feedback.choices] == [False, True]
    assert feedback.expected == [0]


def test_a_choice_that_does_not_exist_is_wrong_not_an_error(quiz):
    q = question(quiz, "direction")
    for answer in (7, -1, None, "first", True, [0, 1]):
        assert q.grade(answer)[0] is False


def test_multiple_select_is_right_for_exactly_the_correct_set(quiz):
    assert question(quiz, "zero-gradient").grade([1, 0])[0] is True


def test_multiple_select_is_wrong_for_a_subset(quiz):
    assert question(quiz, "zero-gradient").grade([0])[0] is False


def test_multiple_select_is_wrong_for_a_superset(quiz):
    assert question(quiz, "zero-gradient").grade([0, 1, 2])[0] is False


def test_an_absolute_tolerance_includes_its_boundary(quiz):
    q = question(quiz, "two-steps")  # 1.92, abs 0.001
    assert q.grade(1.921)[0] is True
    assert q.grade(1.919)[0] is True


def test_an_answer_just_outside_an_absolute_tolerance_is_wrong(quiz):
    q = question(quiz, "two-steps")
    assert q.grade(1.92101)[0] is False
    assert q.grade(1.91899)[0] is False


def test_a_relative_tolerance_scales_with_the_answer(quiz):
    q = question(quiz, "big-loss")  # 9e8, rel 0.01: +-9e6
    assert q.grade(9.09e8)[0] is True
    assert q.grade(8.91e8)[0] is True
    assert q.grade(9.0901e8)[0] is False


def test_a_numeric_answer_typed_as_text_is_accepted(quiz):
    assert question(quiz, "two-steps").grade(" 1.92 ")[0] is True


def test_a_numeric_answer_that_is_not_a_number_is_wrong_with_a_message(quiz):
    correct, feedback = question(quiz, "two-steps").grade("about two")
    assert not correct
    assert "number" in feedback.message
    for answer in ("nan", "inf", None, [1.92]):
        assert question(quiz, "two-steps").grade(answer)[0] is False


def test_wrong_numeric_feedback_shows_the_answer_and_explanation(quiz):
    _, feedback = question(quiz, "two-steps").grade(2)
    assert feedback.expected == "1.92"
    assert feedback.explanation == "Each step multiplies $x$ by $0.8$."


def test_ordering_is_right_only_in_the_exact_order(quiz):
    q = question(quiz, "train-step")
    assert q.grade([0, 1, 2, 3])[0] is True
    assert q.grade([0, 2, 1, 3])[0] is False


def test_an_ordering_that_repeats_or_drops_an_item_is_wrong(quiz):
    q = question(quiz, "train-step")
    assert q.grade([0, 1, 2, 2])[0] is False
    assert q.grade([0, 1, 2])[0] is False
    assert q.grade("0123")[0] is False


def test_two_seeds_give_different_numbers(quiz):
    q = question(quiz, "one-step")
    first, second = q.values_for("student-1"), q.values_for("student-2")
    assert first != second
    assert q.prompt_for("student-1") != q.prompt_for("student-2")


def test_the_same_seed_always_gives_the_same_numbers(quiz):
    q = question(quiz, "one-step")
    assert q.values_for(42) == q.values_for(42)
    assert Question.objects.get(pk=q.pk).values_for(42) == q.values_for(42)


def test_each_student_is_graded_against_their_own_numbers(quiz):
    q = question(quiz, "one-step")
    mine, theirs = q.answer_for("student-1"), q.answer_for("student-2")
    assert mine != pytest.approx(theirs, rel=0.001)
    assert q.grade(mine, "student-1")[0] is True
    assert q.grade(theirs, "student-1")[0] is False
    assert q.grade(theirs, "student-2")[0] is True


def test_the_answer_is_computed_from_the_drawn_numbers(quiz):
    q = question(quiz, "one-step")
    values = q.values_for(7)
    expected = values["x0"] - values["alpha"] * 2 * values["a"] * values["x0"]
    assert values["answer"] == pytest.approx(expected)


def test_drawn_numbers_stay_within_the_ranges_of_the_file(quiz):
    q = question(quiz, "one-step")
    drawn = [q.values_for(seed) for seed in range(300)]
    assert {v["a"] for v in drawn} == {1, 2, 3}
    assert {v["alpha"] for v in drawn} == {0.05, 0.1, 0.15, 0.2}
    assert all(isinstance(v["x0"], int) and 1 <= v["x0"] <= 50 for v in drawn)
    assert {v["x0"] for v in drawn} >= {1, 50}


def test_the_prompt_shows_the_drawn_numbers(quiz):
    q = question(quiz, "one-step")
    values = q.values_for("ada")
    html = q.prompt_for("ada")
    assert f"f(x) = {values['a']} x^2" in html
    assert f"x_0 = {values['x0']}" in html
    assert "{a}" not in html
    assert "{x0}" in q.prompt_html


def test_the_explanation_shows_the_students_answer(quiz):
    q = question(quiz, "one-step")
    values = q.values_for("ada")
    _, feedback = q.grade(0, "ada")
    assert f"= {feedback.expected}$" in feedback.explanation
    assert float(feedback.expected) == pytest.approx(values["answer"], rel=1e-5)


def test_a_parameterized_question_needs_a_seed(quiz):
    with pytest.raises(ValueError, match="seed"):
        question(quiz, "one-step").grade(1.0)


def perfect_answers(quiz, seed) -> dict:
    return {
        "direction": 0,
        "zero-gradient": [0, 1],
        "two-steps": 1.92,
        "big-loss": 9e8,
        "train-step": [0, 1, 2, 3],
        "one-step": question(quiz, "one-step").answer_for(seed),
    }


def test_all_right_scores_one_and_passes(quiz):
    result = quiz.grade(perfect_answers(quiz, "ada"), "ada")
    assert (result.score, result.passed, result.right) == (1.0, True, 6)


def test_a_quiz_passes_at_its_threshold(quiz):
    # 0.8 of 6 questions: 4.8, so 5 right are needed.
    answers = perfect_answers(quiz, "ada") | {"direction": 1}
    result = quiz.grade(answers, "ada")
    assert result.right == 5
    assert result.passed
    assert result.score == pytest.approx(5 / 6)


def test_a_quiz_fails_below_its_threshold(quiz):
    answers = perfect_answers(quiz, "ada") | {"direction": 1, "two-steps": 0}
    assert quiz.is_passed_by(answers, "ada") is False


def test_an_unanswered_question_counts_as_wrong(quiz):
    answers = perfect_answers(quiz, "ada")
    del answers["big-loss"]
    result = quiz.grade(answers, "ada")
    assert result.right == 5
    assert result.results["big-loss"][0] is False


def test_an_inactive_question_does_not_count(quiz):
    quiz.questions.filter(slug="direction").update(is_active=False)
    result = quiz.grade(perfect_answers(quiz, "ada"), "ada")
    assert (result.right, result.score) == (5, 1.0)
    assert "direction" not in result.results


def test_every_shipped_param_question_gives_a_finite_answer_for_many_seeds(db):
    from django.conf import settings

    from courses.importing import course_sync

    course_sync(path=settings.SHIPPED_COURSE_DIR)
    questions = Question.objects.filter(kind=Question.Kind.PARAM_NUMERIC)
    assert questions.exists()
    for q in questions:
        for seed in range(50):
            values = q.values_for(seed)
            answer = values.pop("answer")
            assert answer == pytest.approx(evaluate(q.spec["answer"], values))
            assert q.grade(answer, seed)[0], (q.slug, seed)


def test_the_quiz_example_in_the_format_docs_is_valid():
    import re

    import yaml

    from courses.importing.schema import QuizFileModel
    from tests.helpers import ROOT

    docs = (ROOT / "docs" / "course-format.md").read_text()
    section = docs[docs.index("## Quizzes") :]
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    quiz = QuizFileModel.model_validate(yaml.safe_load(example), context={"stem": "loss"})
    assert [q.kind for q in quiz.questions] == [
        "single",
        "numeric",
        "ordering",
        "param_numeric",
    ]
