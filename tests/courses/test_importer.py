from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from courses.importing import CourseInvalid, course_sync
from courses.models import Course, Exercise, Lesson, Question, Quiz
from tests.courses.conftest import edit, line_of


@pytest.fixture
def course_dir(course_min_dir):
    return course_min_dir


def test_it_imports_a_course_with_its_lessons_in_study_path_order(db, course_dir):
    report = course_sync(path=course_dir)
    assert report.created
    assert report.changed
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


def test_the_shipped_course_imports_cleanly_with_every_quiz_and_exercise(db, selfcheck):
    report = course_sync(path=settings.SHIPPED_COURSE_DIR, selfcheck=selfcheck)
    course = report.course
    assert course.lessons.count() == 15
    assert course.quizzes.filter(is_active=True).count() == 15
    assert course.exercises.filter(is_active=True).count() == 21
    assert (
        Question.objects.filter(quiz__course=course).count()
        == report.counts["questions"]["created"]
    )
    for quiz in course.quizzes.select_related("lesson"):
        assert quiz.questions.count() >= 5
    # Every exercise passed its self-check, so its files' hash is recorded.
    assert not course.exercises.filter(content_hash="").exists()
    assert len(report.selfchecked) == 21


def test_a_second_sync_of_the_shipped_course_changes_nothing(db):
    course_sync(path=settings.SHIPPED_COURSE_DIR)
    before = {
        model: list(model.objects.order_by("pk").values())
        for model in (Course, Lesson, Quiz, Question, Exercise)
    }
    report = course_sync(path=settings.SHIPPED_COURSE_DIR)
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
    course_sync(path=settings.SHIPPED_COURSE_DIR)
    lesson = Lesson.objects.get(slug="loss")
    assert 'href="/courses/gradient-descent/exercises/mse-loss/"' in lesson.body_html
    assert 'href="/courses/gradient-descent/lessons/loss/#checkpoint"' in lesson.body_html
    assert Quiz.objects.get(slug="loss").lesson == lesson
    assert list(lesson.exercises.order_by("position").values_list("slug", flat=True)) == [
        "mse-loss",
        "mse-grad",
        "softmax-cross-entropy",
    ]


# Quizzes ----------------------------------------------------------------------------


def problems_of(course_dir) -> list[str]:
    with pytest.raises(CourseInvalid) as info:
        course_sync(path=course_dir)
    return [str(p) for p in info.value.problems]


def test_it_imports_a_quiz_with_its_questions_in_file_order(db, quiz_course_dir):
    course_sync(path=quiz_course_dir)
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
    course_sync(path=quiz_course_dir)
    choices = Question.objects.get(slug="direction").spec["choices"]
    assert "/courses/quizzed/glossary/#term-loss" in choices[1]["explanation_html"]
    assert choices[0]["text_html"] == "<p>Against the gradient.</p>"


QUIZ = "quizzes/basics.yaml"
LESSON = "lessons/01-basics.md"
EXERCISE = "exercises/double/exercise.yaml"


@dataclass
class Rejection:
    """One way to break the quiz course: edits (file, old, new), then the one problem
    reported. ``expected`` may hold {line}: the line of ``at`` in ``file``; ``contains``
    asks only for a part of the message instead of all of it."""

    edits: list[tuple[str, str, str]]
    expected: str
    at: str | None = None
    contains: bool = False
    among: bool = False  # one of several problems (the others follow from it)

    def file(self) -> str:
        return self.edits[0][0]


REJECTIONS = {
    "unknown question kind": Rejection(
        [(QUIZ, "kind: ordering", "kind: sorting")],
        "quizzes/basics.yaml:{line}: unknown question kind 'sorting' (expected one of: "
        "single, multiple, numeric, ordering, param_numeric)",
        at="kind: sorting",
    ),
    "single choice without a correct one": Rejection(
        [
            (
                QUIZ,
                '        correct: true\n        explanation: "The gradient',
                '        explanation: "The gradient',
            )
        ],
        "quizzes/basics.yaml:{line}: a single-choice question needs exactly one correct "
        "choice, not 0",
        at="choices:",
    ),
    "numeric question without an answer": Rejection(
        [(QUIZ, "    answer: 1.92\n", "")],
        "quizzes/basics.yaml:{line}: missing required field 'answer'",
        at="id: two-steps",
    ),
    "choice without an explanation": Rejection(
        [(QUIZ, '        explanation: "A wall is steep, not level."\n', "")],
        "quizzes/basics.yaml:{line}: missing required field 'explanation'",
        at="On a steep wall.",
    ),
    "bad YAML": Rejection(
        [(QUIZ, 'items: ["Forward pass",', 'items: ["Forward pass", {unclosed: ')],
        "bad YAML",
        contains=True,
    ),
    "expression that does not parse": Rejection(
        [(QUIZ, 'answer: "x0 - alpha * 2 * a * x0"', 'answer: "x0 - alpha * (2 * a * x0"')],
        "quizzes/basics.yaml:{line}: answer expression 'x0 - alpha * (2 * a * x0'",
        at='answer: "x0 - alpha',
        contains=True,
    ),
    "expression naming an unknown param": Rejection(
        [(QUIZ, 'answer: "x0 - alpha * 2 * a * x0"', 'answer: "x0 - lr * 2 * a * x0"')],
        "unknown name 'lr'",
        contains=True,
    ),
    "expression calling something": Rejection(
        [(QUIZ, 'answer: "x0 - alpha * 2 * a * x0"', "answer: \"__import__('os').getcwd()\"")],
        "answer expression \"__import__('os').getcwd()\"",
        contains=True,
    ),
    "expression failing for some drawn numbers": Rejection(
        [
            (QUIZ, "a: {choices: [1, 2, 3]}", "a: {choices: [0, 1]}"),
            (QUIZ, 'answer: "x0 - alpha * 2 * a * x0"', 'answer: "x0 / a"'),
        ],
        "cannot be evaluated",
        contains=True,
    ),
    "empty param range": Rejection(
        [(QUIZ, "x0: {min: 1, max: 50, step: 1}", "x0: {min: 5, max: 1, step: 1}")],
        "quizzes/basics.yaml:{line}: param 'x0' has an empty range: max 1 is below min 5",
        at="x0: {min: 5",
    ),
    "param with no choices": Rejection(
        [(QUIZ, "a: {choices: [1, 2, 3]}", "a: {choices: []}")],
        "quizzes/basics.yaml:{line}: param 'a' has an empty list of choices",
        at="a: {choices: []}",
    ),
    "tolerance of an unknown kind": Rejection(
        [(QUIZ, "tolerance: {abs: 0.001}", "tolerance: {percent: 1}")],
        "quizzes/basics.yaml:{line}: tolerance must be exactly one of {{abs: x}} or {{rel: x}}",
        at="tolerance: {percent",
    ),
    "unknown field in a question": Rejection(
        [(QUIZ, "    answer: 1.92\n", '    answer: 1.92\n    hint: "think"\n')],
        "quizzes/basics.yaml:{line}: unknown field 'hint' for a numeric question",
        at='hint: "think"',
    ),
    "two questions with one id": Rejection(
        [(QUIZ, "id: big-loss", "id: two-steps")],
        "duplicate question id 'two-steps'",
        contains=True,
    ),
    "lesson naming an exercise that does not exist": Rejection(
        [(LESSON, "exercises: [double]", "exercises: [double, triple]")],
        "lessons/01-basics.md:{line}: exercise 'triple' does not exist (no exercises/triple/)",
        at="exercises: [double, triple]",
    ),
    "broken glossary link in a quiz": Rejection(
        [(QUIZ, "climbs the [loss](glossary:loss)", "climbs the [loss](glossary:lost)")],
        "quizzes/basics.yaml:{line}: broken link to glossary 'lost'",
        at="Along the gradient.",
    ),
    "unknown field in exercise.yaml": Rejection(
        [(EXERCISE, "entry: double", "entry: double\nsolution: reference.py")],
        "exercises/double/exercise.yaml:{line}: unknown field 'solution' in exercise.yaml",
        at="solution:",
    ),
    "signature naming another function": Rejection(
        [(EXERCISE, '"double(x) -> ndarray"', '"twice(x)"')],
        "exercises/double/exercise.yaml:{line}: signature names 'twice' but entry is 'double'",
        at="signature:",
    ),
    "exercise for a lesson that does not exist": Rejection(
        [(EXERCISE, "lesson: basics", "lesson: advanced")],
        "exercises/double/exercise.yaml: lesson 'advanced' does not exist",
        among=True,
    ),
    "points that are not a number": Rejection(
        [(EXERCISE, "points: 5", 'points: "5"')],
        "exercises/double/exercise.yaml:{line}: points must be a number above 0",
        at='points: "5"',
    ),
    "an unknown limit": Rejection(
        [(EXERCISE, "limits: {time_s: 5, memory_mb: 256}", "limits: {time_s: 5, cpu: 1}")],
        "exercises/double/exercise.yaml:{line}: unknown limit 'cpu' (expected time_s, memory_mb)",
        at="limits:",
    ),
    "a known mistake without its hint": Rejection(
        [(EXERCISE, '    hint: "You divided by two; multiply instead."\n', "")],
        "exercises/double/exercise.yaml:{line}: mistake 1 needs 'hint' (text)",
        at="- file: mistakes/halves.py",
    ),
    "a reference that does not define the entry": Rejection(
        [("exercises/double/reference.py", "def double(x):", "def twice(x):")],
        "exercises/double/reference.py:1: does not define 'double' at the top level",
    ),
    "a lesson front matter field of the wrong type": Rejection(
        [(LESSON, "think: Which", "minutes: soon\nthink: Which")],
        "lessons/01-basics.md:{line}: field 'minutes' must be a whole number above 0",
        at="minutes: soon",
    ),
    "an unknown field in the front matter": Rejection(
        [(LESSON, "quiz: basics", "quiz: basics\nauthor: me")],
        "lessons/01-basics.md:{line}: unknown field 'author' in the front matter",
        at="author: me",
    ),
}


@pytest.mark.parametrize("rejection", REJECTIONS.values(), ids=REJECTIONS.keys())
def test_it_rejects_a_broken_course_with_file_and_line_and_imports_nothing(
    db, quiz_course_dir, rejection
):
    for file, old, new in rejection.edits:
        edit(quiz_course_dir / file, old, new)
    expected = rejection.expected
    if rejection.at is not None:
        line = line_of(quiz_course_dir / rejection.file(), rejection.at.split("\n")[0])
        expected = expected.format(line=line)
    problems = problems_of(quiz_course_dir)
    if rejection.among:
        assert expected in problems
    elif rejection.contains:
        assert len(problems) == 1, problems
        assert expected in problems[0], problems
    else:
        assert problems == [expected]
    assert not Course.objects.exists()


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


def test_it_rejects_a_lesson_naming_a_quiz_that_does_not_exist(db, quiz_course_dir):
    path = quiz_course_dir / "lessons" / "01-basics.md"
    edit(path, "quiz: basics", "quiz: basic")
    problems = problems_of(quiz_course_dir)
    line = line_of(path, "quiz: basic")
    assert (
        f"lessons/01-basics.md:{line}: quiz 'basic' does not exist (no quizzes/basic.yaml)"
        in problems
    )
    # The quiz file that lost its lesson is reported too.
    assert any(p.startswith("quizzes/basics.yaml:1: ") for p in problems)


def test_a_broken_quiz_link_in_a_lesson_is_reported(db, quiz_course_dir):
    path = quiz_course_dir / "lessons" / "01-basics.md"
    path.write_text(path.read_text() + "\nRetry [it](quiz:ghost).\n")
    line = line_of(path, "quiz:ghost")
    assert problems_of(quiz_course_dir) == [
        f"lessons/01-basics.md:{line}: broken link to quiz 'ghost'"
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
    course_sync(path=quiz_course_dir)
    edit(quiz_course_dir / "lessons" / "01-basics.md", "is one number", "is a single number")
    edit(quiz_course_dir / "quizzes" / "basics.yaml", "kind: ordering", "kind: sorting")
    problems_of(quiz_course_dir)
    assert "is one number" in Lesson.objects.get(slug="basics").body_html


def test_editing_a_question_prompt_updates_the_same_row(db, quiz_course_dir):
    course_sync(path=quiz_course_dir)
    before = Question.objects.get(slug="two-steps")
    edit(quiz_course_dir / "quizzes" / "basics.yaml", "what is $x_2$?", "find $x_2$.")
    report = course_sync(path=quiz_course_dir)
    after = Question.objects.get(slug="two-steps")
    assert after.pk == before.pk
    assert "find" in after.prompt_html
    assert "find" in after.prompt_markdown
    assert report.counts["questions"] == {"updated": 1, "unchanged": 5}


def test_a_removed_question_is_kept_inactive(db, quiz_course_dir):
    course_sync(path=quiz_course_dir)
    path = quiz_course_dir / "quizzes" / "basics.yaml"
    text = path.read_text()
    path.write_text(
        text[: text.index("  - id: big-loss")] + text[text.index("  - id: train-step") :]
    )
    report = course_sync(path=quiz_course_dir)
    assert Question.objects.get(slug="big-loss").is_active is False
    assert report.counts["questions"]["deactivated"] == 1
    assert Question.objects.get(slug="train-step").position == 4


def test_a_removed_quiz_is_kept_inactive_with_its_questions(db, quiz_course_dir):
    course_sync(path=quiz_course_dir)
    (quiz_course_dir / "quizzes" / "basics.yaml").unlink()
    edit(quiz_course_dir / "lessons" / "01-basics.md", "quiz: basics\n", "")
    edit(
        quiz_course_dir / "lessons" / "01-basics.md",
        ", then take [the checkpoint](quiz:basics)",
        "",
    )
    course_sync(path=quiz_course_dir)
    assert Quiz.objects.get(slug="basics").is_active is False
    assert not Question.objects.filter(is_active=True).exists()


def test_the_report_counts_created_updated_and_unchanged(db, quiz_course_dir):
    first = course_sync(path=quiz_course_dir)
    assert first.counts["questions"] == {"created": 6}
    assert first.counts["quizzes"] == {"created": 1}
    edit(quiz_course_dir / "quizzes" / "basics.yaml", "pass_threshold: 0.8", "pass_threshold: 0.5")
    second = course_sync(path=quiz_course_dir)
    assert second.counts["quizzes"] == {"updated": 1}
    assert second.counts["lessons"] == {"unchanged": 1}
    assert Quiz.objects.get().pass_threshold == 0.5


def test_the_command_prints_the_counts(db, quiz_course_dir, capsys):
    call_command("sync_course", str(quiz_course_dir), "--skip-selfcheck")
    out = capsys.readouterr().out
    assert "quizzed: imported" in out
    assert "questions: 6 created" in out
    call_command("sync_course", str(quiz_course_dir), "--skip-selfcheck")
    assert "quizzed: unchanged" in capsys.readouterr().out
