"""Everything that changes authoring state: register a source, sync it (as a background
task), preview, publish, commit an edit. Views and tasks call these; see
authoring/__init__.py for the shape."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone

from courses.importing import CourseInvalid, course_sync, load_course_dir
from courses.importing.rendering import render_course
from courses.models import Course
from grading.services import publish
from judge.exercise import ExerciseInvalid, exercise_from_course
from judge.files import Problem
from judge.selfcheck import selfcheck as run_selfcheck

from . import git
from .changes import publish_changes
from .models import CourseSource, CourseVersion, SyncRun, TryRun

log = logging.getLogger("descent.authoring")

SYNC_TASK = "authoring.sync"
TRY_TASK = "authoring.try_exercise"
LOG_LIMIT = 200_000  # characters of a sync's log; the rest is cut


class SyncBusy(Exception):
    """A sync of this source is already queued or running."""

    def __init__(self, run: SyncRun | None):
        self.run = run
        super().__init__("A sync of this course is already running; wait for it to finish.")


class PublishRefused(Exception):
    pass


# Paths ---------------------------------------------------------------------------------


def _mirror(source: CourseSource) -> Path:
    return settings.AUTHORING_DIR / "mirrors" / f"{source.pk}.git"


def _checkouts(source: CourseSource) -> Path:
    return settings.AUTHORING_DIR / "versions" / str(source.pk)


def protocols() -> str:
    return "https:ssh:file" if settings.AUTHORING_LOCAL_ROOTS else "https:ssh"


def repo_for(source: CourseSource) -> git.Git:
    limits = git.Limits(timeout_s=settings.AUTHORING_GIT_TIMEOUT_S)
    return git.Git(_mirror(source), protocols=protocols(), limits=limits)


def remote_for(source: CourseSource) -> git.Remote:
    return git.Remote(url=source.repo_url, token=source.token, deploy_key=source.deploy_key)


def check_repo_url(url: str) -> str:
    """The URL, or ValueError saying why it cannot be a course source."""
    url = url.strip()
    if url.startswith("-") or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValueError("A repository address has no spaces and does not start with '-'.")
    if url.startswith("https://") or url.startswith("ssh://"):
        return url
    if git.is_local(url):
        path = git.local_path(url).resolve()
        roots = [Path(root).resolve() for root in settings.AUTHORING_LOCAL_ROOTS]
        if not any(path == root or root in path.parents for root in roots):
            allowed = ", ".join(str(r) for r in roots) or "nowhere (AUTHORING_LOCAL_ROOTS is empty)"
            raise ValueError(
                f"A repository on this server must be under {allowed}; use an https:// or "
                "ssh:// address for anything else."
            )
        return url
    if "@" in url and ":" in url.split("@", 1)[1] and "://" not in url:
        return url  # scp-like ssh: git@host:group/repo.git
    raise ValueError(
        "Give an https:// or ssh:// address (or git@host:path), or a path on this server."
    )


# Sources --------------------------------------------------------------------------------


def source_create(*, user, **fields) -> CourseSource:
    source = CourseSource.objects.create(created_by=user, **fields)
    source.authors.add(user)
    return source


def source_update(*, source: CourseSource, **fields) -> CourseSource:
    """Change the settings; blank credentials keep the stored ones (they are never shown,
    so a form cannot send them back)."""
    for name, value in fields.items():
        if name in ("token", "deploy_key") and not value:
            continue
        setattr(source, name, value)
    source.save()
    return source


def source_authors_set(*, source: CourseSource, users) -> None:
    """Who authors the source, and so its published course and its previews."""
    with transaction.atomic():
        source.authors.set(users)
        courses = list(Course.objects.filter(preview_of__source=source))
        if source.course_id:
            courses.append(source.course)
        for course in courses:
            course.authors.set(users)


# Syncing --------------------------------------------------------------------------------


def sync_start(*, source: CourseSource, trigger: str, user=None) -> SyncRun:
    """Queue a sync; SyncBusy while another of this source is queued or running (the
    database's partial unique constraint decides, so two clicks cannot both win)."""
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(source=source, trigger=trigger, requested_by=user)
    except IntegrityError:
        raise SyncBusy(
            SyncRun.objects.filter(source=source, state__in=SyncRun.ACTIVE).first()
        ) from None
    if not publish(SYNC_TASK, run.pk, meanwhile="the sync is marked failed"):
        SyncLog(run)("✗ The task queue cannot be reached; nothing was synced. Try again soon.")
        _finish(run, state=SyncRun.State.FAILED, outcome="task queue unreachable")
        run.refresh_from_db()
    return run


class SyncLog:
    """Appends lines to a run's log in the database as they happen (the page polls it)."""

    def __init__(self, run: SyncRun):
        self.run = run
        self.size = len(run.log)

    def __call__(self, line: str) -> None:
        line = line.rstrip() + "\n"
        if self.size + len(line) > LOG_LIMIT:
            return
        self.size += len(line)
        SyncRun.objects.filter(pk=self.run.pk).update(log=Concat(F("log"), Value(line)))


def _finish(run: SyncRun, *, state: str, outcome: str, version=None) -> None:
    SyncRun.objects.filter(pk=run.pk).update(
        state=state, outcome=outcome[:500], version=version, finished_at=timezone.now()
    )


def sync_execute(*, run_id: int, get_sandbox: Callable) -> str | None:
    """The sync task's body. Claims the run (queued -> running: one winner), then fetches,
    validates, self-checks and makes the draft. Every failure is a logged outcome with
    nothing published changed; the state it ends in is returned."""
    claimed = SyncRun.objects.filter(pk=run_id, state=SyncRun.State.QUEUED).update(
        state=SyncRun.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = SyncRun.objects.select_related("source").get(pk=run_id)
    write = SyncLog(run)
    try:
        version = _sync(run, write, get_sandbox)
    except SyncFailed as exc:
        write(f"✗ {exc}")
        _finish(run, state=SyncRun.State.FAILED, outcome=str(exc))
        return SyncRun.State.FAILED
    except Exception as exc:  # a fault of ours: say so, never leave the run running
        log.exception("event=sync_crashed run=%s", run_id)
        write(f"✗ The sync failed on the server's side ({type(exc).__name__}); nothing changed.")
        _finish(run, state=SyncRun.State.FAILED, outcome="internal error")
        return SyncRun.State.FAILED
    write(f"✓ Draft version {version.number} is ready: preview it, then publish it.")
    _finish(
        run, state=SyncRun.State.SUCCEEDED, outcome=f"version {version.number}", version=version
    )
    return SyncRun.State.SUCCEEDED


class SyncFailed(Exception):
    pass


def _sync(run: SyncRun, write: SyncLog, get_sandbox: Callable) -> CourseVersion:
    source = run.source
    repo = repo_for(source)
    write(f"Fetching branch {source.branch!r} of {source.display_url}")
    try:
        sha = repo.fetch(remote_for(source), source.branch)
        commit = repo.commit_info(sha)
    except git.GitError as exc:
        raise SyncFailed(f"The repository could not be read: {exc}") from None
    SyncRun.objects.filter(pk=run.pk).update(sha=sha)
    write(f"Commit {sha[:7]} by {commit.author}: {commit.message.splitlines()[0][:200]}")
    existing = source.versions.filter(sha=sha).first()
    if existing is not None:
        write(f"This commit is already version {existing.number}; nothing new to sync.")
        return existing
    checkout = _checkouts(source) / sha
    if not checkout.exists():
        checkout.parent.mkdir(parents=True, exist_ok=True)
        try:
            repo.export(sha, source.subdirectory, checkout)
        except git.GitError as exc:
            raise SyncFailed(f"The files could not be exported: {exc}") from None
    write("Validating the course files")
    slug, title = _validate(checkout, source, write)
    number = (source.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    trusted = _trusted_fingerprints(source)
    write("Self-checking the exercises that changed (reference must pass, starter must not)")
    preview_slug = f"preview-{source.pk}-{number}"
    try:
        report = course_sync(
            path=checkout,
            selfcheck=LoggingSelfCheck(get_sandbox, write),
            slug=preview_slug,
            trusted=trusted,
            preview=True,
        )
    except CourseInvalid as exc:
        _write_problems(exc.problems, write)
        raise SyncFailed(f"{len(exc.problems)} problem(s); nothing was changed.") from None
    for warning in report.warnings:
        write(f"warning: {warning}")
    unchecked = []
    if report.warnings:  # the sandbox was unavailable: what was not known good is unchecked
        unchecked = sorted(slug for slug, fp in report.fingerprints.items() if fp not in trusted)
    if not report.selfchecked and not report.warnings:
        write("  no exercise changed since it last passed")
    version = CourseVersion.objects.create(
        source=source,
        number=number,
        sha=sha,
        message=commit.message,
        commit_author=commit.author[:300],
        checkout=str(checkout),
        course_slug=slug,
        course_title=title,
        fingerprints=report.fingerprints,
        unchecked=unchecked,
        counts=_counts(report.course),
        preview=report.course,
    )
    _preview_dress(version)
    _drop_other_previews(version)
    return version


def _validate(checkout: Path, source: CourseSource, write: SyncLog) -> tuple[str, str]:
    loaded, problems = load_course_dir(checkout)
    if loaded is not None:
        _, link_problems = render_course(loaded)
        problems = problems + link_problems
    if problems or loaded is None:
        _write_problems(problems, write)
        raise SyncFailed(f"{len(problems)} problem(s) in the files; nothing was changed.")
    slug = loaded.manifest.slug
    owner = _slug_owner_problem(source, slug)
    if owner:
        raise SyncFailed(owner)
    counted = ", ".join(
        _plural(len(items), noun)
        for items, noun in (
            (loaded.lessons, "lesson"), (loaded.quizzes, "checkpoint"), (loaded.exercises, "exercise")
        )
    )  # fmt: skip
    write(f"  course {slug!r}: {counted} — no problems")
    return slug, loaded.manifest.title


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _slug_owner_problem(source: CourseSource, slug: str, user=None) -> str:
    """Why this source may not feed the course ``slug``, or ''."""
    if slug.startswith("preview-"):
        return "course.yaml: a course slug may not start with 'preview-'"
    course = Course.objects.filter(slug=slug).first()
    if course is None or source.course_id == course.pk:
        return ""
    other = CourseSource.objects.filter(course=course).exclude(pk=source.pk).first()
    if other is not None:
        return f"course.yaml: the course {slug!r} is already fed by the source {other.name!r}"
    if user is not None and course.may_author(user):
        return ""
    if source.authors.filter(pk__in=course.authors.all()).exists():
        return ""
    return (
        f"course.yaml: a course {slug!r} already exists and was not imported from this "
        "repository; change the slug, or ask staff to publish it once to take it over"
    )


def _write_problems(problems: list[Problem], write: SyncLog) -> None:
    for problem in problems[:200]:
        write(f"  {problem}")
    if len(problems) > 200:
        write(f"  … and {len(problems) - 200} more")


def _trusted_fingerprints(source: CourseSource) -> frozenset[str]:
    """Exercise folders that passed their self-check in an earlier version."""
    trusted: set[str] = set()
    for fingerprints, unchecked in source.versions.values_list("fingerprints", "unchecked"):
        trusted.update(fp for slug, fp in fingerprints.items() if slug not in unchecked)
    return frozenset(trusted)


def _counts(course: Course) -> dict:
    return {
        "lessons": course.lessons.filter(is_active=True).count(),
        "quizzes": course.quizzes.filter(is_active=True).count(),
        "exercises": course.exercises.filter(is_active=True).count(),
    }


class LoggingSelfCheck:
    """The importer's self-check (judge.selfcheck), logging each exercise's verdicts."""

    def __init__(self, get_sandbox: Callable, write: Callable[[str], None]):
        self.get_sandbox = get_sandbox
        self.write = write

    def __call__(self, directory: Path, root: Path) -> list[Problem]:
        slug = Path(directory).name
        try:
            spec = exercise_from_course(root, slug)
        except ExerciseInvalid as exc:
            file = f"{Path(directory).relative_to(root)}/exercise.yaml"
            self.write(f"  ✗ {slug}: the grader cannot load it")
            return [Problem(file, None, f"the grader cannot load it: {exc}")]
        check = run_selfcheck(spec, self.get_sandbox())
        reference, starter = check.reference, check.starter
        mark = "✓" if check.ok else "✗"
        self.write(
            f"  {mark} {slug}: reference {reference.verdict} {reference.score:.2f}, "
            f"starter {starter.verdict} {starter.score:.2f} "
            f"({reference.timings.get('total_ms', 0):.0f} ms)"
        )
        return check.problems


# Preview ----------------------------------------------------------------------------------


def _preview_dress(version: CourseVersion) -> None:
    course = version.preview
    course.preview_label = f"draft version {version.number} ({version.short_sha})"
    course.preview_back_url = reverse("authoring:version", args=[version.pk])
    course.save(update_fields=["preview_label", "preview_back_url"])
    course.authors.set(version.source.authors.all())


def _drop_other_previews(version: CourseVersion) -> None:
    """Only the newest draft keeps a preview course (an older one is rebuilt on demand):
    deleting it takes the authors' preview progress and submissions with it."""
    stale = Course.objects.filter(is_preview=True, preview_of__source=version.source).exclude(
        preview_of=version
    )
    stale.delete()


def version_preview(*, version: CourseVersion) -> Course:
    """The version's preview course, imported from its files again if it was dropped (its
    exercises passed their self-check when it was synced, so none is graded again)."""
    if version.preview_id:
        return version.preview
    report = course_sync(
        path=Path(version.checkout),
        slug=f"preview-{version.source_id}-{version.number}",
        trusted=frozenset(version.fingerprints.values()),
        preview=True,
    )
    version.preview = report.course
    version.save(update_fields=["preview"])
    _preview_dress(version)
    return report.course


# Publishing -------------------------------------------------------------------------------


def version_publish(*, version: CourseVersion, user) -> dict:
    """Make this version the one students see, in one transaction; the summary of what
    changed (authoring.changes), also kept on the version."""
    with transaction.atomic():
        source = CourseSource.objects.select_for_update().get(pk=version.source_id)
        if source.published_id == version.pk:
            raise PublishRefused(f"Version {version.number} is already published.")
        problem = _slug_owner_problem(source, version.course_slug, user)
        if problem:
            raise PublishRefused(problem)
        summary = publish_changes(version)
        checked = {fp for slug, fp in version.fingerprints.items() if slug not in version.unchecked}
        try:
            report = course_sync(path=Path(version.checkout), trusted=frozenset(checked))
        except CourseInvalid as exc:
            raise PublishRefused(f"The files no longer import: {exc.problems[0]}") from None
        course = report.course
        course.authors.add(*source.authors.all())
        source.course = course
        source.published = version
        source.save(update_fields=["course", "published"])
        version.published_at = timezone.now()
        version.published_by = user
        version.publish_summary = summary
        version.save(update_fields=["published_at", "published_by", "publish_summary"])
    log.info("event=course_published source=%s version=%s", source.pk, version.number)
    return summary


# Editing ----------------------------------------------------------------------------------


def commit_edit(
    *, source: CourseSource, base: str, files: dict[str, str], message: str, user
) -> tuple[str, SyncRun | None]:
    """Commit ``files`` on top of ``base`` as ``user``, push it to the source's branch,
    and sync it as a draft: (the new commit, the sync or None when one is already
    running). git.BranchMoved when the branch is no longer at ``base``."""
    repo = repo_for(source)
    author = (
        user.get_full_name() or user.get_username(),
        user.email or f"{user.get_username()}@descent",
    )
    sha = repo.commit_files(
        base=base, subdirectory=source.subdirectory, files=files, author=author, message=message
    )
    repo.push(remote_for(source), sha, source.branch)
    log.info("event=course_edit_committed source=%s sha=%s user=%s", source.pk, sha, user.pk)
    try:
        run = sync_start(source=source, trigger=SyncRun.Trigger.EDITOR, user=user)
    except SyncBusy:
        run = None
    return sha, run


def checkout_files(version: CourseVersion) -> list[dict]:
    root = Path(version.checkout)
    files = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        try:
            editable = git.safe_course_path(relative) == relative
        except ValueError:
            editable = False
        files.append({"path": relative, "language": language_of(relative), "editable": editable})
    return files


def language_of(path: str) -> str:
    suffix = Path(path).suffix
    return {".md": "markdown", ".yaml": "yaml", ".yml": "yaml", ".py": "python"}.get(suffix, "text")


def overlay(version: CourseVersion, files: dict[str, str], into: Path) -> Path:
    """A scratch copy of the version's files with ``files`` replaced, for validating and
    previewing an edit before it is saved; the caller owns ``into``."""
    shutil.copytree(version.checkout, into, dirs_exist_ok=True)
    for path, content in files.items():
        target = into / git.safe_course_path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    return into


def changed_files(before: Path, after: Path) -> dict[str, str]:
    """Every editable file of ``after`` that ``before`` lacks or holds differently."""
    changed = {}
    for path in sorted(after.rglob("*")):
        relative = path.relative_to(after).as_posix()
        if not path.is_file():
            continue
        try:
            git.safe_course_path(relative)
        except ValueError:
            continue
        old = before / relative
        content = path.read_text()
        if not old.is_file() or old.read_text() != content:
            changed[relative] = content
    return changed


# Try it ---------------------------------------------------------------------------------------


class TryBusy(Exception):
    pass


def try_start(*, version: CourseVersion, exercise: str, code: str, user) -> TryRun:
    """Queue a "Try it"; TryBusy while this user has one waiting or running (each grades
    several programs in the sandbox, so one at a time per person)."""
    active = (TryRun.State.QUEUED, TryRun.State.RUNNING)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        # One whose worker died long ago no longer counts.
        recent = timezone.now() - timedelta(minutes=10)
        if TryRun.objects.filter(
            requested_by=user, state__in=active, created_at__gte=recent
        ).exists():
            raise TryBusy("Your previous “Try it” is still running; wait for its results.")
        run = TryRun.objects.create(
            version=version, exercise=exercise, code=code, requested_by=user
        )
    if not publish(TRY_TASK, run.pk, meanwhile="the try is marked failed"):
        TryRun.objects.filter(pk=run.pk).update(
            state=TryRun.State.FAILED, error="The task queue cannot be reached; try again soon."
        )
        run.refresh_from_db()
    return run
