import shutil

import pytest
from django.core.management import CommandError, call_command

from courses.importer import CourseInvalid, course_sync
from courses.models import Course, Lesson
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
