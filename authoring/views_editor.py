"""The browser editor: a course's files at its newest version, validation and a lesson's
preview as you type (on a scratch copy, deleted at once), saving as a git commit, new
lessons and exercises from the scaffolds, and "Try it" for an exercise.

The JSON endpoints answer errors as {"error": ...} with a 4xx status, never a page."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courses import scaffold
from courses.importing import load_course_dir
from courses.importing.rendering import render_course
from courses.models import Course

from . import git, services
from .models import CourseVersion, SyncRun, TryRun
from .views import source_for_author

MAX_FILE = 256 * 1024
MAX_CODE = 64 * 1024


def _error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _newest(source) -> CourseVersion:
    version = source.versions.order_by("-number").first()
    if version is None:
        raise Http404("This course has no version yet: sync it first.")
    return version


def _body(request) -> dict:
    if len(request.body) > MAX_FILE + 4096:
        raise ValueError(f"the request is over {MAX_FILE // 1024} KiB")
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("send a JSON object") from None
    if not isinstance(data, dict):
        raise ValueError("send a JSON object")
    return data


def _text(data: dict, name: str, *, limit: int = MAX_FILE, required: bool = True) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    if required and not value.strip():
        raise ValueError(f"{name} is required")
    if len(value.encode()) > limit:
        size = f"{limit // 1024} KiB" if limit >= 1024 else f"{limit} bytes"
        raise ValueError(f"{name} is over {size}")
    if "\x00" in value:
        raise ValueError(f"{name} holds a NUL character")
    return value


def _edit(data: dict) -> tuple[str, str]:
    return git.safe_course_path(_text(data, "path", limit=300)), _text(
        data, "content", required=False
    )


def _problems(problems) -> list[dict]:
    return [{"file": p.file, "line": p.line, "message": p.message} for p in problems[:200]]


def _check(version: CourseVersion, files: dict[str, str]):
    """Load and render the version's files with ``files`` replaced: (source, rendered,
    problems). Nothing is kept."""
    with tempfile.TemporaryDirectory(prefix="descent-edit-") as scratch:
        root = services.overlay(version, files, Path(scratch) / "course")
        loaded, problems = load_course_dir(root)
        rendered = None
        if loaded is not None:
            # Links go to the preview, if it still exists (a sync may be replacing it).
            preview = Course.objects.filter(pk=version.preview_id).values_list("slug", flat=True)
            loaded.imported_as = preview.first()
            rendered, link_problems = render_course(loaded)
            problems = problems + link_problems
        return loaded, rendered, problems


def _exercises(version: CourseVersion) -> list[dict]:
    loaded, _ = load_course_dir(Path(version.checkout))
    if loaded is None:
        return []
    return [
        {
            "slug": slug,
            "folder": files.folder,
            "mistakes": [{"slug": m.slug, "title": m.title} for m in files.meta.mistakes],
        }
        for slug, files in loaded.exercises.items()
    ]


@login_required
@require_GET
def editor(request, pk):
    source = source_for_author(user=request.user, pk=pk)
    version = _newest(source)
    files = services.checkout_files(version)
    paths = {f["path"] for f in files}
    wanted = request.GET.get("file", "")
    opened = wanted if wanted in paths else ""
    urls = {
        name: reverse(f"authoring:{name}", args=[source.pk])
        for name in ("file", "validate", "render", "save", "try", "scaffold")
    }
    context = {
        "source": source,
        "version": version,
        "files": files,
        "opened": opened,
        "back_url": reverse("authoring:source", args=[source.pk]),
        "editor": {
            "base": version.sha,
            "open": opened,
            "urls": urls,
            "exercises": _exercises(version),
        },
    }
    return render(request, "authoring/editor.html", context)


def _inside(root: Path, path: str) -> Path | None:
    """The file at ``path`` under ``root``, or None for anything else (a folder, a path
    that leaves the course, a hidden file)."""
    parts = Path(path).parts
    if (
        not path
        or Path(path).is_absolute()
        or any(p in ("..", ".") or p.startswith(".") for p in parts)
    ):
        return None
    target = (root / path).resolve()
    if root.resolve() not in target.parents or not target.is_file():
        return None
    return target


@login_required
@require_GET
def file_get(request, pk):
    """A file of the newest version: editable ones (git.safe_course_path), and the others
    (data files, say) read-only."""
    source = source_for_author(user=request.user, pk=pk)
    version = _newest(source)
    path = request.GET.get("path", "")
    target = _inside(Path(version.checkout), path)
    if target is None:
        return _error(404, f"{path!r} is not a file of version {version.number}")
    try:
        editable = git.safe_course_path(path) == path
    except ValueError:
        editable = False
    raw = target.read_bytes()
    if b"\0" in raw[:8192]:
        return _error(404, f"{path} is not a text file")
    return JsonResponse(
        {
            "path": path,
            "content": raw[:MAX_FILE].decode("utf-8", "replace"),
            "language": services.language_of(path),
            "editable": editable and len(raw) <= MAX_FILE,
        }
    )


@login_required
@require_POST
def validate(request, pk):
    source = source_for_author(user=request.user, pk=pk)
    try:
        path, content = _edit(_body(request))
    except ValueError as exc:
        return _error(400, str(exc))
    _, _, problems = _check(_newest(source), {path: content})
    return JsonResponse({"problems": _problems(problems)})


@login_required
@require_POST
def render_lesson(request, pk):
    source = source_for_author(user=request.user, pk=pk)
    try:
        path, content = _edit(_body(request))
    except ValueError as exc:
        return _error(400, str(exc))
    loaded, rendered, problems = _check(_newest(source), {path: content})
    lesson = None
    if loaded is not None:
        lesson = next((lesson for lesson in loaded.lessons if lesson.file == path), None)
    if lesson is None or rendered is None:
        return JsonResponse(
            {"html": "", "title": "", "widget": "", "problems": _problems(problems)}
        )
    terms = [{"slug": t.slug, **t.card()} for t in loaded.glossary]
    return JsonResponse(
        {
            "html": rendered.lessons.get(lesson.slug, ""),
            "title": lesson.front.title,
            "widget": lesson.front.widget,
            "terms": terms,
            "problems": _problems(problems),
        }
    )


def _commit(request, source, version, files: dict[str, str], message: str, base: str):
    if not git.SHA.fullmatch(base):
        return _error(400, "base must be the commit the file was opened at")
    if base != version.sha or source.syncs.filter(state__in=SyncRun.ACTIVE).exists():
        # The files here are those of the newest version: a commit on top of another one
        # could quietly undo what that commit changed.
        return _error(
            409,
            "A sync is running or the course moved on since this page was opened: wait for "
            "the sync to finish, reload the editor and make the change again.",
        )
    try:
        sha, run = services.commit_edit(
            source=source, base=base, files=files, message=message, user=request.user
        )
    except git.BranchMoved as exc:
        return _error(409, str(exc))
    except git.GitError as exc:
        return _error(502, f"The commit could not be pushed: {exc}")
    sync_url = reverse("authoring:sync", args=[run.pk]) if run else ""
    return JsonResponse({"commit": sha, "sync_url": sync_url})


@login_required
@require_POST
def save(request, pk):
    """Commit one file on top of the commit it was opened at, push, and sync a draft. A
    change that leaves the course invalid is refused with its problems, so the branch
    only ever holds courses that validate."""
    source = source_for_author(user=request.user, pk=pk)
    try:
        data = _body(request)
        path, content = _edit(data)
        message = _text(data, "message", limit=2000).strip()
        base = _text(data, "base", limit=64)
    except ValueError as exc:
        return _error(400, str(exc))
    version = _newest(source)
    _, _, problems = _check(version, {path: content})
    if problems:
        return _error(
            400,
            f"Not saved: the course would have {len(problems)} problem(s).",
            problems=_problems(problems),
        )
    return _commit(request, source, version, {path: content}, message, base)


@login_required
@require_POST
def scaffold_new(request, pk):
    """A new lesson or exercise from the scaffolds (courses.scaffold), committed like an
    edit: every file the scaffold writes or changes goes into one commit."""
    source = source_for_author(user=request.user, pk=pk)
    try:
        data = _body(request)
        kind = _text(data, "kind", limit=20)
        slug = _text(data, "slug", limit=60).strip()
        title = _text(data, "title", limit=180, required=False).strip()
        base = _text(data, "base", limit=64)
    except ValueError as exc:
        return _error(400, str(exc))
    if kind not in ("lesson", "exercise"):
        return _error(400, "kind is lesson or exercise")
    version = _newest(source)
    with tempfile.TemporaryDirectory(prefix="descent-new-") as scratch:
        root = services.overlay(version, {}, Path(scratch) / "course")
        try:
            title = title or scaffold.default_title(slug)
            if kind == "lesson":
                scaffold.new_lesson(root, slug, title=title)
            else:
                scaffold.new_exercise(root, slug, title=title)
        except scaffold.ScaffoldError as exc:
            return _error(400, str(exc))
        files = services.changed_files(Path(version.checkout), root)
    return _commit(request, source, version, files, f"New {kind} {slug}", base)


@login_required
@require_POST
def try_start(request, pk):
    source = source_for_author(user=request.user, pk=pk)
    try:
        data = _body(request)
        slug = _text(data, "exercise", limit=100).strip()
        code = _text(data, "code", limit=MAX_CODE, required=False)
    except ValueError as exc:
        return _error(400, str(exc))
    version = _newest(source)
    if slug not in version.fingerprints:
        return _error(404, f"version {version.number} has no exercise {slug!r}")
    try:
        run = services.try_start(version=version, exercise=slug, code=code, user=request.user)
    except services.TryBusy as exc:
        return _error(429, str(exc))
    return JsonResponse({"poll": reverse("authoring:try_detail", args=[run.pk])}, status=202)


@login_required
@require_GET
def try_detail(request, pk):
    run = get_object_or_404(TryRun.objects.select_related("version__source"), pk=pk)
    if run.requested_by_id != request.user.pk or not run.version.source.may_author(request.user):
        raise Http404("No such try.")
    return JsonResponse({"state": run.state, "error": run.error, "runs": run.runs})
