"""The publish summary names exactly what a version changes for students."""

import pytest

from authoring import services
from authoring.changes import publish_changes
from courses.models import Quiz, QuizAttempt
from tests.conftest import person

from .conftest import run_sync

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(author, course_repo, published):
    source = services.source_create(user=author, name="Tiny", repo_url=str(course_repo.bare))
    run = run_sync(services.sync_start(source=source, trigger="button", user=author))
    services.version_publish(version=run.version, user=author)
    return source


def _next_version(source, author):
    run = run_sync(services.sync_start(source=source, trigger="button", user=author))
    assert run.state == "succeeded", run.log
    return run.version


def _edit(course_repo, path: str, old: str, new: str) -> None:
    target = course_repo.work / path
    text = target.read_text()
    assert old in text, (path, old)
    target.write_text(text.replace(old, new, 1))


def test_an_answer_key_change_is_named_with_the_attempts_it_concerns(live, author, course_repo):
    QuizAttempt.objects.create(
        user=person("ada"), quiz=Quiz.objects.get(course__slug="tiny"), seed="s", score=1,
        passed=True,
    )  # fmt: skip
    quiz = "quizzes/first.yaml"
    _edit(course_repo, quiz, "        correct: true\n", "")
    _edit(course_repo, quiz, 'weights."\n', 'weights."\n        correct: true\n')
    course_repo.commit_and_push("The other answer is right now")
    summary = publish_changes(_next_version(live, author))
    assert summary["answer_keys"] == [{"quiz": "first", "questions": ["loss-is"], "attempts": 1}]
    assert summary["questions"]["changed"] == ["first/loss-is"]
    assert summary["lessons"] == {"added": [], "changed": [], "removed": []}
    assert summary["checks_changed"] == []


def test_wording_statement_and_removals_are_not_answer_key_or_check_changes(
    live, author, course_repo
):
    _edit(course_repo, "quizzes/first.yaml", "What is a loss?", "What is a loss, in one line?")
    _edit(course_repo, "exercises/mean-abs/statement.md", "\n", "\nNow with a clearer intro.\n")
    course_yaml = course_repo.work / "course.yaml"
    course_yaml.write_text(course_yaml.read_text().replace("[first, second]", "[first]"))
    (course_repo.work / "lessons" / "02-second.md").unlink()
    lesson = course_repo.work / "lessons" / "01-first.md"
    lesson.write_text(lesson.read_text().replace(" Next: [second](lesson:second).", ""))
    course_repo.commit_and_push("Shorter course")
    summary = publish_changes(_next_version(live, author))
    assert summary["questions"] == {"added": [], "changed": ["first/loss-is"], "removed": []}
    assert summary["answer_keys"] == []
    assert summary["exercises"]["changed"] == [["mean-abs", "Mean absolute value"]]
    assert summary["checks_changed"] == []
    assert summary["lessons"] == {
        "added": [],
        "changed": [["first", "First lesson"]],
        "removed": [["second", "Second lesson"]],
    }


def test_a_version_identical_to_the_published_one_changes_nothing(live, author, course_repo):
    readme = course_repo.work / "NOTES.txt"
    readme.write_text("Notes for the course team; not course content.\n")
    course_repo.commit_and_push("Notes")
    summary = publish_changes(_next_version(live, author))
    assert summary["nothing"] is True
