"""The verdicts a grading can end in: one list for the engine, the database and pages."""

from enum import StrEnum


class Verdict(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    OUTPUT_LIMIT = "output_limit"
    INVALID = "invalid"

    @property
    def label(self) -> str:
        """Short, for tables and the database's choices."""
        return self.value.replace("_", " ")

    @property
    def headline(self) -> str:
        """What a student reads above a result."""
        return _HEADLINES[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(verdict.value, verdict.label) for verdict in cls]


_HEADLINES = {
    Verdict.PASSED: "Passed",
    Verdict.FAILED: "Some checks failed",
    Verdict.ERROR: "Your code raised an error",
    Verdict.TIMEOUT: "Time limit exceeded",
    Verdict.MEMORY: "Memory limit exceeded",
    Verdict.OUTPUT_LIMIT: "Too much output",
    Verdict.INVALID: "Could not be graded",
}

# How a run that the sandbox ended becomes a verdict.
RUN_END_VERDICTS = {
    "timeout": Verdict.TIMEOUT,
    "memory": Verdict.MEMORY,
    "output_limit": Verdict.OUTPUT_LIMIT,
}
