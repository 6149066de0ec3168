"""``exercise.yaml`` as a pydantic model: the one definition of its fields, their types
and their defaults, read by the importer (to show the exercise) and by the judge (to
grade it). The sentences below word each way the file can be wrong; `judge.files` puts
them at the file's line.

Shared building blocks for the other course files (`courses.schema`) live here too: a
non-empty text, a number above zero, ``fault`` for a validator's error.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainValidator,
    ValidationInfo,
    model_validator,
)

from .files import ANY, SENTENCE, fault
from .signature import Signature, SignatureInvalid, parse_signature


class FileModel(BaseModel):
    """A part of a course file: unknown fields are problems, values are never coerced
    from another type (a quoted "10" is not a number)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def require_text(value: Any) -> str:
    """Non-empty text, or the error kind "text" for the file's sentences to word."""
    if not isinstance(value, str) or not value.strip():
        raise fault("text")
    return value


def _positive(value: Any) -> float:
    if not is_number(value) or not value > 0:
        raise fault("positive")
    return float(value)


def none_is(default):
    """An empty YAML value (``hints:`` with nothing after it) means ``default()``."""
    return BeforeValidator(lambda value: default() if value is None else value)


Text = Annotated[str, PlainValidator(require_text)]
Positive = Annotated[float, PlainValidator(_positive)]

# A convention is one sentence a failing check's message carries.
CONVENTION_CHARS = 300


def _convention(value: Any) -> str:
    text = require_text(value).strip()
    if len(text) > CONVENTION_CHARS or "\n" in text:
        raise fault("convention")
    return text


class AcceptedMeta(FileModel):
    """Another convention the statement allows, as a complete solution: the checks
    accept an answer that agrees with it as they accept the reference's."""

    file: Text
    title: Text  # names the convention: "the velocity with (1 - beta) on the gradient"


class ExerciseLimits(FileModel):
    time_s: Positive = 5.0
    memory_mb: Positive = 256


class KnownMistakeMeta(FileModel):
    file: Text
    title: Text
    hint: Text

    @property
    def slug(self) -> str:
        """A known mistake is named after its file: mistakes/sum-not-mean.py is
        "sum-not-mean" in results and on the instructor's pages."""
        return self.file.rsplit("/", 1)[-1].removesuffix(".py")


def _lesson(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise fault("lesson")
    return value


class ExerciseMeta(FileModel):
    slug: Text
    title: Text
    lesson: Annotated[str, PlainValidator(_lesson)] = ""
    entry: Text
    kind: Literal["function", "class"] = "function"
    signature: Text
    points: Positive = 10.0
    limits: Annotated[ExerciseLimits, none_is(dict)] = ExerciseLimits()
    hints: Annotated[list[Text], none_is(list)] = []
    mistakes: Annotated[list[KnownMistakeMeta], none_is(list)] = []
    # Which of the conventions in use the checks expect, where the field has several
    # (v <- beta v + g, or with (1 - beta) on g): said with every failing comparison, so
    # a student who followed another source learns which one this exercise follows.
    convention: Annotated[str, PlainValidator(_convention)] = ""
    # Where the statement allows more than one convention: the others, each a solution
    # the checks accept as well (one per grading: a submission follows one throughout).
    accepts: Annotated[list[AcceptedMeta], none_is(list)] = []

    @model_validator(mode="after")
    def _interface(self, info: ValidationInfo) -> ExerciseMeta:
        folder = (info.context or {}).get("folder")
        if folder and self.slug != folder:
            message = f"slug {self.slug!r} must match the folder name {folder!r}"
            raise fault(SENTENCE, message, at=("slug",))
        try:
            parse_signature(self.signature, self.entry, self.kind)
        except SignatureInvalid as exc:
            raise fault(SENTENCE, str(exc), at=("signature",)) from None
        return self

    @cached_property
    def interface(self) -> Signature:
        # Parsed once per loaded exercise, not once per grading.
        return parse_signature(self.signature, self.entry, self.kind)

    @property
    def time_s(self) -> float:
        return self.limits.time_s

    @property
    def memory_mb(self) -> int:
        return int(self.limits.memory_mb)


# (error kind, location) -> the sentence; {field} is the location's last part, {number}
# its last list index plus one, {value} the value found. Braces in a sentence are doubled.
EXERCISE_SENTENCES = {
    ("model_type", ()): "exercise.yaml must be a mapping",
    ("extra_forbidden", (ANY,)): "unknown field {field!r} in exercise.yaml",
    ("convention", ("convention",)): (
        f"convention must be one line of at most {CONVENTION_CHARS} characters"
    ),
    ("text", ("convention",)): "convention must be a non-empty text",
    ("missing", (ANY,)): "missing required field {field!r} (text)",
    ("text", (ANY,)): "missing required field {field!r} (text)",
    ("literal_error", ("kind",)): "unknown exercise kind {value!r} (expected function or class)",
    ("lesson", ("lesson",)): "lesson must be a lesson slug",
    ("positive", ("points",)): "points must be a number above 0",
    ("model_type", ("limits",)): "limits must be a mapping {{time_s: ..., memory_mb: ...}}",
    ("extra_forbidden", ("limits", ANY)): "unknown limit {field!r} (expected time_s, memory_mb)",
    ("positive", ("limits", ANY)): "limit {field} must be a number above 0",
    ("list_type", ("hints",)): "hints must be a list of non-empty texts",
    ("text", ("hints", ANY)): "hints must be a list of non-empty texts",
    ("list_type", ("accepts",)): "accepts must be a list of {{file, title}}",
    (
        "model_type",
        ("accepts", ANY),
    ): "an accepted convention must be a mapping with file and title",
    (
        "extra_forbidden",
        ("accepts", ANY, ANY),
    ): "unknown field {field!r} for an accepted convention",
    ("missing", ("accepts", ANY, ANY)): "accepted convention {number} needs {field!r} (text)",
    ("text", ("accepts", ANY, ANY)): "accepted convention {number} needs {field!r} (text)",
    ("list_type", ("mistakes",)): "mistakes must be a list of {{file, title, hint}}",
    ("model_type", ("mistakes", ANY)): "a mistake must be a mapping with file, title and hint",
    ("extra_forbidden", ("mistakes", ANY, ANY)): "unknown field {field!r} for a mistake",
    ("missing", ("mistakes", ANY, ANY)): "mistake {number} needs {field!r} (text)",
    ("text", ("mistakes", ANY, ANY)): "mistake {number} needs {field!r} (text)",
}
