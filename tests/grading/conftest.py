import pytest
from django.core.management import call_command
from django.utils import timezone

from courses.models import Course, Exercise
from grading.models import Draft, Submission, source_digest
from tests.helpers import ROOT

SHIPPED_COURSE = ROOT / "courses" / "content" / "gradient-descent"

STARTER = "import numpy as np\n\n\ndef double(x):\n    return x  # to do\n"


@pytest.fixture
def course(db):
    return Course.objects.create(slug="toy", title="Toy course")


@pytest.fixture
def exercise(course):
    return Exercise.objects.create(
        course=course,
        slug="double",
        title="Double it",
        entry="double",
        signature="double(x) -> ndarray",
        statement_markdown="Return `2 * x`.",
        statement_html="<p>Return <code>2 * x</code>.</p>",
        starter_code=STARTER,
        hints=["First hint: multiply.", "Second hint: by two.", "Third hint: return it."],
        source_dir="exercises/double",
    )


@pytest.fixture
def shipped_course(db):
    call_command("sync_course", str(SHIPPED_COURSE), "--skip-selfcheck", verbosity=0)
    return Course.objects.get(slug="gradient-descent")


@pytest.fixture
def make_submission():
    """Submission rows as the pipeline leaves them: numbered per student and exercise."""

    def make(student, exercise, source="def double(x):\n    return 2 * x\n", **fields):
        last = Submission.objects.filter(student=student, exercise=exercise).count()
        defaults = {"state": Submission.State.DONE, "verdict": "failed", "score": 0.5}
        defaults.update(fields)
        if defaults["state"] == Submission.State.DONE:
            defaults.setdefault("finished_at", timezone.now())
        return Submission.objects.create(
            student=student,
            exercise=exercise,
            source=source,
            source_sha256=source_digest(source),
            attempt=last + 1,
            **defaults,
        )

    return make


@pytest.fixture
def make_draft():
    def make(student, exercise, source):
        return Draft.objects.create(student=student, exercise=exercise, source=source)

    return make
