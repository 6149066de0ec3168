import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from courses.importer import CourseInvalid, course_sync
from courses.models import Course, Exercise, Lesson, Question, Quiz
from tests.courses.conftest import edit, line_of
from tests.helpers import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "course-min"


@pytest.fixture
def course_dir(tmp_path):
    target = tmp_path / "course"
    shutil.copytree(FIXTURE, target)
    return target


def test_it_imports_a_course_with_its_lessons_in_study_path_order(db, course_dir):
    report = course_sync(path=course_dir)
    assert report.created and report.changed
    course = Course.objects.get(slug="tiny")
    assert list(course.lessons.values_list("slug", "position")) == [("first", 1), ("second", 2)]
    first = course.lessons.get(slug="first")
    assert first.think_prompt == "What is a loss?"
    assert "/courses/tiny/glossary/#term-loss" in first.body_html
    assert course.glossary.get(slug="loss").term == "Loss"


def test_a_second_run_changes_nothing(db, course_dir):
    course_sync(path=course_dir)
    before = list(Lesson.objects.values_list("id", "body_html"))
    report = course_sync(path=course_dir)
    assert report.changed is False
    assert list(Lesson.objects.values_list("id", "body_html")) == before


def test_editing_a_lesson_updates_the_same_row(db, course_dir):
    course_sync(path=course_dir)
    lesson_id = Lesson.objects.get(slug="second").id
    path = course_dir / "lessons" / "02-second.md"
    path.write_text(path.read_text() + "\nA new paragraph.\n")
    course_sync(path=course_dir)
    lesson = Lesson.objects.get(slug="second")
    assert lesson.id == lesson_id
    assert "A new paragraph." in lesson.body_html


def test_bad_yaml_is_reported_with_file_and_line_and_nothing_is_imported(db, course_dir):
    (course_dir / "glossary.yaml").write_text("- slug: loss\n  term: [unclosed\n")
    with pytest.raises(CourseInvalid) as info:
        course_sync(path=course_dir)
    assert any(p.file == "glossary.yaml" and p.line for p in info.value.problems)
    assert not Course.objects.exists()


def test_a_broken_glossary_link_names_the_lesson_file(db, course_dir):
    path = course_dir / "lessons" / "02-second.md"
    path.write_text(path.read_text() + "\nSee [ghost](glossary:ghost).\n")
    with pytest.raises(CourseInvalid) as info:
        course_sync(path=course_dir)
    assert [str(p) for p in info.value.problems] == [
        "lessons/02-second.md:7: broken link to glossary 'ghost'"
    ]


def test_the_command_exits_non_zero_and_lists_problems(db, course_dir, capsys):
    (course_dir / "course.yaml").write_text(
        "slug: tiny\ntitle: T\nlessons: [first, second, third]\n"
    )
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("sync_course", str(course_dir))
    assert "unknown lesson 'third'" in capsys.readouterr().err


# The shipped course ----------------------------------------------------------------


def test_the_shipped_course_imports_cleanly_with_every_quiz_and_exercise(db):
    report = course_sync(path=settings.SHIPPED_COURSE_DIR)
    course = report.course
    assert course.lessons.count() == 10
    assert course.quizzes.filter(is_active=True).count() == 10
    assert course.exercises.filter(is_active=True).count() == 17
    assert (
        Question.objects.filter(quiz__course=course).count()
        == report.counts["questions"]["created"]
    )
    for quiz in course.quizzes.select_related("lesson"):
        assert quiz.questions.count() >= 5
    # Every exercise passed its self-check, so its files' hash is recorded.
    assert not course.exercises.filter(content_hash="").exists()
    assert len(report.selfchecked) == 17


def test_a_second_sync_of_the_shipped_course_changes_nothing(db):
    course_sync(path=settings.SHIPPED_COURSE_DIR, selfcheck=False)
    before = {
        model: list(model.objects.order_by("pk").values())
        for model in (Course, Lesson, Quiz, Question, Exercise)
    }
    report = course_sync(path=settings.SHIPPED_COURSE_DIR, selfcheck=False)
    assert report.changed is False
    assert {kind: set(count) for kind, count in report.counts.items()} == {
        kind: {"unchanged"} for kind in report.counts
    }
    assert report.counts["questions"]["unchanged"] == Question.objects.count() > 50
    after = {
        model: list(model.objects.order_by("pk").values())
        for model in (Course, Lesson, Quiz, Question, Exercise)
    }
    assert after == before


def test_lessons_link_to_their_quiz_and_exercises_in_the_page(db):
    course_sync(path=settings.SHIPPED_COURSE_DIR, selfcheck=False)
    lesson = Lesson.objects.get(slug="loss")
    assert 'href="#exercise-mse-loss"' in lesson.body_html
    assert 'href="#quiz-loss"' in lesson.body_html
    assert Quiz.objects.get(slug="loss").lesson == lesson
    assert list(lesson.exercises.order_by("position").values_list("slug", flat=True)) == [
        "mse-loss",
        "mse-grad",
        "softmax-cross-entropy",
    ]


# Quizzes ----------------------------------------------------------------------------


def problems_of(course_dir) -> list[str]:
    with pytest.raises(CourseInvalid) as info:
        course_sync(path=course_dir, selfcheck=False)
    return [str(p) for p in info.value.problems]


def test_it_imports_a_quiz_with_its_questions_in_file_order(db, quiz_course_dir):
    course_sync(path=quiz_course_dir, selfcheck=False)
    quiz = Quiz.objects.get(slug="basics")
    assert quiz.lesson.slug == "basics"
    assert quiz.pass_threshold == 0.8
    assert list(quiz.questions.values_list("slug", "kind")) == [
        ("direction", "single"),
        ("zero-gradient", "multiple"),
        ("two-steps", "numeric"),
        ("big-loss", "numeric"),
        ("train-step", "ordering"),
        ("one-step", "param_numeric"),
    ]


def test_choice_text_and_explanations_are_rendered_with_course_links(db, quiz_course_dir):
    course_sync(path=quiz_course_dir, selfcheck=False)
    choices = Question.objects.get(slug="direction").spec["choices"]
    assert "/courses/quizzed/glossary/#term-loss" in choices[1]["explanation_html"]
    assert choices[0]["text_html"] == "<p>Against the gradient.</p>"


def test_it_rejects_an_unknown_question_kind_with_file_and_line(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, "kind: ordering", "kind: sorting")
    line = line_of(path, "kind: sorting")
    assert problems_of(quiz_course_dir) == [
        f"quizzes/basics.yaml:{line}: unknown question kind 'sorting' (expected one of: "
        "single, multiple, numeric, ordering, param_numeric)"
    ]
    assert not Course.objects.exists()


def test_it_rejects_a_single_choice_question_without_a_correct_choice(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(
        path,
        '        correct: true\n        explanation: "The gradient',
        '        explanation: "The gradient',
    )
    line = line_of(path, "choices:")
    assert problems_of(quiz_course_dir) == [
        f"quizzes/basics.yaml:{line}: a single-choice question needs exactly one correct "
        "choice, not 0"
    ]


def test_it_rejects_a_multiple_select_question_without_a_correct_choice(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    text = path.read_text()
    start = text.index("id: zero-gradient")
    end = text.index("id: two-steps")
    path.write_text(
        text[:start] + text[start:end].replace("correct: true\n", "correct: false\n") + text[end:]
    )
    [problem] = problems_of(quiz_course_dir)
    assert "needs at least one correct choice" in problem


def test_it_rejects_a_numeric_question_without_an_answer(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, "    answer: 1.92\n", "")
    line = line_of(path, "id: two-steps")
    assert problems_of(quiz_course_dir) == [
        f"quizzes/basics.yaml:{line}: missing required field 'answer'"
    ]


def test_it_rejects_a_choice_without_an_explanation(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, '        explanation: "A wall is steep, not level."\n', "")
    line = line_of(path, "On a steep wall.")
    assert problems_of(quiz_course_dir) == [
        f"quizzes/basics.yaml:{line}: missing required field 'explanation'"
    ]


def test_it_rejects_bad_yaml_in_a_quiz_with_its_line(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, 'items: ["Forward pass",', 'items: ["Forward pass", {unclosed: ')
    [problem] = problems_of(quiz_course_dir)
    assert problem.startswith("quizzes/basics.yaml:")
    assert problem.split(":")[1].isdigit() and "bad YAML" in problem


def test_it_rejects_an_answer_expression_that_does_not_parse(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, 'answer: "x0 - alpha * 2 * a * x0"', 'answer: "x0 - alpha * (2 * a * x0"')
    line = line_of(path, 'answer: "x0 - alpha')
    [problem] = problems_of(quiz_course_dir)
    assert problem.startswith(f"quizzes/basics.yaml:{line}: answer expression ")
    assert "does not parse" in problem


def test_it_rejects_an_answer_expression_naming_an_unknown_param(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, 'answer: "x0 - alpha * 2 * a * x0"', 'answer: "x0 - lr * 2 * a * x0"')
    line = line_of(path, 'answer: "x0 - lr')
    [problem] = problems_of(quiz_course_dir)
    assert problem.startswith(f"quizzes/basics.yaml:{line}: ")
    assert "unknown name 'lr'" in problem


def test_it_rejects_an_answer_expression_that_calls_something_unsafe(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, 'answer: "x0 - alpha * 2 * a * x0"', "answer: \"__import__('os').getcwd()\"")
    [problem] = problems_of(quiz_course_dir)
    assert "not allowed" in problem or "cannot call" in problem


def test_it_rejects_an_answer_that_fails_for_some_drawn_numbers(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, "a: {choices: [1, 2, 3]}", "a: {choices: [0, 1]}")
    edit(path, 'answer: "x0 - alpha * 2 * a * x0"', 'answer: "x0 / a"')
    [problem] = problems_of(quiz_course_dir)
    assert "a=0" in problem and "cannot be evaluated" in problem


def test_it_rejects_an_empty_param_range(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, "x0: {min: 1, max: 50, step: 1}", "x0: {min: 5, max: 1, step: 1}")
    line = line_of(path, "x0: {min: 5")
    assert problems_of(quiz_course_dir) == [
        f"quizzes/basics.yaml:{line}: param 'x0' has an empty range: max 1 is below min 5"
    ]


def test_it_rejects_a_param_with_no_choices(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, "a: {choices: [1, 2, 3]}", "a: {choices: []}")
    [problem] = problems_of(quiz_course_dir)
    assert "param 'a' has an empty list of choices" in problem


def test_it_rejects_a_tolerance_of_an_unknown_kind(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, "tolerance: {abs: 0.001}", "tolerance: {percent: 1}")
    line = line_of(path, "tolerance: {percent")
    assert problems_of(quiz_course_dir) == [
        f"quizzes/basics.yaml:{line}: tolerance must be exactly one of {{abs: x}} or {{rel: x}}"
    ]


def test_it_rejects_an_unknown_field_in_a_question(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, "    answer: 1.92\n", '    answer: 1.92\n    hint: "think"\n')
    line = line_of(path, 'hint: "think"')
    assert problems_of(quiz_course_dir) == [
        f"quizzes/basics.yaml:{line}: unknown field 'hint' for a numeric question"
    ]


def test_it_rejects_two_questions_with_the_same_id(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, "id: big-loss", "id: two-steps")
    [problem] = problems_of(quiz_course_dir)
    assert "duplicate question id 'two-steps'" in problem


def test_it_rejects_a_lesson_naming_a_quiz_that_does_not_exist(db, quiz_course_dir):
    path = quiz_course_dir / "lessons" / "01-basics.md"
    edit(path, "quiz: basics", "quiz: basic")
    problems = problems_of(quiz_course_dir)
    assert "lessons/01-basics.md:7: quiz 'basic' does not exist (no quizzes/basic.yaml)" in problems
    # The quiz file that lost its lesson is reported too.
    assert any(p.startswith("quizzes/basics.yaml:1: ") for p in problems)


def test_it_rejects_a_lesson_naming_an_exercise_that_does_not_exist(db, quiz_course_dir):
    path = quiz_course_dir / "lessons" / "01-basics.md"
    edit(path, "exercises: [double]", "exercises: [double, triple]")
    assert problems_of(quiz_course_dir) == [
        "lessons/01-basics.md:6: exercise 'triple' does not exist (no exercises/triple/)"
    ]


def test_a_broken_quiz_link_in_a_lesson_is_reported(db, quiz_course_dir):
    path = quiz_course_dir / "lessons" / "01-basics.md"
    path.write_text(path.read_text() + "\nRetry [it](quiz:ghost).\n")
    assert problems_of(quiz_course_dir) == ["lessons/01-basics.md:13: broken link to quiz 'ghost'"]


def test_a_broken_glossary_link_in_a_quiz_is_reported_with_its_line(db, quiz_course_dir):
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(path, "climbs the [loss](glossary:loss)", "climbs the [loss](glossary:lost)")
    line = line_of(path, "Along the gradient.")
    assert problems_of(quiz_course_dir) == [
        f"quizzes/basics.yaml:{line}: broken link to glossary 'lost'"
    ]


def test_it_reports_every_problem_at_once(db, quiz_course_dir):
    quiz = quiz_course_dir / "quizzes" / "basics.yaml"
    edit(quiz, "kind: ordering", "kind: sorting")
    edit(quiz, "x0: {min: 1, max: 50, step: 1}", "x0: {min: 5, max: 1, step: 1}")
    (quiz_course_dir / "exercises" / "double" / "checks.py").unlink()
    edit(quiz_course_dir / "lessons" / "01-basics.md", "[loss](glossary:loss)", "[l](glossary:x)")
    problems = problems_of(quiz_course_dir)
    assert len(problems) == 4
    assert {p.split(":")[0] for p in problems} == {
        "quizzes/basics.yaml",
        "exercises/double/checks.py",
        "lessons/01-basics.md",
    }


def test_nothing_changes_while_anything_is_invalid(db, quiz_course_dir):
    course_sync(path=quiz_course_dir, selfcheck=False)
    edit(quiz_course_dir / "lessons" / "01-basics.md", "is one number", "is a single number")
    edit(quiz_course_dir / "quizzes" / "basics.yaml", "kind: ordering", "kind: sorting")
    problems_of(quiz_course_dir)
    assert "is one number" in Lesson.objects.get(slug="basics").body_html


def test_editing_a_question_prompt_updates_the_same_row(db, quiz_course_dir):
    course_sync(path=quiz_course_dir, selfcheck=False)
    before = Question.objects.get(slug="two-steps")
    edit(quiz_course_dir / "quizzes" / "basics.yaml", "what is $x_2$?", "find $x_2$.")
    report = course_sync(path=quiz_course_dir, selfcheck=False)
    after = Question.objects.get(slug="two-steps")
    assert after.pk == before.pk
    assert "find" in after.prompt_html and "find" in after.prompt_markdown
    assert report.counts["questions"] == {"updated": 1, "unchanged": 5}


def test_a_removed_question_is_kept_inactive(db, quiz_course_dir):
    course_sync(path=quiz_course_dir, selfcheck=False)
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    text = path.read_text()
    path.write_text(
        text[: text.index("  - id: big-loss")] + text[text.index("  - id: train-step") :]
    )
    report = course_sync(path=quiz_course_dir, selfcheck=False)
    assert Question.objects.get(slug="big-loss").is_active is False
    assert report.counts["questions"]["deactivated"] == 1
    assert Question.objects.get(slug="train-step").position == 4


def test_a_removed_quiz_is_kept_inactive_with_its_questions(db, quiz_course_dir):
    course_sync(path=quiz_course_dir, selfcheck=False)
    (quiz_course_dir / "quizzes" / "basics.yaml").unlink()
    edit(quiz_course_dir / "lessons" / "01-basics.md", "quiz: basics\n", "")
    edit(
        quiz_course_dir / "lessons" / "01-basics.md",
        ", then take [the checkpoint](quiz:basics)",
        "",
    )
    course_sync(path=quiz_course_dir, selfcheck=False)
    assert Quiz.objects.get(slug="basics").is_active is False
    assert not Question.objects.filter(is_active=True).exists()


def test_the_report_counts_created_updated_and_unchanged(db, quiz_course_dir):
    first = course_sync(path=quiz_course_dir, selfcheck=False)
    assert first.counts["questions"] == {"created": 6}
    assert first.counts["quizzes"] == {"created": 1}
    edit(quiz_course_dir / "quizzes" / "basics.yaml", "pass_threshold: 0.8", "pass_threshold: 0.5")
    second = course_sync(path=quiz_course_dir, selfcheck=False)
    assert second.counts["quizzes"] == {"updated": 1}
    assert second.counts["lessons"] == {"unchanged": 1}
    assert Quiz.objects.get().pass_threshold == 0.5


def test_the_command_prints_the_counts(db, quiz_course_dir, capsys):
    call_command("sync_course", str(quiz_course_dir), "--skip-selfcheck")
    out = capsys.readouterr().out
    assert "quizzed: imported" in out and "questions: 6 created" in out
    call_command("sync_course", str(quiz_course_dir), "--skip-selfcheck")
    assert "quizzed: unchanged" in capsys.readouterr().out
