"""What the worker-side API hands back. Plain frozen data: nothing here refers to the jail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["ok", "timeout", "memory", "output_limit", "crashed", "killed"]


class SandboxUnavailable(RuntimeError):
    """Isolation cannot be provided. Never run student code some other way instead."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class RunEnded(RuntimeError):
    """The run died or was killed while (or before) serving a request."""

    def __init__(self, outcome: RunOutcome):
        super().__init__(f"run ended: {outcome.status} ({outcome.detail})")
        self.outcome = outcome


@dataclass(frozen=True)
class RunOutcome:
    status: Status
    detail: str = ""
    exit_code: int | None = None
    signal: int | None = None
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    cpu_ms: float = 0.0
    wall_ms: float = 0.0
    max_rss_kb: int = 0
    peak_memory_kb: int | None = None
    limits_backend: str = ""


@dataclass(frozen=True)
class ErrorInfo:
    """An exception raised by student code. `traceback` holds only the student's frames."""

    type: str
    message: str
    traceback: str = ""
    line: int | None = None
    offset: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class NameInfo:
    """A top-level name of a loaded submission. `params` shows each parameter as inspect
    prints it ("x", "lr=0.001", "*args"); `param_names` has just the names."""

    kind: Literal["function", "class", "other"]
    params: tuple[str, ...] | None = None
    param_names: tuple[str, ...] | None = None


@dataclass(frozen=True)
class LoadResult:
    status: Literal["ok", "syntax_error", "error", "rejected"]
    names: dict[str, NameInfo] = field(default_factory=dict)
    error: ErrorInfo | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class CallResult:
    ok: bool
    value: Any = None
    error: ErrorInfo | None = None
    # Evaluations of each named test function passed in, as counted inside the jail: a claim
    # by the student's process, as trustworthy as `value`.
    fn_calls: dict[str, dict[str, int]] = field(default_factory=dict)
    # Post-call state of the positional arguments, when asked for with return_args=True.
    args: list[Any] | None = None


@dataclass(frozen=True)
class SelfTestReport:
    ok: bool
    checks: dict[str, bool]
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)
