"""The scaffolds (courses/scaffold.py) and their commands: what they write loads with no
problems, imports with sync_course (its self-check in the sandbox included) and passes
`manage.py selfcheck` unchanged; the exercise's known mistake gets its hint; bad input is
refused with a clear message and writes nothing."""

import re

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from courses import scaffold
from courses.importing import load_course_dir
from courses.importing.rendering import render_course
from courses.importing.schema import SLUG
from courses.models import Course
from judge.engine import grade_source
from judge.exercise import exercise_from_course
from sandbox import isolated_sandbox
from tests.helpers import course_copy

LESSON = scaffold.FIRST_LESSON
EXERCISE = scaffold.FIRST_EXERCISE


def files_under(root) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def problems_of(root) -> list[str]:
    """Every problem the importer's first two phases find (files, then links)."""
    source, problems = load_course_dir(root)
    assert source is not None, [str(p) for p in problems]
    _, link_problems = render_course(source)
    return [str(p) for p in problems + link_problems]


def front_matter(path) -> dict:
    return yaml.safe_load(path.read_text().split("---")[1])


def exercise_meta(root, slug) -> dict:
    return yaml.safe_load((root / "exercises" / slug / "exercise.yaml").read_text())


@pytest.fixture
def course_dir(tmp_path):
    root = tmp_path / "first-course"
    scaffold.new_course(root, slug="first-course", title="A first course")
    return root


@pytest.fixture
def shipped_copy(tmp_path):
    return course_copy(settings.SHIPPED_COURSE_DIR, tmp_path)


@pytest.fixture(scope="module")
def sandbox():
    """This process's sandbox, proven isolated: the exercise is graded in the real jail."""
    return isolated_sandbox()


def grade(root, slug, name, sandbox, seed=5):
    spec = exercise_from_course(root, slug)
    source = (root / "exercises" / slug / name).read_text()
    return grade_source(source, spec, sandbox, seed=seed)


# A new course ---------------------------------------------------------------------------


def test_a_new_course_loads_with_no_problems(course_dir):
    assert problems_of(course_dir) == []
    source, _ = load_course_dir(course_dir)
    assert [lesson.slug for lesson in source.lessons] == [LESSON]
    assert source.lessons[0].front.exercises == [EXERCISE]
    assert source.lessons[0].front.quiz == LESSON
    assert list(source.quizzes) == [LESSON]
    assert list(source.exercises) == [EXERCISE]
    assert [entry.slug for entry in source.glossary] == ["gradient", "learning-rate"]


def test_a_new_course_lists_every_file_it_wrote(tmp_path):
    root = tmp_path / "first-course"
    created = scaffold.new_course(root, slug="first-course", title="A first course")
    assert sorted(created) == sorted(files_under(root))
    assert created.updated == []


def test_a_new_course_imports_with_sync_course_and_passes_its_self_check(db, course_dir, capsys):
    call_command("sync_course", str(course_dir))
    out = capsys.readouterr().out
    assert f"self-checked: {EXERCISE}" in out
    assert "first-course: imported" in out
    course = Course.objects.get(slug="first-course")
    assert course.title == "A first course"
    assert list(course.lessons.values_list("slug", flat=True)) == [LESSON]
    assert course.quizzes.get(slug=LESSON).questions.count() == 5
    exercise = course.exercises.get(slug=EXERCISE)
    assert exercise.lesson.slug == LESSON
    assert exercise.content_hash  # recorded only when the self-check passed
    assert exercise.known_mistakes == [{"slug": scaffold.MISTAKE, "title": "missing factor 2"}]


def test_a_new_course_may_go_into_a_fresh_git_repository(tmp_path):
    root = tmp_path / "first-course"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    scaffold.new_course(root, slug="first-course", title="A first course")
    assert problems_of(root) == []
    assert (root / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"


# The exercise grades as its files say -------------------------------------------------------


def test_the_reference_scores_one_and_the_starter_below(course_dir, sandbox):
    reference = grade(course_dir, EXERCISE, "reference.py", sandbox)
    assert (reference.verdict, reference.score) == ("passed", 1.0), reference.message
    assert grade(course_dir, EXERCISE, "starter.py", sandbox).score < 1.0


def test_the_known_mistake_is_recognised_and_gets_its_hint(course_dir, sandbox):
    result = grade(course_dir, EXERCISE, f"mistakes/{scaffold.MISTAKE}.py", sandbox)
    assert result.verdict == "failed"
    assert result.mistake == scaffold.MISTAKE
    [mistake] = exercise_meta(course_dir, EXERCISE)["mistakes"]
    assert mistake["file"] == f"mistakes/{scaffold.MISTAKE}.py"
    assert result.hint == mistake["hint"]


def test_the_grading_quality_corpus_grades_as_labelled(course_dir, sandbox):
    folder = course_dir / "exercises" / EXERCISE
    [correct] = sorted((folder / "tests" / "correct").glob("*.py"))
    [wrong] = sorted((folder / "tests" / "wrong").glob("*.py"))
    assert wrong.read_text().startswith("# wrong: ")
    for seed in (1, 2):
        result = grade(course_dir, EXERCISE, f"tests/correct/{correct.name}", sandbox, seed)
        assert result.verdict == "passed", [c.message for c in result.checks if not c.passed]
    result = grade(course_dir, EXERCISE, f"tests/wrong/{wrong.name}", sandbox)
    assert result.verdict == "failed"
    assert all(c.message for c in result.checks if not c.passed)


# A new exercise -----------------------------------------------------------------------------


def test_a_new_exercise_in_the_shipped_course_passes_selfcheck(shipped_copy, capsys):
    call_command(
        "new_exercise", "line-fit-gradient", "--course", str(shipped_copy), "--lesson", LESSON
    )
    call_command("selfcheck", "--course", str(shipped_copy), "line-fit-gradient")
    assert "line-fit-gradient: ok" in capsys.readouterr().out
    assert problems_of(shipped_copy) == []


def test_a_new_exercise_is_appended_to_its_lesson_and_nothing_else_changes(shipped_copy):
    lesson = shipped_copy / "lessons" / "03-gradient-descent.md"
    before = lesson.read_text().splitlines()
    created = scaffold.new_exercise(shipped_copy, "line-fit-gradient", title="Fit", lesson=LESSON)
    assert created.updated == ["lessons/03-gradient-descent.md"]
    after = lesson.read_text().splitlines()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert changed == [
        (
            "exercises: [gradient-descent, linear-regression-gd]",
            "exercises: [gradient-descent, linear-regression-gd, line-fit-gradient]",
        )
    ]
    assert exercise_meta(shipped_copy, "line-fit-gradient")["lesson"] == LESSON


def test_without_a_lesson_it_goes_to_the_last_lesson_of_the_study_path(shipped_copy):
    created = scaffold.new_exercise(shipped_copy, "line-fit-gradient", title="Fit")
    assert created.updated == ["lessons/15-capstone.md"]
    assert exercise_meta(shipped_copy, "line-fit-gradient")["lesson"] == "capstone"
    assert problems_of(shipped_copy) == []


def test_a_block_list_of_exercises_keeps_its_style(course_dir):
    lesson = course_dir / "lessons" / f"01-{LESSON}.md"
    lesson.write_text(
        lesson.read_text().replace(
            f"exercises: [{EXERCISE}]", f"exercises:\n  - {EXERCISE}  # the first one"
        )
    )
    scaffold.new_exercise(course_dir, "second-gradient", title="Second", lesson=LESSON)
    assert f"  - {EXERCISE}  # the first one\n  - second-gradient\n" in lesson.read_text()
    assert problems_of(course_dir) == []


def test_an_exercise_its_lesson_lists_already_is_not_listed_twice(course_dir):
    lesson = course_dir / "lessons" / f"01-{LESSON}.md"
    lesson.write_text(
        lesson.read_text().replace(
            f"exercises: [{EXERCISE}]", f"exercises: [{EXERCISE}, second-gradient]"
        )
    )
    created = scaffold.new_exercise(course_dir, "second-gradient", title="Second", lesson=LESSON)
    assert created.updated == []
    assert front_matter(lesson)["exercises"] == [EXERCISE, "second-gradient"]
    assert problems_of(course_dir) == []


def test_the_new_exercise_lists_every_file_it_wrote(course_dir):
    created = scaffold.new_exercise(course_dir, "second-gradient", title="Second")
    folder = course_dir / "exercises" / "second-gradient"
    assert sorted(created) == sorted(f"exercises/second-gradient/{n}" for n in files_under(folder))
    assert {"exercise.yaml", "statement.md", "starter.py", "reference.py", "checks.py"} <= set(
        files_under(folder)
    )


def test_slugs_yaml_would_read_as_another_type_are_quoted(course_dir):
    scaffold.new_lesson(course_dir, "yes", title="Yes")
    scaffold.new_exercise(course_dir, "2024", title="A year", lesson="yes")
    assert problems_of(course_dir) == []
    assert exercise_from_course(course_dir, "2024").entry == "f_2024"
    assert front_matter(course_dir / "lessons" / "02-yes.md")["exercises"] == ["2024"]


def test_a_failed_write_leaves_nothing_behind(course_dir, monkeypatch):
    before = files_under(course_dir)

    def disk_full(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(scaffold, "_replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        scaffold.new_exercise(course_dir, "second-gradient", title="Second")
    assert files_under(course_dir) == before
    assert not (course_dir / "exercises" / "second-gradient").exists()


# A new lesson -----------------------------------------------------------------------------


def test_a_new_lesson_and_its_checkpoint_validate(course_dir):
    created = scaffold.new_lesson(course_dir, "momentum", title="Momentum")
    assert created == ["lessons/02-momentum.md", "quizzes/momentum.yaml"]
    assert created.updated == ["course.yaml"]
    assert problems_of(course_dir) == []
    manifest = yaml.safe_load((course_dir / "course.yaml").read_text())
    assert manifest["lessons"] == [LESSON, "momentum"]
    front = front_matter(course_dir / "lessons" / "02-momentum.md")
    assert (front["slug"], front["title"], front["quiz"]) == ("momentum", "Momentum", "momentum")


def test_a_new_lesson_takes_the_next_number(shipped_copy):
    created = scaffold.new_lesson(shipped_copy, "line-search", title="Line search")
    assert created[0] == "lessons/16-line-search.md"
    assert problems_of(shipped_copy) == []


# The commands -----------------------------------------------------------------------------


def test_the_commands_print_what_they_wrote_and_what_to_run_next(tmp_path, capsys):
    root = tmp_path / "first-course"
    call_command("new_course", str(root))
    out = capsys.readouterr().out.splitlines()
    assert f"created {root / 'course.yaml'}" in out
    assert f"created {root / 'exercises' / EXERCISE / 'checks.py'}" in out
    assert out[-1] == f"next: python manage.py sync_course {root}"

    call_command("new_lesson", "momentum", "--course", str(root), "--title", "Momentum")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"created {root / 'lessons' / '02-momentum.md'}",
        f"created {root / 'quizzes' / 'momentum.yaml'}",
        f"updated {root / 'course.yaml'}",
        f"next: python manage.py sync_course {root}",
    ]

    call_command("new_exercise", "momentum-step", "--course", str(root))
    out = capsys.readouterr().out.splitlines()
    assert f"updated {root / 'lessons' / '02-momentum.md'}" in out
    assert out[-1] == f"next: python manage.py selfcheck --course {root} momentum-step"
    assert problems_of(root) == []


def test_new_course_takes_its_slug_from_the_folder_and_a_title_from_the_slug(tmp_path):
    root = tmp_path / "intro-to-descent"
    call_command("new_course", str(root))
    manifest = yaml.safe_load((root / "course.yaml").read_text())
    assert (manifest["slug"], manifest["title"]) == ("intro-to-descent", "Intro to descent")


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["new_lesson", "Momentum"], "'Momentum' is not a valid lesson slug"),
        (["new_lesson", LESSON], f"lesson '{LESSON}' already exists (lessons/01-{LESSON}.md)"),
        (["new_exercise", "two--dashes"], "'two--dashes' is not a valid exercise slug"),
        (
            ["new_exercise", EXERCISE],
            f"exercise '{EXERCISE}' already exists (exercises/{EXERCISE}/)",
        ),
        (["new_exercise", "other", "--lesson", "ghost"], "lesson 'ghost' does not exist"),
        (["new_lesson", "long", "--title", "x" * 181], "the lesson title has 181 characters"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_writes_nothing(course_dir, command, message):
    before = files_under(course_dir)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command(*command, "--course", str(course_dir))
    assert files_under(course_dir) == before


@pytest.mark.parametrize("command", ["new_lesson", "new_exercise"])
def test_a_folder_without_course_yaml_is_not_a_course(tmp_path, command):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "README.md").write_text("notes\n")
    with pytest.raises(CommandError, match="is not a course directory: it has no course.yaml"):
        call_command(command, "first", "--course", str(folder))
    assert files_under(folder) == {"README.md": b"notes\n"}


def test_new_course_refuses_a_folder_that_is_not_empty(course_dir):
    before = files_under(course_dir)
    with pytest.raises(CommandError, match="already exists and is not empty"):
        call_command("new_course", str(course_dir))
    assert files_under(course_dir) == before


def test_new_course_refuses_a_bad_slug_and_creates_no_folder(tmp_path):
    root = tmp_path / "course"
    with pytest.raises(CommandError, match="'Bad Slug' is not a valid course slug"):
        call_command("new_course", str(root), "--slug", "Bad Slug")
    assert not root.exists()


def test_new_course_asks_for_a_slug_when_the_folder_name_is_not_one(tmp_path):
    root = tmp_path / "My Course"
    with pytest.raises(CommandError, match="the folder's name 'My Course' .* give one with --slug"):
        call_command("new_course", str(root))
    assert not root.exists()


def test_its_slug_rule_is_the_importers():
    assert scaffold.SLUG.pattern == SLUG.pattern
