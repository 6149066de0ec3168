"""Phase 2 of a sync: render every piece of Markdown once, resolving course links.

Links name course items by slug (``[loss](glossary:loss)``, ``[try it](exercise:mse-loss)``,
``[checkpoint](quiz:loss)``, ``[next](lesson:loss-landscape)``) and become the pages they
name: a glossary card, the exercise page, the checkpoint at the end of the lesson that
owns the quiz, a lesson. A link to a slug the course does not have is a problem at its
file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from judge.files import Problem

from ..rendering import render_markdown
from .loading import CourseSource


def course_link_resolver(course: CourseSource):
    """(scheme, slug) -> the URL of the page a course link names, or None."""
    lessons = {lesson.slug for lesson in course.lessons}
    terms = {entry.slug for entry in course.glossary}
    checkpoint_of = {lesson.front.quiz: lesson.slug for lesson in course.lessons}
    # A link to a lesson with problems of its own (or to its checkpoint) is not broken
    # as well: it gets a page once that lesson is fixed.
    pending = set(course.broken_lessons) | {
        front.get("quiz") for front in course.broken_lessons.values() if front.get("quiz")
    }
    slug = course.slug

    def resolve(scheme: str, target: str) -> str | None:
        if scheme in ("lesson", "quiz") and target in pending:
            return "#"
        if scheme == "glossary" and target in terms:
            return reverse("courses:glossary", args=[slug]) + f"#term-{target}"
        if scheme == "lesson" and target in lessons:
            return reverse("courses:lesson", args=[slug, target])
        if scheme == "quiz" and target in checkpoint_of:
            return reverse("courses:lesson", args=[slug, checkpoint_of[target]]) + "#checkpoint"
        if scheme == "exercise" and target in course.exercise_names:
            return reverse("grading:exercise", args=[slug, target])
        return None

    return resolve


@dataclass
class Rendered:
    lessons: dict[str, str] = field(default_factory=dict)
    statements: dict[str, str] = field(default_factory=dict)
    # (quiz slug, question id) -> prompt html; the choices' html goes into the spec
    prompts: dict[tuple[str, str], str] = field(default_factory=dict)
    specs: dict[tuple[str, str], dict] = field(default_factory=dict)


def _line_of(text: str, needle: str, first_line: int) -> int | None:
    offset = text.find(needle)
    return None if offset < 0 else first_line + text.count("\n", 0, offset)


class _Renderer:
    def __init__(self, source: CourseSource):
        self.resolve = course_link_resolver(source)
        self.problems: list[Problem] = []

    def __call__(self, text: str, file: str, first_line: int | None, *, exact=False) -> str:
        """``text``'s HTML; each broken link is a problem at its own line in the file
        (``exact``: at ``first_line``, for a YAML value whose lines are not the file's)."""
        result = render_markdown(text, self.resolve)
        for scheme, slug in result.broken_links:
            line = first_line
            if not exact and first_line is not None:
                line = _line_of(text, f"({scheme}:{slug})", first_line)
            self.problems.append(Problem(file, line, f"broken link to {scheme} {slug!r}"))
        return result.html


def render_course(source: CourseSource) -> tuple[Rendered, list[Problem]]:
    """Render every piece of Markdown once, reporting each broken course link."""
    render = _Renderer(source)
    rendered = Rendered()
    for lesson in source.lessons:
        rendered.lessons[lesson.slug] = render(lesson.body, lesson.file, lesson.body_line)
    for slug, exercise in source.exercises.items():
        rendered.statements[slug] = render(exercise.statement, f"{exercise.folder}/statement.md", 1)
    for quiz_slug, quiz_file in source.quizzes.items():
        for index, question in enumerate(quiz_file.quiz.questions):
            path = ("questions", index)
            key = (quiz_slug, question.id)
            line = quiz_file.line(path + ("prompt",))
            rendered.prompts[key] = render(question.prompt, quiz_file.file, line, exact=True)
            if question.explanation:
                where = quiz_file.line(path + ("explanation",))
                render(question.explanation, quiz_file.file, where, exact=True)
            rendered.specs[key] = _rendered_spec(question.spec(), render, quiz_file, path)
    return rendered, render.problems


def _rendered_spec(spec: dict, render: _Renderer, quiz_file, path: tuple) -> dict:
    """The spec as stored: a choice question's choices carry their HTML too."""
    if "choices" not in spec:
        return spec
    choices = []
    for index, choice in enumerate(spec["choices"]):
        where = quiz_file.line(path + ("choices", index))
        choices.append(
            {
                **choice,
                "text_html": render(choice["text"], quiz_file.file, where, exact=True),
                "explanation_html": render(
                    choice["explanation"], quiz_file.file, where, exact=True
                ),
            }
        )
    return {**spec, "choices": choices}
