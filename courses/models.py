"""Course content as loaded from files. The files in git stay the source of truth:
rows carry the slug they were imported under, so re-importing updates them in place and
never touches student progress that points at them."""

import math
from dataclasses import dataclass
from pathlib import Path

from django.db import models

from . import quizzes
from .expressions import Expression
from .quizzes import Feedback
from .rendering import render_markdown


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    prerequisites = models.JSONField(default=list, blank=True)
    source_path = models.CharField(
        max_length=500, blank=True, help_text="Directory the course was imported from."
    )
    content_hash = models.CharField(max_length=64, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def from_files(self) -> bool:
        return bool(self.source_path)


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField()
    minutes = models.PositiveIntegerField(default=10)
    think_prompt = models.TextField(blank=True)
    widget = models.CharField(max_length=60, blank=True)
    body_markdown = models.TextField()
    body_html = models.TextField()
    source_file = models.CharField(max_length=300, blank=True)
    # False once a lesson has been removed from the files: kept so progress survives.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lesson_unique_slug_per_course")
        ]

    def __str__(self) -> str:
        return self.title


class GlossaryTerm(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="glossary")
    slug = models.SlugField()
    term = models.CharField(max_length=100)
    definition = models.TextField()
    why = models.TextField(blank=True)
    myth = models.TextField(blank=True)
    reality = models.TextField(blank=True)

    class Meta:
        ordering = ["course", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "slug"], name="glossary_unique_slug_per_course"
            )
        ]

    def __str__(self) -> str:
        return self.term


class Quiz(models.Model):
    """A lesson's checkpoint. The lesson counts as complete once this is passed."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="quizzes")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    pass_threshold = models.FloatField(
        default=0.8, help_text="Share of the questions that must be right to pass."
    )
    source_file = models.CharField(max_length=300, blank=True)
    # False once the quiz has been removed from the files: kept so attempts survive.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["course", "lesson__position"]
        verbose_name_plural = "quizzes"
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="quiz_unique_slug_per_course")
        ]

    def __str__(self) -> str:
        return self.title

    def grade(self, answers: dict, seed) -> "QuizResult":
        """Grade answers keyed by question slug; an unanswered question counts as wrong."""
        questions = list(self.questions.filter(is_active=True))
        results = {}
        for question in questions:
            if question.slug in answers:
                results[question.slug] = question.grade(answers[question.slug], seed)
            else:
                results[question.slug] = (False, Feedback("Not answered."))
        right = sum(1 for correct, _ in results.values() if correct)
        score = right / len(questions) if questions else 0.0
        # Compared in whole questions, so 0.8 of 10 needs 8 right despite float rounding.
        passed = bool(questions) and right >= math.ceil(self.pass_threshold * len(questions) - 1e-9)
        return QuizResult(score=score, passed=passed, right=right, results=results)

    def is_passed_by(self, answers: dict, seed) -> bool:
        return self.grade(answers, seed).passed


@dataclass
class QuizResult:
    score: float
    passed: bool
    right: int
    results: dict  # question slug -> (correct, Feedback)


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "single choice"
        MULTIPLE = "multiple", "multiple select"
        NUMERIC = "numeric", "numeric"
        ORDERING = "ordering", "ordering"
        PARAM_NUMERIC = "param_numeric", "parameterized numeric"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    slug = models.SlugField(help_text="The question's id in the quiz file; stable.")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    prompt_markdown = models.TextField()
    # For a parameterized question this is the template with {param} placeholders;
    # a student sees prompt_for(seed).
    prompt_html = models.TextField()
    explanation_markdown = models.TextField(blank=True)
    # What the kind needs, as checked by courses.quizzes: choices (text, correct,
    # explanation), or answer + tolerance, or the items in their correct order, or params
    # + answer expression + tolerance.
    spec = models.JSONField(default=dict)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "slug"], name="question_unique_slug_per_quiz")
        ]

    def __str__(self) -> str:
        return f"{self.quiz.slug}/{self.slug}"

    @property
    def is_parameterized(self) -> bool:
        return self.kind == self.Kind.PARAM_NUMERIC

    def values_for(self, seed) -> dict:
        """The drawn params for this seed, plus the answer computed from them."""
        if not self.is_parameterized:
            return {}
        if seed is None:
            raise ValueError("a parameterized question needs the student's seed")
        values = quizzes.draw_values(self.spec, f"{seed}:{self.quiz.slug}:{self.slug}")
        answer = Expression(self.spec["answer"], self.spec["params"]).evaluate(values)
        return {**values, "answer": answer}

    def prompt_for(self, seed=None) -> str:
        if not self.is_parameterized:
            return self.prompt_html
        values = self.values_for(seed)
        values.pop("answer")
        return render_markdown(quizzes.fill_placeholders(self.prompt_markdown, values)).html

    def answer_for(self, seed=None) -> float | None:
        if self.kind == self.Kind.NUMERIC:
            return self.spec["answer"]
        if self.is_parameterized:
            return self.values_for(seed)["answer"]
        return None

    def grade(self, answer, seed=None) -> tuple[bool, "Feedback"]:
        """Grade one answer: a choice index (single), a list of indices (multiple), a
        number (numeric kinds), or the items' indices in the student's order (ordering,
        indices into the correct order the file gives)."""
        if self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE):
            return quizzes.grade_choices(self.spec, self.kind, answer)
        if self.kind == self.Kind.ORDERING:
            return quizzes.grade_ordering(self.spec, answer, self.explanation_markdown)
        if self.kind == self.Kind.NUMERIC:
            return quizzes.grade_number(
                self.spec["answer"], self.spec["tolerance"], answer, self.explanation_markdown
            )
        values = self.values_for(seed)
        explanation = quizzes.fill_placeholders(self.explanation_markdown, values)
        return quizzes.grade_number(values["answer"], self.spec["tolerance"], answer, explanation)


class Exercise(models.Model):
    """What a page may show of a coding exercise. The reference solution, the checks and
    the known-mistake code stay in the files (``source_dir``), which the grader reads
    through grading.exercises; none of it is copied here."""

    class Kind(models.TextChoices):
        FUNCTION = "function", "function"
        CLASS = "class", "class"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="exercises")
    lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="exercises"
    )
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0, help_text="Order within its lesson.")
    entry = models.CharField(max_length=100, help_text="The function or class to define.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FUNCTION)
    signature = models.CharField(max_length=300)
    statement_markdown = models.TextField()
    statement_html = models.TextField()
    starter_code = models.TextField()
    points = models.FloatField(default=10)
    time_limit_s = models.FloatField(default=5)
    memory_limit_mb = models.PositiveIntegerField(default=256)
    hints = models.JSONField(default=list, blank=True)
    # Titles only: the variants' code and targeted hints are shown by the grader when a
    # submission behaves like one, never listed up front.
    mistake_titles = models.JSONField(default=list, blank=True)
    source_dir = models.CharField(max_length=300, help_text="Folder inside the course directory.")
    content_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="Hash of the folder when it last passed its self-check.",
    )
    # False once the exercise has been removed from the files: kept so submissions survive.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["course", "lesson__position", "position", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "slug"], name="exercise_unique_slug_per_course"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def directory(self) -> Path:
        return Path(self.course.source_path) / self.source_dir
