"""Grade one submission against one exercise.

The path: reject what cannot be a submission (not UTF-8, over 64 KiB) before spawning
anything; open a sandbox session; load the source (syntax errors, missing or
non-callable entry and wrong signatures are ``invalid``); run every check with the
student's code driven through the session and the reference in this process; turn the
run's end (deadline, memory cap, output cap) into a verdict. Nothing the student's code
prints or returns decides the verdict except as the value a check compares.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from sandbox import Limits, RunEnded, SourceRejected, check_source

from .checks import CheckResult, Context, ExerciseBroken, shown_text
from .diagnose import reraise_task_limit
from .drivers import LocalDriver, SandboxDriver, TimedDriver
from .exercise import ExerciseSpec
from .signature import named_inputs, signature_note, signature_problem
from .verdicts import RUN_END_VERDICTS, Verdict


@dataclass
class GradeResult:
    exercise: str
    verdict: Verdict
    score: float
    message: str = ""
    checks: list[CheckResult] = field(default_factory=list)
    hint: str | None = None
    mistake: str | None = None
    stdout: str = ""
    stderr: str = ""
    timings: dict = field(default_factory=dict)
    seed: int | None = None
    checks_version: str = ""
    # What the student sees first about why: the known mistake matched, else the first
    # failing check's automatic diagnosis ({kind, label, message}), else None.
    diagnosis: dict | None = None
    # The convention the submission follows when it is one the statement allows besides
    # the reference's (exercise.yaml's accepts), else None.
    convention: str | None = None
    # A diagnosis asked the student's code about a simpler input and the run ended there:
    # the verdict stands on what the checks saw before (see _account_for_run_end).
    ended_in_diagnosis: bool = False

    def to_dict(self) -> dict:
        return {
            "exercise": self.exercise,
            "verdict": self.verdict,
            "score": self.score,
            "message": shown_text(self.message),
            "checks": [c.to_dict() for c in self.checks],
            "hint": self.hint,
            "mistake": self.mistake,
            "diagnosis": self.diagnosis,
            "convention": self.convention,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "timings": self.timings,
            "seed": self.seed,
            "checks_version": self.checks_version,
        }


# The most time the diagnoses of one grading take together (each has its own budget too).
DIAGNOSIS_S = 2.0


def _limits(spec: ExerciseSpec) -> Limits:
    return Limits(cpu_s=spec.time_s, wall_s=spec.time_s * 2 + 2, memory_mb=spec.memory_mb)


def _context(spec: ExerciseSpec, session, seed: int, *, defer_shrink: bool = False) -> Context:
    return Context(
        entry=spec.entry,
        student=SandboxDriver(session, call_timeout=spec.time_s),
        reference=LocalDriver(spec.reference),
        mistakes=[(m, LocalDriver(m.module)) for m in spec.mistakes],
        rng=np.random.default_rng(seed),
        defer_shrink=defer_shrink,
        params=_params(spec),
        defaults=spec.entry_defaults,
        accepted=[(a, LocalDriver(a.module)) for a in spec.accepted],
    )


def _fresh_seed() -> int:
    return int(np.random.SeedSequence().generate_state(1)[0])


def _ms(start: float, end: float) -> float:
    return round((end - start) * 1000, 2)


def grade_source(
    source: bytes | str,
    spec: ExerciseSpec,
    sandbox,
    *,
    seed: int | None = None,
    defer_shrink: bool = False,
) -> GradeResult:
    """The verdict. With defer_shrink, failing checks report their random failing case
    and figures are left undrawn, all flagged `refine`: `refine_source` looks for the
    smallest failing inputs and draws the figures afterwards."""
    started = time.perf_counter()
    seed = _fresh_seed() if seed is None else seed
    try:
        text = check_source(source)
    except SourceRejected as exc:
        return GradeResult(
            spec.slug,
            Verdict.INVALID,
            0.0,
            message=str(exc),
            timings={"total_ms": _ms(started, time.perf_counter())},
            checks_version=spec.checks_version,
        )
    with sandbox.session(limits=_limits(spec)) as session:
        spawned = time.perf_counter()
        try:
            loaded = session.load(text, filename="submission.py", timeout=spec.time_s)
        except RunEnded:
            loaded = None
        loaded_at = time.perf_counter()
        result = _grade_loaded(spec, session, loaded, seed, defer_shrink)
    _account_for_run_end(result, session.outcome)
    finished = time.perf_counter()
    result.timings = {
        "spawn_ms": _ms(started, spawned),
        "load_ms": _ms(spawned, loaded_at),
        "checks_ms": _ms(loaded_at, finished),
        "total_ms": _ms(started, finished),
    }
    return result


def _grade_loaded(spec: ExerciseSpec, session, loaded, seed: int, defer_shrink: bool):
    """The result once the source was loaded (or its load ended the run: ``loaded`` None)."""
    if loaded is None:
        message = _run_end_message(session.outcome, spec)
        return GradeResult(spec.slug, Verdict.ERROR, 0.0, message=message, seed=seed)
    if not loaded.ok:
        message, error = _load_failure(loaded)
        verdict = Verdict.ERROR if loaded.status == "error" else Verdict.INVALID
        result = GradeResult(
            spec.slug, verdict, 0.0, message=message, checks_version=spec.checks_version, seed=seed
        )
        if error:
            result.checks.append(
                CheckResult("your code runs", False, 0.0, 0.0, message=message, error=error)
            )
        return result
    problem = signature_problem(spec.interface, loaded.names)
    if problem:
        return GradeResult(
            spec.slug,
            Verdict.INVALID,
            0.0,
            message=problem,
            checks_version=spec.checks_version,
            seed=seed,
        )
    result = _run_checks(spec, _context(spec, session, seed, defer_shrink=defer_shrink), seed)
    note = signature_note(spec.interface, loaded.names)
    if note:
        said = result.message.rstrip(". ")
        result.message = f"{said}. {note}" if said else note
    return result


def _run_checks(spec: ExerciseSpec, ctx: Context, seed: int) -> GradeResult:
    """Every check in order; once the run ended or the exercise showed itself broken,
    the rest are not run (and earn nothing)."""
    checks: list[CheckResult] = []
    run_end: str | None = None
    broken: str | None = None
    for check in spec.checks:
        if run_end or broken:
            checks.append(_not_earned(check, "not run: grading stopped earlier"))
            continue
        drawn_from = ctx.rng.bit_generator.state  # to ask the reference the same cases
        try:
            checks.append(check.run(ctx))
        except RunEnded as ended:
            run_end = ended.outcome.status
            took = _reference_time(spec, check, drawn_from) if run_end == "timeout" else None
            checks.append(_not_earned(check, _run_end_message(ended.outcome, spec, took)))
        except ExerciseBroken as exc:
            broken = str(exc)
        except Exception as exc:
            # Whatever the student's answer provoked on this side (an overflow, a shape no
            # author foresaw) fails this check; it never takes the grading down.
            checks.append(_not_earned(check, _check_crashed(exc)))
    ended_in_diagnosis = False
    if not (run_end or broken):
        stop_at = time.monotonic() + DIAGNOSIS_S
        for finish in ctx.later:
            if time.monotonic() > stop_at:
                break  # fewer diagnoses, never a slower verdict
            try:
                finish()
            except RunEnded:
                ended_in_diagnosis = True
                break
            except Exception as exc:
                reraise_task_limit(exc)
                continue  # a diagnosis fewer; the checks' results stand
    params = _params(spec)
    for check in checks:
        _as_shown(check, spec, params)
    result = _judge(spec, checks, run_end, broken, seed)
    result.ended_in_diagnosis = ended_in_diagnosis
    result.convention = ctx.following
    if ctx.following and result.verdict == Verdict.PASSED:
        result.message += f" (your answer follows {ctx.following}, which this exercise accepts)"
    return result


def _as_shown(check: CheckResult, spec: ExerciseSpec, params: list[str]) -> None:
    """Inputs under the exercise's parameter names, and a failing comparison's message
    saying which convention the exercise expects."""
    check.failing_input = named_inputs(check.failing_input, params)
    if spec.convention and _wrong_values(check):
        check.message = f"{check.message.rstrip('. ')}. This exercise expects {spec.convention}"


def _wrong_values(check: CheckResult) -> bool:
    """A scored check that failed on an answer compared with the reference's (not on an
    exception, a run's end, a refusal, a property): where the convention matters."""
    return not check.passed and check.points > 0 and check.compared


def _params(spec: ExerciseSpec) -> list[str]:
    """The names failing inputs are shown with: a function exercise's parameters."""
    return spec.interface.names if spec.interface.kind == "function" else []


def _check_crashed(exc: Exception) -> str:
    return f"this check could not judge your answer ({type(exc).__name__}: {str(exc)[:200]})"


def _account_for_run_end(result: GradeResult, outcome) -> None:
    """The run's output goes with the result, and a run that ended on a limit says so,
    whatever the checks managed to see before."""
    if outcome is None:
        return
    result.stdout = outcome.stdout
    result.stderr = outcome.stderr
    # A run that ended on a limit after every point was earned keeps its verdict: the
    # checks established the answers, and a verdict never disagrees with its score.
    ordinary = (Verdict.FAILED, Verdict.ERROR)
    if result.ended_in_diagnosis:
        return  # the run ended on a question the diagnosis asked, after every check
    if result.verdict in ordinary and outcome.status in RUN_END_VERDICTS:
        result.verdict = RUN_END_VERDICTS[outcome.status]


def refine_source(
    source: str, spec: ExerciseSpec, sandbox, *, seed: int, names: set[str]
) -> dict[str, CheckResult]:
    """Look for the smallest failing input of the named checks of an earlier grading (and
    draw the named figures), in a run of its own. Returns the checks it found one for, by
    name. Whatever goes wrong here (the run ends, the code no longer loads) means fewer
    refinements, never another verdict: the verdict was given already."""
    found: dict[str, CheckResult] = {}
    try:
        text = check_source(source)
    except SourceRejected:
        return found
    if not names:
        return found
    with sandbox.session(limits=_limits(spec)) as session:
        try:
            loaded = session.load(text, filename="submission.py", timeout=spec.time_s)
        except RunEnded:
            return found
        if not loaded.ok or signature_problem(spec.interface, loaded.names):
            return found
        ctx = _context(spec, session, seed)
        for check in spec.checks:
            if check.name not in names:
                continue
            try:
                refined = check.refine(ctx)
            except (RunEnded, ExerciseBroken):
                break
            except Exception:
                continue  # no smaller input for this check; the verdict stands
            if refined is not None:
                _as_shown(refined, spec, _params(spec))
                found[check.name] = refined
    return found


def _not_earned(check, message: str) -> CheckResult:
    return CheckResult(check.name, False, check.points, 0.0, message=message)


def _load_failure(loaded) -> tuple[str, dict | None]:
    error = loaded.error
    if loaded.status == "syntax_error":
        line = f" on line {error.line}" if error and error.line else ""
        return f"syntax error{line}: {error.message if error else ''}", None
    if loaded.status == "rejected":
        return error.message if error else "the source was rejected", None
    return f"your code raised {error.type} while loading: {error.message}", dataclasses.asdict(
        error
    )


def _reference_time(spec: ExerciseSpec, check, drawn_from: Mapping) -> float | None:
    """How long the reference takes to answer ``check``'s cases (drawn again from the
    same random state), standing in for the student: said beside a timeout. Only after
    one, so grading pays nothing for it otherwise; None if it cannot be told."""
    stand_in = TimedDriver(spec.reference)
    rng = np.random.default_rng()
    rng.bit_generator.state = drawn_from
    ctx = Context(entry=spec.entry, student=stand_in, reference=LocalDriver(spec.reference),
                  mistakes=[], rng=rng, defer_shrink=True)  # fmt: skip
    try:
        check.run(ctx)
    except Exception:  # an exercise whose checks need the sandbox's driver: say nothing
        return None
    return stand_in.spent_s


def _run_end_message(outcome, spec: ExerciseSpec, spent: float | None = None) -> str:
    if outcome.status == "timeout":
        limit = f"{spec.time_s:g} s of CPU time"
        if spent is None:
            return f"your code ran past its time limit ({limit})"
        return (
            f"your code ran past its time limit ({limit}); the reference solution answered "
            f"the same checks in {_duration(spent)}: look for a loop that never ends, or one "
            "that does far more work than it needs"
        )
    return {
        "memory": f"your code used more memory than allowed ({spec.memory_mb:g} MB)",
        "output_limit": "your code printed or returned more than allowed",
    }.get(outcome.status, f"your code's process ended unexpectedly ({outcome.status})")


def _duration(seconds: float) -> str:
    if seconds < 0.001:
        return "under a millisecond"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def _judge(
    spec: ExerciseSpec,
    checks: list[CheckResult],
    run_end: str | None,
    broken: str | None,
    seed: int,
) -> GradeResult:
    total = sum(c.points for c in checks)
    earned = sum(c.earned for c in checks)
    score = round(earned / total, 4) if total else 0.0
    result = GradeResult(
        spec.slug,
        Verdict.PASSED,
        score,
        checks=checks,
        seed=seed,
        checks_version=spec.checks_version,
    )
    if broken:
        result.verdict, result.score, result.message = (
            Verdict.ERROR,
            0.0,
            f"this exercise is broken, not your code: {broken}",
        )
        return result
    mistakes = {m.slug: m for m in spec.mistakes}
    for check in checks:
        if check.mistake and check.mistake in mistakes:
            result.mistake = check.mistake
            result.hint = mistakes[check.mistake].hint
            known = mistakes[check.mistake]
            result.diagnosis = {
                "kind": "known_mistake",
                "label": known.title or known.slug,
                "message": known.hint,
                "mistake": known.slug,
            }
            break
    if result.diagnosis is None:
        result.diagnosis = next(
            (c.diagnosis for c in checks if not c.passed and c.points > 0 and c.diagnosis), None
        )
    # Checks worth no points (figures, advisory notes) inform; they never decide.
    failed = [c for c in checks if not c.passed and c.points > 0]
    if total and earned >= total:
        failed = []
    if run_end and failed:
        result.verdict = RUN_END_VERDICTS.get(run_end, Verdict.ERROR)
        result.message = next((c.message for c in failed), "")
    elif any(c.error for c in failed):
        result.verdict = Verdict.ERROR
        result.message = next(c.message for c in failed if c.error)
    elif failed:
        result.verdict = Verdict.FAILED
        counted = sum(1 for c in checks if c.points > 0)
        result.message = f"{len(failed)} of {counted} checks failed"
    else:
        notes = sum(1 for c in checks if not c.passed)
        result.message = "all checks passed" + (f"; {notes} note(s) to read" if notes else "")
    return result
