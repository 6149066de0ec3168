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
import re
import time
from dataclasses import dataclass, field

import numpy as np

from sandbox import Limits, RunEnded

from .checks import CheckResult, Context, ExerciseBroken
from .drivers import LocalDriver, SandboxDriver
from .exercise import ExerciseSpec

MAX_SOURCE_BYTES = 64 * 1024

PASSED, FAILED, ERROR, TIMEOUT, MEMORY, OUTPUT_LIMIT, INVALID = (
    "passed", "failed", "error", "timeout", "memory", "output_limit", "invalid",
)  # fmt: skip
VERDICTS = (PASSED, FAILED, ERROR, TIMEOUT, MEMORY, OUTPUT_LIMIT, INVALID)
_RUN_END_VERDICTS = {"timeout": TIMEOUT, "memory": MEMORY, "output_limit": OUTPUT_LIMIT}


@dataclass
class GradeResult:
    exercise: str
    verdict: str
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

    def to_dict(self) -> dict:
        return {
            "exercise": self.exercise,
            "verdict": self.verdict,
            "score": self.score,
            "message": self.message,
            "checks": [c.to_dict() for c in self.checks],
            "hint": self.hint,
            "mistake": self.mistake,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "timings": self.timings,
            "seed": self.seed,
            "checks_version": self.checks_version,
        }


def _invalid(spec: ExerciseSpec, message: str, started: float, **extra) -> GradeResult:
    return GradeResult(
        exercise=spec.slug,
        verdict=INVALID,
        score=0.0,
        message=message,
        timings={"total_ms": round((time.perf_counter() - started) * 1000, 2)},
        checks_version=spec.checks_version,
        **extra,
    )


def check_source(source: bytes | str) -> tuple[str | None, str]:
    """Return (text, problem): problem is empty when the source may be graded."""
    raw = source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source
    if len(raw) > MAX_SOURCE_BYTES:
        return None, f"the source is {len(raw)} bytes; the limit is {MAX_SOURCE_BYTES} (64 KiB)"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"the source is not valid UTF-8 (byte {exc.start})"
    if "\x00" in text:
        return None, "the source contains a NUL byte"
    return text, ""


def signature_problem(spec: ExerciseSpec, names: dict) -> str:
    """Compare what the source defines with the exercise's interface."""
    info = names.get(spec.entry)
    if info is None:
        return f"your code does not define {spec.entry!r} (expected {spec.signature})"
    if spec.kind == "class":
        return "" if info.kind == "class" else f"{spec.entry!r} must be a class"
    if info.kind != "function":
        what = "a class" if info.kind == "class" else "not a function"
        return f"{spec.entry!r} must be a function, but it is {what}"
    if info.params is None:
        return ""
    # The sandbox reports parameters as inspect shows them: "x", "lr=0.001", "*args".
    params = [(re.match(r"\**\w*", text).group(0), "=" in text) for text in info.params]
    names = [name for name, _ in params]
    expected = [p.name for p in spec.parameters]
    shown = f"({', '.join(info.params)})"
    if names[: len(expected)] != expected:
        return f"expected {spec.signature}, but your function takes {shown}"
    for (name, has_default), wanted in zip(params, spec.parameters, strict=False):
        if wanted.has_default and not has_default:
            return f"parameter {name!r} needs a default value, as in {spec.signature}"
    for name, has_default in params[len(expected) :]:
        if not has_default and not name.startswith("*"):
            return f"extra parameter {name!r} must have a default value (expected {spec.signature})"
    return ""


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
    )


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
    text, problem = check_source(source)
    if problem:
        return _invalid(spec, problem, started)
    seed = int(np.random.SeedSequence().entropy % (2**32)) if seed is None else seed
    limits = _limits(spec)
    checks: list[CheckResult] = []
    run_end: str | None = None
    broken: str | None = None
    with sandbox.session(limits=limits) as session:
        spawned = time.perf_counter()
        try:
            loaded = session.load(text, filename="submission.py", timeout=spec.time_s)
        except RunEnded as ended:
            loaded = None
            run_end = ended.outcome.status
        loaded_at = time.perf_counter()
        if loaded is None:
            result = GradeResult(
                spec.slug, ERROR, 0.0, message=_run_end_message(session.outcome), seed=seed
            )
        elif not loaded.ok:
            verdict_message, error = _load_failure(loaded)
            result = GradeResult(
                exercise=spec.slug,
                verdict=ERROR if loaded.status == "error" else INVALID,
                score=0.0,
                message=verdict_message,
                checks_version=spec.checks_version,
                seed=seed,
            )
            if error:
                result.checks.append(
                    CheckResult(
                        "your code runs", False, 0.0, 0.0, message=verdict_message, error=error
                    )
                )
        else:
            problem = signature_problem(spec, loaded.names)
            if problem:
                result = GradeResult(
                    spec.slug,
                    INVALID,
                    0.0,
                    message=problem,
                    checks_version=spec.checks_version,
                    seed=seed,
                )
            else:
                ctx = _context(spec, session, seed, defer_shrink=defer_shrink)
                for check in spec.checks:
                    if run_end or broken:
                        checks.append(_not_earned(check, "not run: grading stopped earlier"))
                        continue
                    try:
                        checks.append(check.run(ctx))
                    except RunEnded as ended:
                        run_end = ended.outcome.status
                        checks.append(_not_earned(check, _run_end_message(ended.outcome)))
                    except ExerciseBroken as exc:
                        broken = str(exc)
                result = _judge(spec, checks, run_end, broken, seed)
    outcome = session.outcome
    if outcome is not None:
        result.stdout = outcome.stdout
        result.stderr = outcome.stderr
        if result.verdict in (PASSED, FAILED, ERROR) and outcome.status in _RUN_END_VERDICTS:
            result.verdict = _RUN_END_VERDICTS[outcome.status]
    finished = time.perf_counter()
    result.timings = {
        "spawn_ms": round((spawned - started) * 1000, 2),
        "load_ms": round((loaded_at - spawned) * 1000, 2),
        "checks_ms": round((finished - loaded_at) * 1000, 2),
        "total_ms": round((finished - started) * 1000, 2),
    }
    return result


def refine_source(
    source: str, spec: ExerciseSpec, sandbox, *, seed: int, names: set[str]
) -> dict[str, CheckResult]:
    """Look for the smallest failing input of the named checks of an earlier grading (and
    draw the named figures), in a run of its own. Returns the checks it found one for, by name. Whatever goes wrong
    here (the run ends, the code no longer loads) means fewer refinements, never another
    verdict: the verdict was given already."""
    text, problem = check_source(source)
    found: dict[str, CheckResult] = {}
    if problem or not names:
        return found
    with sandbox.session(limits=_limits(spec)) as session:
        try:
            loaded = session.load(text, filename="submission.py", timeout=spec.time_s)
        except RunEnded:
            return found
        if not loaded.ok or signature_problem(spec, loaded.names):
            return found
        ctx = _context(spec, session, seed)
        for check in spec.checks:
            if check.name not in names:
                continue
            try:
                refined = check.refine(ctx)
            except (RunEnded, ExerciseBroken):
                break
            if refined is not None:
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


def _run_end_message(outcome) -> str:
    return {
        "timeout": "your code ran past its time limit",
        "memory": "your code used more memory than allowed",
        "output_limit": "your code printed more output than allowed",
    }.get(outcome.status, f"your code's process ended unexpectedly ({outcome.status})")


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
        spec.slug, PASSED, score, checks=checks, seed=seed, checks_version=spec.checks_version
    )
    if broken:
        result.verdict, result.score, result.message = (
            ERROR,
            0.0,
            f"this exercise is broken, not your code: {broken}",
        )
        return result
    mistakes = {m.slug: m for m in spec.mistakes}
    for check in checks:
        if check.mistake and check.mistake in mistakes:
            result.mistake = check.mistake
            result.hint = mistakes[check.mistake].hint
            break
    failed = [c for c in checks if not c.passed]
    if run_end:
        result.verdict = _RUN_END_VERDICTS.get(run_end, ERROR)
        result.message = next((c.message for c in failed), "")
    elif any(c.error for c in failed):
        result.verdict = ERROR
        result.message = next(c.message for c in failed if c.error)
    elif failed:
        result.verdict = FAILED
        result.message = f"{len(failed)} of {len(checks)} checks failed"
    else:
        result.message = "all checks passed"
    return result
