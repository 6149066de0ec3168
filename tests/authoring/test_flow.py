"""The whole authoring path through the web pages, on a bare git repository: register,
sync (log), preview a lesson and submit to an exercise in preview, publish, edit a lesson
and an exercise's checks in the browser editor (commits appear in the repository), publish
again with a summary naming exactly what changed, and students' progress made between the
two publishes intact; then roll back."""

import json

import pytest
from django.urls import reverse

from authoring.models import CourseSource, CourseVersion, SyncRun
from authoring.services import SYNC_TASK
from courses.models import Course, LessonProgress
from courses.services import cohort_create, cohort_join
from grading import tasks
from grading.models import Submission
from tests.conftest import person

from .conftest import RIGHT, STRICTER_CHECKS, run_sync

pytestmark = pytest.mark.django_db(transaction=True)


def _post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _sync_queued(published) -> SyncRun:
    names = [args[0] for task, args in published if task == SYNC_TASK]
    assert names, f"no sync was queued: {published}"
    return SyncRun.objects.get(pk=names[-1])


def _register(client, course_repo) -> tuple[CourseSource, SyncRun]:
    response = client.post(
        reverse("authoring:source_new"),
        {"name": "Tiny course", "repo_url": str(course_repo.bare), "branch": "main"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    source = CourseSource.objects.get(name="Tiny course")
    return source, SyncRun.objects.get(source=source)


def test_register_sync_preview_publish_edit_publish_again(client, author, course_repo, published):
    client.force_login(author)
    assert client.get(reverse("teaching:home")).status_code == 200

    # Register: the first sync is queued; the worker runs it and the log says what it did.
    source, run = _register(client, course_repo)
    assert run.trigger == SyncRun.Trigger.REGISTER
    run = run_sync(run)
    assert run.state == SyncRun.State.SUCCEEDED, run.log
    page = client.get(reverse("authoring:sync", args=[run.pk])).content.decode()
    assert "no problems" in page
    assert "✓ mean-abs: reference passed 1.00" in page
    log = client.get(reverse("authoring:sync_log", args=[run.pk]) + "?after=0").json()
    assert log["done"]
    assert log["version_url"] == reverse("authoring:version", args=[run.version_id])

    # A draft: students see nothing of it; the author previews it as a student would.
    version1 = run.version
    assert version1.status == "draft"
    assert not Course.objects.filter(slug="tiny").exists()
    response = client.post(reverse("authoring:version_preview", args=[version1.pk]))
    preview = version1.preview
    assert response.url == reverse("courses:course", args=[preview.slug])
    lesson = client.get(reverse("courses:lesson", args=[preview.slug, "first"]))
    assert lesson.status_code == 200
    text = lesson.content.decode()
    assert "preview-banner" in text
    assert "draft version 1" in text
    # In preview, the author submits to the exercise, and the real grader grades it.
    exercise_url = reverse("grading:exercise", args=[preview.slug, "mean-abs"])
    client.post(exercise_url, {"source": RIGHT})
    tried = Submission.objects.get(exercise__course=preview)
    assert tasks.grade_submission.apply(args=(tried.id,)).get() == "passed"

    # Publish: the course appears for students, a cohort opens, a student works.
    summary_page = client.get(reverse("authoring:version", args=[version1.pk])).content.decode()
    assert "Nothing of this course is published yet" in summary_page
    client.post(reverse("authoring:version_publish", args=[version1.pk]))
    course = Course.objects.get(slug="tiny")
    assert not course.is_preview
    assert course.authors.filter(pk=author.pk).exists()
    source.refresh_from_db()
    assert source.published == version1
    assert source.course == course

    student = person("ada")
    cohort = cohort_create(course=course, name="Term 1", created_by=author)
    cohort_join(cohort=cohort, user=student)
    client.force_login(student)
    assert client.get(reverse("courses:lesson", args=[preview.slug, "first"])).status_code == 404
    client.post(
        reverse("courses:lesson_think", args=["tiny", "first"]), {"answer": "How wrong we are"}
    )
    client.post(reverse("grading:exercise", args=["tiny", "mean-abs"]), {"source": RIGHT})
    submission = Submission.objects.get(student=student)
    assert tasks.grade_submission.apply(args=(submission.id,)).get() == "passed"
    progress = LessonProgress.objects.get(user=student, lesson__slug="first")
    assert progress.think_answer == "How wrong we are"
    # Nothing the author did in preview is in the published course.
    assert not Submission.objects.filter(exercise__course=course, student=author).exists()

    # Edit in the browser: a lesson and the exercise's checks, each a commit by the author.
    client.force_login(author)
    assert client.get(reverse("authoring:editor", args=[source.pk])).status_code == 200
    lesson_path = "lessons/02-second.md"
    opened = client.get(reverse("authoring:file", args=[source.pk]) + f"?path={lesson_path}")
    content = opened.json()["content"]
    edited = content + "\nA new closing paragraph.\n"
    rendered = _post_json(
        client,
        reverse("authoring:render", args=[source.pk]),
        {"path": lesson_path, "content": edited},
    ).json()
    assert "A new closing paragraph." in rendered["html"]
    assert rendered["problems"] == []
    saved = _post_json(
        client,
        reverse("authoring:save", args=[source.pk]),
        {"path": lesson_path, "content": edited, "message": "Close lesson 2", "base": version1.sha},
    )
    assert saved.status_code == 200, saved.content
    first_commit = saved.json()["commit"]
    assert course_repo.head() == first_commit
    assert course_repo.log()[0] == "Mary|Close lesson 2"
    busy = SyncRun.objects.get(source=source, state=SyncRun.State.QUEUED)
    run_sync(busy)

    checks_path = "exercises/mean-abs/checks.py"
    checks = client.get(reverse("authoring:file", args=[source.pk]) + f"?path={checks_path}")
    version2 = CourseVersion.objects.get(source=source, number=2)
    saved = _post_json(
        client,
        reverse("authoring:save", args=[source.pk]),
        {
            "path": checks_path,
            "content": checks.json()["content"] + STRICTER_CHECKS,
            "message": "A worked example as a check",
            "base": version2.sha,
        },
    )
    assert saved.status_code == 200, saved.content
    assert course_repo.log()[0] == "Mary|A worked example as a check"
    run = run_sync(_sync_queued(published))
    assert run.state == SyncRun.State.SUCCEEDED, run.log
    assert "✓ mean-abs: reference passed" in run.log
    version3 = run.version
    assert version3.number == 3

    # The summary names exactly what changed, before publishing.
    page = client.get(reverse("authoring:version", args=[version3.pk])).content.decode()
    assert "Compared with version 1" in page
    from authoring.changes import publish_changes

    summary = publish_changes(version3)
    assert summary["lessons"] == {
        "added": [],
        "changed": [["second", "Second lesson"]],
        "removed": [],
    }
    assert summary["exercises"] == {
        "added": [], "changed": [["mean-abs", "Mean absolute value"]], "removed": []
    }  # fmt: skip
    assert summary["checks_changed"] == [
        {"slug": "mean-abs", "title": "Mean absolute value", "submissions": 1}
    ]
    assert summary["questions"] == {"added": [], "changed": [], "removed": []}
    assert summary["answer_keys"] == []
    assert not summary["nothing"]

    client.post(reverse("authoring:version_publish", args=[version3.pk]))
    source.refresh_from_db()
    assert source.published == version3
    course.refresh_from_db()
    assert course.source_path == version3.checkout
    assert "A new closing paragraph." in course.lessons.get(slug="second").body_markdown

    # Students' progress and submissions made under version 1 survive.
    progress.refresh_from_db()
    assert progress.think_answer == "How wrong we are"
    assert Submission.objects.get(pk=submission.pk).verdict == "passed"
    # The published version's page offers the regrade of what its checks changed.
    page = client.get(reverse("authoring:version", args=[version3.pk])).content.decode()
    assert "Regrade 1" in page

    # Roll back: version 1 again, the old checks graded from its own files.
    client.post(reverse("authoring:version_publish", args=[version1.pk]))
    source.refresh_from_db()
    course.refresh_from_db()
    assert source.published == version1
    assert course.source_path == version1.checkout
    assert "A new closing paragraph." not in course.lessons.get(slug="second").body_markdown
    assert LessonProgress.objects.get(pk=progress.pk).think_answer == "How wrong we are"
