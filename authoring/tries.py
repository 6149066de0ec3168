""" "Try it" in the editor: grade an exercise's reference, starter, every known mistake and
any code the instructor pastes, exactly as a submission is graded (the same engine, the
same fixed seed as the self-check), and record the verdicts on the TryRun, not as
submissions."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from judge.engine import grade_source
from judge.exercise import ExerciseInvalid, exercise_from_course
from judge.selfcheck import content_seed

from .models import TryRun

MESSAGE_LIMIT = 500


def _candidates(spec, code: str) -> list[tuple[str, str]]:
    runs = [("reference", spec.reference_source), ("starter", spec.starter)]
    for mistake in spec.meta.mistakes:
        source = (spec.files.directory / mistake.file).read_text(errors="replace")
        runs.append((f"mistake: {mistake.title}", source))
    if code.strip():
        runs.append(("your code", code))
    return runs


def _row(label: str, result, mistakes: dict[str, str], elapsed_ms: float) -> dict:
    return {
        "label": label,
        "verdict": str(result.verdict),
        "headline": result.verdict.headline,
        "score": result.score,
        "ms": round(elapsed_ms, 1),
        "hint": mistakes.get(result.mistake or "", ""),
        "message": (result.message or "")[:MESSAGE_LIMIT],
        "checks": [
            {"name": c.name, "passed": c.passed, "message": (c.message or "")[:MESSAGE_LIMIT]}
            for c in result.checks
        ],
    }


def try_execute(*, try_id: int, get_sandbox: Callable) -> str | None:
    claimed = TryRun.objects.filter(pk=try_id, state=TryRun.State.QUEUED).update(
        state=TryRun.State.RUNNING
    )
    if not claimed:
        return None
    run = TryRun.objects.select_related("version").get(pk=try_id)
    try:
        spec = exercise_from_course(Path(run.version.checkout), run.exercise)
    except ExerciseInvalid as exc:
        TryRun.objects.filter(pk=try_id).update(
            state=TryRun.State.FAILED, error=f"The exercise does not load: {exc}"[:2000]
        )
        return TryRun.State.FAILED
    mistakes = {m.slug: m.title for m in spec.meta.mistakes}
    rows: list[dict] = []
    try:
        sandbox = get_sandbox()
        for label, source in _candidates(spec, run.code):
            started = time.perf_counter()
            result = grade_source(source, spec, sandbox, seed=content_seed(spec))
            rows.append(_row(label, result, mistakes, (time.perf_counter() - started) * 1000))
            TryRun.objects.filter(pk=try_id).update(runs=rows)
    except Exception as exc:  # the sandbox refused, or a fault of ours: say so, never hang
        TryRun.objects.filter(pk=try_id).update(
            state=TryRun.State.FAILED,
            runs=rows,
            error=f"Grading failed: {type(exc).__name__}: {exc}"[:2000],
        )
        return TryRun.State.FAILED
    TryRun.objects.filter(pk=try_id).update(state=TryRun.State.DONE, runs=rows)
    return TryRun.State.DONE
