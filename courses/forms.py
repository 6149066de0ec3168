"""Forms of the student side. The checkpoint is not a Django Form: its fields come from
the quiz's rows, and what it shows depends on the attempt's seed."""

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django import forms
from django.urls import reverse

from .models import Course, Question
from .quizzes import fill_placeholders, format_number, shuffled_order
from .rendering import render_markdown
from .selectors import cohort_by_code

WRAPPING_PARAGRAPH = re.compile(r"^<p>(.*)</p>$", re.DOTALL)


class CohortCreateForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(is_preview=False), empty_label=None
    )
    name = forms.CharField(max_length=200, help_text="For example “Spring 2027, Tuesday group”.")


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label="Join code",
        max_length=32,
        help_text="Your instructor gives you this code, such as K7QM2XPA9D.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self):
        cohort = cohort_by_code(code=self.cleaned_data["code"])
        if cohort is None:
            raise forms.ValidationError(
                "No cohort has that code. Check it for typos, or ask your instructor for a "
                "new one (codes can be replaced)."
            )
        self.cohort = cohort
        return cohort.join_code


class ThinkForm(forms.Form):
    answer = forms.CharField(
        label="Your answer, in a sentence",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write a sentence, or choose “Skip”."},
    )


class ReadingPositionForm(forms.Form):
    position = forms.FloatField(min_value=0.0, max_value=1.0)


# Checkpoint -------------------------------------------------------------------------


def markdown_html(text: str, course: Course, inline: bool = False) -> str:
    return _markdown_html(text, reverse("courses:glossary", args=[course.slug]), inline)


# Keyed by the text itself, so an edited choice is simply another entry: every checkpoint
# form shows each of its choices, the same for every student, on every page view.
@lru_cache(maxsize=4096)
def _markdown_html(text: str, glossary: str, inline: bool) -> str:
    def resolve(scheme: str, slug: str) -> str | None:
        return f"{glossary}#term-{slug}" if scheme == "glossary" else None

    html = render_markdown(text, resolve).html.strip()
    if inline:
        match = WRAPPING_PARAGRAPH.match(html)
        if match and "<p>" not in match.group(1):
            return match.group(1)
    return html


def display_order(question: Question, seed: str) -> list[int]:
    """The ordering items as shown: shuffled per attempt, never in the correct order, so
    neither the page nor the option values give the answer away."""
    count = len(question.spec["items"])
    order = shuffled_order(count, f"{seed}:{question.slug}:order")
    if order == list(range(count)) and count > 1:
        order = order[1:] + order[:1]
    return order


def choice_order(question: Question, seed: str) -> list[int]:
    """The choices as shown: the file's indices in an order drawn from the attempt's seed.
    A fixed order would let a student who saw one review pick answers by position; this
    way the page and the review of one attempt agree, and another attempt differs. The
    file's own order may come up (refusing it would fix the order of a two-choice
    question). Answers are stored and graded as the file's indices, whatever the order."""
    return shuffled_order(len(question.spec["choices"]), f"{seed}:{question.slug}:choices")


@dataclass
class CheckpointQuestion:
    question: Question
    number: int
    prompt_html: str
    choices: list[dict] = field(default_factory=list)  # shown, index (the file's), html
    items: list[dict] = field(default_factory=list)  # shown index, html (ordering)
    positions: list[dict] = field(default_factory=list)  # ordering: number, selected
    given: object = None
    result: dict | None = None

    @property
    def name(self) -> str:
        return f"q-{self.question.slug}"

    @property
    def kind(self) -> str:
        return self.question.kind


class CheckpointChanged(Exception):
    """The posted form was drawn for other questions or choices than the quiz has now (a
    publish in between): its positions would map to other choices, so it is not graded."""


class Checkpoint:
    """A quiz as one attempt sees it: prompts with the attempt's numbers, choices and
    ordering items shuffled by the attempt's seed, without their verdicts. Built for a
    blank form (seed of the pending attempt) or for the review of a stored attempt."""

    def __init__(self, quiz, seed: str, attempt=None, questions=None):
        """``questions``: the quiz's active questions when the caller has them already
        (the lesson page's cached parts), else they are read."""
        self.quiz = quiz
        self.seed = seed
        self.attempt = attempt
        course = quiz.course
        if questions is None:
            questions = quiz.questions.filter(is_active=True)
        self.questions = []
        for number, question in enumerate(questions, start=1):
            item = CheckpointQuestion(
                question=question, number=number, prompt_html=question.prompt_for(seed)
            )
            if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
                choices = question.spec["choices"]
                item.choices = [
                    {
                        "shown": shown,
                        "index": true,
                        "html": markdown_html(choices[true]["text"], course, inline=True),
                    }
                    for shown, true in enumerate(choice_order(question, seed))
                ]
            elif question.kind == Question.Kind.ORDERING:
                texts = question.spec["items"]
                item.items = [
                    {
                        "shown": shown,
                        "text": texts[true],
                        "html": markdown_html(texts[true], course, inline=True),
                    }
                    for shown, true in enumerate(display_order(question, seed))
                ]
            if attempt is not None:
                self._review(item, attempt, course)
            if question.kind == Question.Kind.ORDERING:
                chosen = item.given if isinstance(item.given, list) else None
                item.positions = [
                    {"number": p + 1, "selected": chosen[p] if chosen and p < len(chosen) else p}
                    for p in range(len(item.items))
                ]
            self.questions.append(item)

    def _review(self, item: CheckpointQuestion, attempt, course) -> None:
        slug = item.question.slug
        item.given = attempt.answers.get(slug)
        if item.question.kind == Question.Kind.ORDERING and isinstance(item.given, list):
            # Stored in true indices (what Question.grade takes); shown in this attempt's
            # display indices so the selects come back as the student left them.
            order = display_order(item.question, self.seed)
            shown_of = {true: shown for shown, true in enumerate(order)}
            item.given = [shown_of.get(value) for value in item.given]
        result = dict(attempt.results.get(slug) or {"correct": False, "message": "Not answered."})
        self._complete(item.question, result)
        result["explanation_html"] = (
            markdown_html(result["explanation"], course) if result.get("explanation") else ""
        )
        # Stored answers and per-choice results name choices by their index in the file
        # (attempts made before choices were shuffled too), so each is matched by index,
        # never by position on the page.
        picked = {str(v) for v in (item.given if isinstance(item.given, list) else [item.given])}
        details = {
            detail.get("index"): detail
            for detail in result.get("choices") or []
            if isinstance(detail, dict)
        }
        for choice in item.choices:
            detail = details.get(choice["index"]) or item.question.spec["choices"][choice["index"]]
            choice["selected"] = str(choice["index"]) in picked
            choice["correct"] = detail["correct"]
            choice["explanation_html"] = markdown_html(detail["explanation"], course, inline=True)
        expected = result.get("expected")
        if item.question.kind == Question.Kind.ORDERING and isinstance(expected, list):
            result["expected_html"] = [
                markdown_html(text, course, inline=True) for text in expected
            ]
        if item.question.kind == Question.Kind.ORDERING and isinstance(item.given, list):
            result["given_html"] = [
                item.items[shown]["html"] if shown is not None else "—" for shown in item.given
            ]
        item.result = result

    def _complete(self, question: Question, result: dict) -> None:
        """An unanswered (or malformed) answer gets no per-choice feedback from grading;
        once the attempt is in, the review still shows every explanation and the answer."""
        kind = question.kind
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) and not result.get("choices"):
            result["choices"] = [
                {"index": i, "selected": False, **choice}
                for i, choice in enumerate(question.spec["choices"])
            ]
        if kind == Question.Kind.ORDERING and not result.get("expected"):
            result["expected"] = question.spec["items"]
        if kind in (Question.Kind.NUMERIC, Question.Kind.PARAM_NUMERIC):
            if result.get("expected") is None:
                result["expected"] = format_number(question.answer_for(self.seed))
            if not result.get("explanation"):
                values = question.values_for(self.seed)
                result["explanation"] = fill_placeholders(question.explanation_markdown, values)
        elif kind == Question.Kind.ORDERING and not result.get("explanation"):
            result["explanation"] = question.explanation_markdown

    @property
    def shape(self) -> str:
        """Names the questions and how many choices or items each shows, so a form drawn
        before a publish changed them is recognised (``answers_from``)."""
        parts = [
            f"{item.question.slug}:{item.kind}:{len(item.choices)}:{len(item.items)}"
            for item in self.questions
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def answers_from(self, data) -> dict:
        """The POSTed form as the answers Quiz.grade takes; unanswered questions are left
        out (and graded as not answered). CheckpointChanged when the form says it was
        drawn for another shape of the quiz (a form without the field, as those rendered
        before it existed, is read as it always was)."""
        if data.get("shape", self.shape) != self.shape:
            raise CheckpointChanged
        answers = {}
        for item in self.questions:
            question, name = item.question, item.name
            # The form sends positions on the page; the file's index of the choice shown
            # there is stored. Only what the form could have sent is kept: a position that
            # exists, each at most once; anything else would only bloat the stored attempt.
            file_index = {str(choice["shown"]): str(choice["index"]) for choice in item.choices}
            if question.kind == Question.Kind.SINGLE:
                value = data.get(name, "").strip()
                if value in file_index:
                    answers[question.slug] = file_index[value]
            elif question.kind == Question.Kind.MULTIPLE:
                shown = {v.strip() for v in data.getlist(name)} & set(file_index)
                values = sorted((file_index[v] for v in shown), key=int)
                if values:
                    answers[question.slug] = values
            elif question.kind == Question.Kind.ORDERING:
                order = display_order(question, self.seed)
                chosen = []
                for position in range(len(order)):
                    raw = data.get(f"{name}-{position + 1}", "").strip()
                    shown = int(raw) if raw.isdigit() else None
                    chosen.append(order[shown] if shown is not None and shown < len(order) else -1)
                if any(value >= 0 for value in chosen):
                    answers[question.slug] = chosen
            else:
                value = data.get(name, "").strip()
                if value:
                    answers[question.slug] = value[:64]
        return answers
