"""The exercise self-check: an exercise is fit to grade students only if its own reference
solution passes every check (scoring 1.0) and its starter code scores below it, graded exactly as a submission
is. One function, used by the importer (on every changed exercise), ``manage.py
selfcheck`` (every exercise) and a regrade (before it rewrites any score).

The seed is fixed by the exercise's content, so the same files always get the same
verdicts and a self-check that passed once passes again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .engine import GradeResult, grade_source
from .exercise import ExerciseInvalid, ExerciseSpec, exercise_from_course
from .files import Problem
from .verdicts import Verdict


@dataclass
class SelfCheck:
    spec: ExerciseSpec
    reference: GradeResult
    starter: GradeResult
    # Each other convention the exercise accepts (its file, its grading): it must pass
    # as the reference does, or the checks would fail students who follow it.
    accepted: list[tuple[str, GradeResult]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> list[Problem]:
        folder = self.spec.files.folder
        problems = []
        reference = self.reference
        # Every check, advisory ones too: the reference's reports are not forged, and a
        # reference that modifies its inputs teaches the wrong thing.
        if (
            reference.verdict != Verdict.PASSED
            or reference.score < 1.0
            or not all(c.passed for c in reference.checks)
        ):
            failed = "; ".join(f"{c.name}: {c.message}" for c in reference.checks if not c.passed)
            problems.append(
                Problem(
                    f"{folder}/reference.py",
                    None,
                    f"the reference scores {reference.score:.2f} ({reference.verdict}: "
                    f"{failed or reference.message}); it must pass every check",
                )
            )
        for file, result in self.accepted:
            if result.verdict != Verdict.PASSED or result.score < 1.0:
                failed = "; ".join(f"{c.name}: {c.message}" for c in result.checks if not c.passed)
                problems.append(
                    Problem(
                        f"{folder}/{file}",
                        None,
                        f"this accepted convention scores {result.score:.2f} "
                        f"({failed or result.message}); it must pass every check",
                    )
                )
        if self.starter.score >= 1.0:
            problems.append(
                Problem(f"{folder}/starter.py", None, "the starter code passes every check")
            )
        return problems


def content_seed(spec: ExerciseSpec) -> int:
    return int(spec.fingerprint[:8], 16)


def selfcheck(spec: ExerciseSpec, sandbox, *, seed: int | None = None) -> SelfCheck:
    seed = content_seed(spec) if seed is None else seed
    accepted = [
        (
            meta.file,
            grade_source((spec.directory / meta.file).read_bytes(), spec, sandbox, seed=seed),
        )
        for meta in spec.meta.accepts
    ]
    return SelfCheck(
        spec=spec,
        reference=grade_source(spec.reference_source, spec, sandbox, seed=seed),
        starter=grade_source(spec.starter, spec, sandbox, seed=seed),
        accepted=accepted,
    )


# What an importer is handed: self-check the exercise in this folder (of the course at
# root) and say what is wrong. It raises sandbox.SandboxUnavailable when it cannot grade.
ExerciseSelfCheck = Callable[[Path, Path], list[Problem]]


class SandboxSelfCheck:
    """An `ExerciseSelfCheck` that grades in the sandbox ``get_sandbox()`` returns (called
    on first use, so an import with nothing to check never starts one)."""

    def __init__(self, get_sandbox: Callable):
        self._get_sandbox = get_sandbox

    def __call__(self, directory: Path, root: Path) -> list[Problem]:
        sandbox = self._get_sandbox()
        try:
            spec = exercise_from_course(root, Path(directory).name)
        except ExerciseInvalid as exc:
            file = f"{Path(directory).relative_to(root)}/exercise.yaml"
            return [Problem(file, None, f"the grader cannot load it: {exc}")]
        return selfcheck(spec, sandbox).problems
