"""factory_boy factories for the rows tests make over and over: people, a course with an
exercise, submissions as the pipeline leaves them, drafts, checkpoint attempts.

A submission's attempt number follows the student's earlier ones for that exercise and
its digest follows its source, as `submission_create` would make them; a graded one
(the default) has its finish time, a queued or running one has neither verdict nor score.
"""

import itertools

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from courses.models import Course, Exercise, QuizAttempt
from grading.models import Draft, Submission, source_digest

_seeds = itertools.count()


class UserFactory(DjangoModelFactory):
    """A user with an e-mail; the password is `pw-<username>-12345` when asked for with
    ``password=True`` (hashing one costs ~50 ms, so by default it is unusable)."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        if extracted:
            self.set_password(f"pw-{self.username}-12345")
        else:
            self.set_unusable_password()
        if create:
            self.save(update_fields=["password"])


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"course-{n}")
    title = factory.LazyAttribute(lambda course: course.slug.replace("-", " ").title())


class ExerciseFactory(DjangoModelFactory):
    """An exercise row with no files behind it (pages and selectors only)."""

    class Meta:
        model = Exercise

    course = factory.SubFactory(CourseFactory)
    slug = factory.Sequence(lambda n: f"exercise-{n}")
    title = factory.LazyAttribute(lambda exercise: exercise.slug.replace("-", " ").title())
    entry = "double"
    signature = "double(x) -> ndarray"
    statement_markdown = "Return `2 * x`."
    statement_html = "<p>Return <code>2 * x</code>.</p>"
    starter_code = "import numpy as np\n\n\ndef double(x):\n    return x  # to do\n"
    source_dir = factory.LazyAttribute(lambda exercise: f"exercises/{exercise.slug}")


def _next_attempt(submission) -> int:
    earlier = Submission.objects.filter(student=submission.student, exercise=submission.exercise)
    return earlier.count() + 1


class SubmissionFactory(DjangoModelFactory):
    class Meta:
        model = Submission

    class Params:
        graded = factory.LazyAttribute(lambda s: s.state == Submission.State.DONE)

    student = factory.SubFactory(UserFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    source = factory.LazyAttribute(lambda s: f"# attempt {_next_attempt(s)}\n")
    source_sha256 = factory.LazyAttribute(lambda s: source_digest(s.source))
    attempt = factory.LazyAttribute(_next_attempt)
    state = Submission.State.DONE
    verdict = factory.LazyAttribute(lambda s: "failed" if s.graded else "")
    score = factory.LazyAttribute(lambda s: 0.5 if s.graded else None)
    created_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyAttribute(lambda s: s.created_at if s.graded else None)


class DraftFactory(DjangoModelFactory):
    class Meta:
        model = Draft

    student = factory.SubFactory(UserFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    source = "def double(x):\n    return x\n"


class QuizAttemptFactory(DjangoModelFactory):
    class Meta:
        model = QuizAttempt

    user = factory.SubFactory(UserFactory)
    seed = factory.LazyFunction(lambda: f"seed-{next(_seeds)}")
    score = 1.0
    passed = True
    created_at = factory.LazyFunction(timezone.now)
