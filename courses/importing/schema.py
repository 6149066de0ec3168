"""The course file formats, beside ``exercise.yaml`` (`judge.schema`), as pydantic models:
``course.yaml``, a lesson's front matter, a quiz file and ``glossary.yaml``. Each model is
the one definition of its fields, types and defaults; each table of sentences words the
ways its file can be wrong, and `judge.files` places them at the file's line.

Django-free: the rules of a quiz question also decide what is stored and graded
(`spec()`, read by `courses.quizzes`).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from judge.files import ANY, SENTENCE, fault
from judge.schema import FileModel, Text, is_number, none_is, require_text

from ..expressions import RESERVED, Expression, ExpressionError
from ..quizzes import PLACEHOLDER, draw_values, format_number

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_PASS_THRESHOLD = 0.8
# Answer expressions are checked on this many draws at import, so a division by zero or
# a log of a negative number that only some students would hit is caught up front.
VALIDATION_DRAWS = 40
QUESTION_KINDS = ("single", "multiple", "numeric", "ordering", "param_numeric")


def _optional_text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise fault("text")
    return value


OptionalText = Annotated[str, PlainValidator(_optional_text)]


# course.yaml ---------------------------------------------------------------------------


class CourseManifest(FileModel):
    slug: Text
    title: Text
    description: OptionalText = ""
    prerequisites: Annotated[list[Text], none_is(list)] = []
    lessons: list[str]


COURSE_SENTENCES = {
    ("model_type", ()): "must be a mapping",
    ("missing", (ANY,)): "missing required field {field!r}",
    ("text", (ANY,)): "field {field!r} must be text",
    ("list_type", ("lessons",)): "field 'lessons' must be a list of lesson slugs",
    ("string_type", ("lessons", ANY)): "field 'lessons' must be a list of lesson slugs",
    ("list_type", ("prerequisites",)): "field 'prerequisites' must be a list of texts",
    ("text", ("prerequisites", ANY)): "field 'prerequisites' must be a list of texts",
    ("extra_forbidden", (ANY,)): "unknown field {field!r} in course.yaml",
}


# lessons/NN-<slug>.md front matter -------------------------------------------------------


def _minutes(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise fault("minutes")
    return value


class LessonFrontMatter(FileModel):
    slug: Text
    title: Text
    summary: OptionalText = ""
    minutes: Annotated[int, PlainValidator(_minutes)] = 10
    think: OptionalText = ""
    widget: OptionalText = ""
    exercises: Annotated[list[str], none_is(list)] = []
    quiz: OptionalText = ""


LESSON_SENTENCES = {
    ("model_type", ()): "front matter must be a mapping",
    ("missing", (ANY,)): "missing required field {field!r}",
    ("text", (ANY,)): "field {field!r} must be text",
    ("minutes", ("minutes",)): "field 'minutes' must be a whole number above 0",
    ("list_type", ("exercises",)): "field 'exercises' must be a list",
    ("string_type", ("exercises", ANY)): "field 'exercises' must be a list of exercise slugs",
    ("extra_forbidden", (ANY,)): "unknown field {field!r} in the front matter",
}


# glossary.yaml ---------------------------------------------------------------------------


# A card may carry a formula (LaTeX, typeset by KaTeX like lesson math) and its anatomy,
# the formula's symbols explained one by one. The limits keep a card a card: the lesson
# pop-over shows all of it in a box about 350 pixels wide.
FORMULA_CHARS = 400
SYMBOL_CHARS = 80
MEANING_CHARS = 300
ANATOMY_PARTS = 12
# The page wraps the LaTeX in arithmatex's delimiters itself; a formula that brings its
# own would show them twice.
# Anywhere in the formula, not only at its ends: a delimiter in the middle ends the math
# early. "\\$" (a dollar sign) and "\\\\[2pt]" (a line break with space) are LaTeX, not
# delimiters.
_DELIMITER = re.compile(r"(?<!\\)(?:\$|\\[()\[\]])")


def _latex(limit: int, *, one_line: bool):
    def check(value: Any) -> str:
        text = require_text(value).strip()
        if len(text) > limit:
            raise fault("too_many_chars", str(limit))
        if one_line and "\n" in text:
            raise fault("one_line")
        if _DELIMITER.search(text):
            raise fault("delimited")
        return text

    return check


def _optional_formula(value: Any) -> str:
    if value is None or value == "":
        return ""
    return _latex(FORMULA_CHARS, one_line=False)(value)


def _meaning(value: Any) -> str:
    text = require_text(value).strip()
    if len(text) > MEANING_CHARS:
        raise fault("too_many_chars", str(MEANING_CHARS))
    return text


# What a GlossaryTerm row stores of a card (GlossaryEntry.card gives them as stored).
CARD_FIELDS = ("term", "definition", "why", "myth", "reality", "formula", "anatomy")


class AnatomyPart(FileModel):
    symbol: Annotated[str, PlainValidator(_latex(SYMBOL_CHARS, one_line=True))]
    meaning: Annotated[str, PlainValidator(_meaning)]


class GlossaryEntry(FileModel):
    slug: Text
    term: Text
    definition: OptionalText = ""
    why: OptionalText = ""
    myth: OptionalText = ""
    reality: OptionalText = ""
    formula: Annotated[str, PlainValidator(_optional_formula)] = ""
    anatomy: Annotated[list[AnatomyPart], none_is(list), Field(max_length=ANATOMY_PARTS)] = []

    @model_validator(mode="after")
    def _anatomy_of_the_formula(self) -> GlossaryEntry:
        if self.anatomy and not self.formula:
            message = (
                f"entry {self.slug!r} explains symbols (anatomy) but has no formula; "
                "add the formula or drop the anatomy"
            )
            raise fault(SENTENCE, message, at=("anatomy",))
        seen: set[str] = set()
        for index, part in enumerate(self.anatomy):
            if part.symbol in seen:
                message = f"entry {self.slug!r} explains the symbol {part.symbol!r} twice"
                raise fault(SENTENCE, message, at=("anatomy", index, "symbol"))
            seen.add(part.symbol)
        return self

    def card(self) -> dict:
        """The card as a GlossaryTerm row stores it: CARD_FIELDS, anatomy as plain data."""
        card = {name: getattr(self, name) for name in CARD_FIELDS}
        card["anatomy"] = [part.model_dump() for part in self.anatomy]
        return card


class Glossary(FileModel):
    entries: list[GlossaryEntry]


_ANATOMY_ITEM = ("entries", ANY, "anatomy", ANY)
GLOSSARY_SENTENCES = {
    ("list_type", ("entries",)): "glossary.yaml must be a list of entries",
    ("model_type", ("entries", ANY)): "entry {number} needs slug and term",
    ("missing", ("entries", ANY, ANY)): "entry {number} needs slug and term",
    ("text", ("entries", ANY, "slug")): "entry {number} needs slug and term",
    ("text", ("entries", ANY, "term")): "entry {number} needs slug and term",
    ("text", ("entries", ANY, ANY)): "entry {number}: field {field!r} must be text",
    ("extra_forbidden", ("entries", ANY, ANY)): "unknown field {field!r} in entry {number}",
    ("too_many_chars", ("entries", ANY, "formula")): (
        "entry {number}: the formula is longer than {detail} characters"
    ),
    ("delimited", ("entries", ANY, "formula")): (
        "entry {number}: write the formula without $ or \\( \\) delimiters; the page adds them"
    ),
    ("list_type", ("entries", ANY, "anatomy")): (
        "entry {number}: anatomy must be a list of {{symbol, meaning}} pairs"
    ),
    ("too_long", ("entries", ANY, "anatomy")): (
        f"entry {{number}}: anatomy explains at most {ANATOMY_PARTS} symbols"
    ),
    # Inside an anatomy list, {number} counts its items.
    ("model_type", _ANATOMY_ITEM): "anatomy item {number} must be a pair of symbol and meaning",
    ("missing", (*_ANATOMY_ITEM, ANY)): "anatomy item {number} needs symbol and meaning",
    ("text", (*_ANATOMY_ITEM, ANY)): "anatomy item {number}: field {field!r} must be text",
    ("extra_forbidden", (*_ANATOMY_ITEM, ANY)): "unknown field {field!r} in anatomy item {number}",
    ("too_many_chars", (*_ANATOMY_ITEM, ANY)): (
        "anatomy item {number}: the {field} is longer than {detail} characters"
    ),
    ("one_line", (*_ANATOMY_ITEM, "symbol")): "anatomy item {number}: a symbol is one line",
    ("delimited", (*_ANATOMY_ITEM, "symbol")): (
        "anatomy item {number}: write the symbol without $ or \\( \\) delimiters; "
        "the page adds them"
    ),
}


# quizzes/<slug>.yaml ---------------------------------------------------------------------


def _slug_text(value: Any) -> str:
    text = require_text(value)
    if not SLUG.match(text):
        raise fault("slug")
    return text


QuestionId = Annotated[str, PlainValidator(_slug_text)]


def _tolerance(value: Any) -> dict[str, float]:
    if not isinstance(value, dict) or len(value) != 1 or set(value) - {"abs", "rel"}:
        raise fault("tolerance")
    ((kind, number),) = value.items()
    if not is_number(number) or not math.isfinite(number) or number < 0:
        raise fault(SENTENCE, f"tolerance {kind} must be a number of at least 0")
    return {kind: float(number)}


Tolerance = Annotated[dict[str, float], PlainValidator(_tolerance)]


def _finite(value: Any) -> float:
    if not is_number(value) or not math.isfinite(value):
        raise fault("number")
    return float(value)


def _correct(value: Any) -> bool:
    if not isinstance(value, bool):
        raise fault(SENTENCE, "correct must be true or false")
    return value


class Choice(FileModel):
    text: Text
    correct: Annotated[bool, PlainValidator(_correct)] = False
    explanation: Text


class _Question(FileModel):
    id: QuestionId
    prompt: Text
    explanation: OptionalText = ""

    def spec(self) -> dict:  # pragma: no cover - each kind says
        raise NotImplementedError


class ChoiceQuestion(_Question):
    kind: Literal["single", "multiple"]
    choices: list[Choice] = Field(min_length=2)

    @model_validator(mode="after")
    def _right_choices(self) -> ChoiceQuestion:
        right = sum(choice.correct for choice in self.choices)
        if self.kind == "single" and right != 1:
            message = f"a single-choice question needs exactly one correct choice, not {right}"
            raise fault(SENTENCE, message, at=("choices",))
        if self.kind == "multiple" and right < 1:
            message = "a multiple-select question needs at least one correct choice"
            raise fault(SENTENCE, message, at=("choices",))
        texts = [choice.text for choice in self.choices]
        if len(set(texts)) != len(texts):
            raise fault(SENTENCE, "two choices have the same text", at=("choices",))
        return self

    def spec(self) -> dict:
        return {"choices": [choice.model_dump() for choice in self.choices]}


class NumericQuestion(_Question):
    kind: Literal["numeric"]
    answer: Annotated[float, PlainValidator(_finite)]
    tolerance: Tolerance

    def spec(self) -> dict:
        return {"answer": self.answer, "tolerance": dict(self.tolerance)}


class OrderingQuestion(_Question):
    kind: Literal["ordering"]
    items: list[Text] = Field(min_length=2)

    @field_validator("items")
    @classmethod
    def _distinct(cls, items: list[str]) -> list[str]:
        if len(set(items)) != len(items):
            raise fault("duplicate_items")
        return items

    def spec(self) -> dict:
        return {"items": list(self.items)}


def _param_rule(value: Any) -> dict:
    """``{choices: [numbers]}`` or ``{min:, max:, step:}``, kept as written (whole numbers
    stay whole: they are drawn as integers)."""
    if not isinstance(value, dict):
        raise fault("param_rule")
    if "choices" in value:
        extra = sorted(set(value) - {"choices"})
        if extra:
            raise fault("param_mixed", str(extra))
        choices = value["choices"]
        if not isinstance(choices, list) or not choices:
            raise fault("param_empty")
        if not all(_is_finite(v) for v in choices):
            raise fault("param_choice")
        return {"choices": list(choices)}
    if set(value) != {"min", "max", "step"}:
        raise fault("param_range", str(sorted(value)))
    low, high, step = value["min"], value["max"], value["step"]
    if not all(_is_finite(v) for v in (low, high, step)):
        raise fault("param_numbers")
    if step <= 0:
        raise fault("param_step", str(step))
    if high < low:
        raise fault("param_order", f"max {high} is below min {low}")
    return {"min": low, "max": high, "step": step}


def _is_finite(value: Any) -> bool:
    return is_number(value) and math.isfinite(value)


def _param_names(value: Any) -> Any:
    if isinstance(value, dict):
        for name in value:
            if not isinstance(name, str) or not name.isidentifier():
                raise fault(SENTENCE, f"param name {name!r} must be an identifier", at=(name,))
            if name in RESERVED:
                raise fault(
                    SENTENCE,
                    f"param name {name!r} is reserved (a function, a constant or 'answer')",
                    at=(name,),
                )
    return value


def _expression_text(value: Any) -> str:
    if not isinstance(value, str):
        raise fault("expression")
    return value


class ParamQuestion(_Question):
    kind: Literal["param_numeric"]
    params: Annotated[
        dict[str, Annotated[dict, PlainValidator(_param_rule)]],
        BeforeValidator(_param_names),
        Field(min_length=1),
    ]
    answer: Annotated[str, PlainValidator(_expression_text)]
    tolerance: Tolerance

    @model_validator(mode="after")
    def _answer_evaluates(self) -> ParamQuestion:
        """The expression parses and evaluates on every one of VALIDATION_DRAWS draws."""
        try:
            expression = Expression(self.answer, self.params)
        except ExpressionError as exc:
            message = f"answer expression {self.answer!r}: {exc}"
            raise fault(SENTENCE, message, at=("answer",)) from None
        for draw in range(VALIDATION_DRAWS):
            values = draw_values(self.spec(), f"validate:{draw}")
            try:
                expression.evaluate(values)
            except ExpressionError as exc:
                shown = ", ".join(f"{k}={format_number(v)}" for k, v in values.items())
                message = f"answer expression {self.answer!r} with {shown}: {exc}"
                raise fault(SENTENCE, message, at=("answer",)) from None
        if not set(PLACEHOLDER.findall(self.prompt)) & set(self.params):
            message = "a param_numeric prompt must show at least one {param}"
            raise fault(SENTENCE, message, at=("prompt",))
        return self

    def spec(self) -> dict:
        return {"params": dict(self.params), "answer": self.answer, "tolerance": self.tolerance}


def _question_kind(value: Any) -> str | None:
    kind = value.get("kind") if isinstance(value, dict) else None
    return kind if kind in QUESTION_KINDS else None


def _question_mapping(value: Any) -> Any:
    if not isinstance(value, dict):
        raise fault("question_type")
    if value.get("kind") not in QUESTION_KINDS:
        kind = value.get("kind")
        expected = ", ".join(QUESTION_KINDS)
        message = f"unknown question kind {kind!r} (expected one of: {expected})"
        raise fault(SENTENCE, message, at=("kind",))
    return value


Question = Annotated[
    Annotated[ChoiceQuestion, Tag("single")]
    | Annotated[ChoiceQuestion, Tag("multiple")]
    | Annotated[NumericQuestion, Tag("numeric")]
    | Annotated[OrderingQuestion, Tag("ordering")]
    | Annotated[ParamQuestion, Tag("param_numeric")],
    Discriminator(_question_kind),
    BeforeValidator(_question_mapping),
]


def _threshold(value: Any) -> float:
    if not _is_finite(value) or not 0 < value <= 1:
        raise fault("threshold")
    return float(value)


class QuizFileModel(FileModel):
    slug: Annotated[str, PlainValidator(_slug_text)]
    title: Text
    pass_threshold: Annotated[float, PlainValidator(_threshold)] = DEFAULT_PASS_THRESHOLD
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _names(self, info: ValidationInfo) -> QuizFileModel:
        stem = (info.context or {}).get("stem")
        if stem and self.slug != stem:
            message = f"slug {self.slug!r} must match the file name ({stem}.yaml)"
            raise fault(SENTENCE, message, at=("slug",))
        seen: set[str] = set()
        for index, question in enumerate(self.questions):
            if question.id in seen:
                message = f"duplicate question id {question.id!r}"
                raise fault(SENTENCE, message, at=("questions", index, "id"))
            seen.add(question.id)
        return self


# A question's location carries its kind (the union member pydantic chose) as the part
# after its index; sentences below see it as {parent} or match it with ANY.
QUIZ_SENTENCES = {
    ("model_type", ()): "a quiz file must be a mapping with slug, title and questions",
    ("extra_forbidden", (ANY,)): "unknown field {field!r} for a quiz",
    ("missing", (ANY,)): "missing required field {field!r}",
    ("text", (ANY,)): "field {field!r} must be non-empty text",
    ("slug", ("slug",)): "quiz slug {value!r} must be a slug (a-z, 0-9, dashes)",
    ("threshold", ("pass_threshold",)): "pass_threshold must be a number above 0 and at most 1",
    ("list_type", ("questions",)): "a quiz needs a non-empty list of questions",
    ("too_short", ("questions",)): "a quiz needs a non-empty list of questions",
    ("question_type", ("questions", ANY)): "a question must be a mapping",
    # common to every kind
    (
        "extra_forbidden",
        ("questions", ANY, ANY, ANY),
    ): "unknown field {field!r} for a {parent} question",
    ("missing", ("questions", ANY, ANY, "tolerance")): (
        "missing required field 'tolerance' ({{abs: x}} or {{rel: x}})"
    ),
    ("missing", ("questions", ANY, ANY, ANY)): "missing required field {field!r}",
    ("text", ("questions", ANY, ANY, ANY)): "field {field!r} must be non-empty text",
    (
        "slug",
        ("questions", ANY, ANY, "id"),
    ): "question id {value!r} must be a slug (a-z, 0-9, dashes)",
    ("tolerance", ("questions", ANY, ANY, "tolerance")): (
        "tolerance must be exactly one of {{abs: x}} or {{rel: x}}"
    ),
    # single, multiple
    ("list_type", ("questions", ANY, ANY, "choices")): (
        "a {parent} question needs a list of at least 2 choices"
    ),
    ("too_short", ("questions", ANY, ANY, "choices")): (
        "a {parent} question needs a list of at least 2 choices"
    ),
    ("model_type", ("questions", ANY, ANY, "choices", ANY)): (
        "a choice must be a mapping with text and explanation"
    ),
    (
        "extra_forbidden",
        ("questions", ANY, ANY, "choices", ANY, ANY),
    ): "unknown field {field!r} for a choice",
    ("missing", ("questions", ANY, ANY, "choices", ANY, ANY)): "missing required field {field!r}",
    (
        "text",
        ("questions", ANY, ANY, "choices", ANY, ANY),
    ): "field {field!r} must be non-empty text",
    # numeric
    ("number", ("questions", ANY, "numeric", "answer")): (
        "the answer of a numeric question must be a number"
    ),
    # ordering
    ("list_type", ("questions", ANY, ANY, "items")): (
        "an ordering question needs a list of at least 2 items"
    ),
    ("too_short", ("questions", ANY, ANY, "items")): (
        "an ordering question needs a list of at least 2 items"
    ),
    ("text", ("questions", ANY, ANY, "items", ANY)): "every item must be non-empty text",
    ("duplicate_items", ("questions", ANY, ANY, "items")): "two items have the same text",
    # param_numeric
    ("dict_type", ("questions", ANY, ANY, "params")): (
        "a param_numeric question needs a mapping of params"
    ),
    ("too_short", ("questions", ANY, ANY, "params")): (
        "a param_numeric question needs a mapping of params"
    ),
    ("expression", ("questions", ANY, ANY, "answer")): (
        "the answer of a param_numeric question must be an expression"
    ),
    ("param_rule", ("questions", ANY, ANY, "params", ANY)): (
        "param {field!r} must be {{choices: [...]}} or {{min:, max:, step:}}"
    ),
    (
        "param_mixed",
        ("questions", ANY, ANY, "params", ANY),
    ): "param {field!r} mixes choices with {detail}",
    (
        "param_empty",
        ("questions", ANY, ANY, "params", ANY),
    ): "param {field!r} has an empty list of choices",
    ("param_choice", ("questions", ANY, ANY, "params", ANY)): (
        "every choice of param {field!r} must be a number"
    ),
    ("param_range", ("questions", ANY, ANY, "params", ANY)): (
        "param {field!r} needs min, max and step (or choices), got {detail}"
    ),
    ("param_numbers", ("questions", ANY, ANY, "params", ANY)): (
        "min, max and step of param {field!r} must be numbers"
    ),
    ("param_step", ("questions", ANY, ANY, "params", ANY)): (
        "param {field!r} has step {detail}; it must be above 0"
    ),
    (
        "param_order",
        ("questions", ANY, ANY, "params", ANY),
    ): "param {field!r} has an empty range: {detail}",
}
QUESTION_TAGS = frozenset(QUESTION_KINDS)
