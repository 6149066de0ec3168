"""Bad input gets a clear message and changes nothing published: an invalid file, a
reference that fails its own checks, a webhook with a wrong secret (and replays), a
repository that cannot be reached, two syncs at once, a path outside the allowed roots,
an edit on a moved branch or that breaks the course; and who may see what."""

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from authoring import services
from authoring.models import CourseSource, SyncRun, WebhookDelivery
from courses.models import Course
from tests.conftest import person

from .conftest import run_sync

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def source(author, course_repo):
    return services.source_create(
        user=author, name="Tiny", repo_url=str(course_repo.bare), branch="main"
    )


@pytest.fixture
def live(source, author, published):
    """The source synced and its first version published: what students see."""
    run = run_sync(services.sync_start(source=source, trigger="button", user=author))
    services.version_publish(version=run.version, user=author)
    source.refresh_from_db()
    return source


def _sync(source, author):
    return run_sync(services.sync_start(source=source, trigger="button", user=author))


def test_an_invalid_file_fails_the_sync_at_its_line_and_changes_nothing(live, author, course_repo):
    lesson = course_repo.work / "lessons" / "02-second.md"
    lesson.write_text(lesson.read_text().replace("title:", "minutes: soon\ntitle:", 1))
    course_repo.commit_and_push("Break lesson 2")
    run = _sync(live, author)
    assert run.state == SyncRun.State.FAILED
    assert "lessons/02-second.md:" in run.log
    assert "minutes" in run.log
    assert "nothing was changed" in run.outcome
    assert live.versions.count() == 1
    assert Course.objects.get(slug="tiny").lessons.get(slug="second").minutes != "soon"


def test_a_reference_that_fails_its_own_checks_fails_the_sync(live, author, course_repo):
    checks = course_repo.work / "exercises" / "mean-abs" / "checks.py"
    checks.write_text(
        checks.read_text() + "\ndef never(call, out):\n    return 'no answer is ever right'\n\n"
        "CHECKS.append(PropertyCheck('impossible', arrays, never, points=1))\n"
    )
    course_repo.commit_and_push("An impossible check")
    run = _sync(live, author)
    assert run.state == SyncRun.State.FAILED, run.log
    assert "✗ mean-abs: reference failed" in run.log
    assert "exercises/mean-abs/reference.py: the reference scores" in run.log
    assert live.versions.count() == 1
    live.refresh_from_db()
    assert live.published.number == 1


def test_an_unreachable_repository_fails_with_a_clear_reason(author, authoring_dirs, published):
    missing = services.source_create(
        user=author, name="Gone", repo_url=str(authoring_dirs / "repos" / "gone.git")
    )
    run = _sync(missing, author)
    assert run.state == SyncRun.State.FAILED
    assert "could not be read" in run.log
    assert "does not exist" in run.log


def test_a_token_never_reaches_the_log(author, authoring_dirs, published):
    secret = "ghp_supersecret123456"
    remote = services.source_create(
        user=author, name="Remote", repo_url="https://127.0.0.1:9/course.git", token=secret
    )
    run = _sync(remote, author)
    assert run.state == SyncRun.State.FAILED
    assert secret not in run.log
    assert secret not in run.outcome
    assert "could not be read" in run.log


def test_two_syncs_at_once_the_second_is_refused(client, source, author, published):
    client.force_login(author)
    first = client.post(reverse("authoring:sync_start", args=[source.pk]))
    second = client.post(reverse("authoring:sync_start", args=[source.pk]), follow=True)
    assert SyncRun.objects.filter(source=source, state__in=SyncRun.ACTIVE).count() == 1
    assert first.url == second.redirect_chain[-1][0]
    assert "already running" in second.content.decode()
    with pytest.raises(services.SyncBusy):
        services.sync_start(source=source, trigger="button")


def test_a_local_path_outside_the_allowed_roots_is_refused(client, author, tmp_path, published):
    client.force_login(author)
    response = client.post(
        reverse("authoring:source_new"), {"name": "Etc", "repo_url": "/etc", "branch": "main"}
    )
    assert response.status_code == 400
    assert "must be under" in response.content.decode()
    for url in ("ext::sh -c touch% /tmp/pwned", "--upload-pack=touch /tmp/x@h:r", "-oProxy@h:r"):
        response = client.post(
            reverse("authoring:source_new"), {"name": "Ext", "repo_url": url, "branch": "main"}
        )
        assert response.status_code == 400, url
    assert not CourseSource.objects.exists()
    assert not published


# Webhooks ------------------------------------------------------------------------------


def _github(client, source, body: dict, *, secret=None, delivery="d-1", event="push"):
    raw = json.dumps(body).encode()
    key = (secret or source.webhook_secret).encode()
    signature = "sha256=" + hmac.new(key, raw, hashlib.sha256).hexdigest()
    return client.post(
        reverse("authoring_hooks:push", args=[source.hook_id]),
        raw,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=signature,
        HTTP_X_GITHUB_EVENT=event,
        HTTP_X_GITHUB_DELIVERY=delivery,
    )


def test_a_webhook_with_a_wrong_secret_starts_nothing(client, source, published):
    push = {"ref": "refs/heads/main", "after": "a" * 40}
    assert _github(client, source, push, secret="guessed").status_code == 403
    gitlab = client.post(
        reverse("authoring_hooks:push", args=[source.hook_id]),
        json.dumps(push),
        content_type="application/json",
        HTTP_X_GITLAB_TOKEN="guessed",
        HTTP_X_GITLAB_EVENT="Push Hook",
    )
    assert gitlab.status_code == 403
    unsigned = client.post(
        reverse("authoring_hooks:push", args=[source.hook_id]),
        json.dumps(push),
        content_type="application/json",
    )
    assert unsigned.status_code == 403
    assert not SyncRun.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_a_signed_push_syncs_once_and_a_replay_is_ignored(client, source, published):
    push = {"ref": "refs/heads/main", "after": "b" * 40}
    assert _github(client, source, {}, event="ping").json() == {"detail": "pong"}
    started = _github(client, source, push)
    assert started.status_code == 202
    assert "started" in started.json()["detail"]
    run = SyncRun.objects.get()
    assert run.trigger == SyncRun.Trigger.WEBHOOK
    SyncRun.objects.filter(pk=run.pk).update(state=SyncRun.State.SUCCEEDED)
    replay = _github(client, source, push)
    assert replay.status_code == 202
    assert "already received" in replay.json()["detail"]
    other = _github(client, source, {"ref": "refs/heads/dev", "after": "c" * 40}, delivery="d-2")
    assert "ignored" in other.json()["detail"]
    assert SyncRun.objects.count() == 1


def test_a_gitlab_push_with_the_token_syncs(client, source, published):
    response = client.post(
        reverse("authoring_hooks:push", args=[source.hook_id]),
        json.dumps({"ref": "refs/heads/main", "after": "d" * 40}),
        content_type="application/json",
        HTTP_X_GITLAB_TOKEN=source.webhook_secret,
        HTTP_X_GITLAB_EVENT="Push Hook",
        HTTP_X_GITLAB_EVENT_UUID="uuid-1",
    )
    assert response.status_code == 202
    assert SyncRun.objects.get().trigger == SyncRun.Trigger.WEBHOOK


# The editor ----------------------------------------------------------------------------


def _save(client, source, **data):
    return client.post(
        reverse("authoring:save", args=[source.pk]),
        json.dumps(data),
        content_type="application/json",
    )


def test_an_edit_on_a_moved_branch_is_refused(client, live, author, course_repo):
    base = live.published.sha
    course_repo.write(
        "lessons/01-first.md", (course_repo.work / "lessons/01-first.md").read_text() + "\nMoved.\n"
    )
    course_repo.commit_and_push("Someone else's push")
    head = course_repo.head()
    client.force_login(author)
    path = "lessons/02-second.md"
    content = (course_repo.work / path).read_text() + "\nMine.\n"
    response = _save(client, live, path=path, content=content, message="Mine", base=base)
    assert response.status_code == 409
    assert "moved" in response.json()["error"]
    assert course_repo.head() == head


def test_an_edit_that_breaks_the_course_is_not_committed(client, live, author, course_repo):
    head = course_repo.head()
    client.force_login(author)
    broken = "---\nslug: second\n---\nNo title.\n"
    response = _save(
        client, live, path="lessons/02-second.md", content=broken, message="x", base=head
    )
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert any(p["file"] == "lessons/02-second.md" and "title" in p["message"] for p in problems)
    assert course_repo.head() == head
    validated = client.post(
        reverse("authoring:validate", args=[live.pk]),
        json.dumps({"path": "lessons/02-second.md", "content": broken}),
        content_type="application/json",
    ).json()
    assert validated["problems"] == problems


@pytest.mark.parametrize("path", ["../outside.py", "/etc/passwd", ".git/config", "a/b.exe", ""])
def test_the_editor_stays_inside_the_course(client, live, author, course_repo, path):
    client.force_login(author)
    head = course_repo.head()
    response = _save(client, live, path=path, content="x", message="x", base=head)
    assert response.status_code == 400
    assert response.json()["error"]
    got = client.get(reverse("authoring:file", args=[live.pk]) + f"?path={path}")
    assert got.status_code == 404
    assert course_repo.head() == head


# Who may see what ------------------------------------------------------------------------


def test_only_authors_and_staff_see_a_source_its_versions_and_its_preview(
    client, live, author, instructor
):
    version = live.published
    preview = services.version_preview(version=version)
    pages = [
        reverse("authoring:source", args=[live.pk]),
        reverse("authoring:version", args=[version.pk]),
        reverse("authoring:editor", args=[live.pk]),
        reverse("authoring:sync", args=[version.syncs.get().pk]),
        reverse("courses:course", args=[preview.slug]),
        reverse("courses:lesson", args=[preview.slug, "first"]),
        reverse("grading:exercise", args=[preview.slug, "mean-abs"]),
    ]
    other = person("edsger")
    student = person("ada")
    for who in (other, student):
        client.force_login(who)
        for page in pages:
            assert client.get(page).status_code == 404, (who, page)
        assert (
            client.post(reverse("authoring:version_publish", args=[version.pk])).status_code == 404
        )
    assert client.get(reverse("authoring:source_new")).status_code == 403
    api = client.get(f"/api/v1/exercises/mean-abs/draft?course={preview.slug}")
    assert api.status_code == 404
    assert preview.slug not in client.get(reverse("courses:home")).content.decode()
    client.logout()
    assert client.get(pages[0]).status_code == 302  # to log in
    for who in (author, instructor):
        client.force_login(who)
        for page in pages:
            assert client.get(page).status_code == 200, (who, page)


def test_authors_are_instructors_named_by_username(client, live, author):
    client.force_login(author)
    url = reverse("authoring:source_authors", args=[live.pk])
    student = person("ada")
    refused = client.post(url, {"authors": "mary ada nobody"})
    assert refused.status_code == 400
    assert "No such user: nobody" in refused.content.decode()
    assert client.post(url, {"authors": "mary ada"}).status_code == 400  # not an instructor
    assert client.post(url, {"authors": ""}).status_code == 400
    assert list(live.authors.all()) == [author]
    colleague = person("grace")
    from courses.services import instructor_grant

    instructor_grant(user=colleague)
    assert client.post(url, {"authors": "mary, grace"}).status_code == 302
    assert set(live.course.authors.all()) == {author, colleague}
    client.force_login(colleague)
    assert client.get(reverse("authoring:source", args=[live.pk])).status_code == 200
    client.force_login(student)
    assert client.post(url, {"authors": "ada"}).status_code == 404
