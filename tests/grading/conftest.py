import pytest
from django.core.management import call_command

from courses.models import Course
from tests.factories import CourseFactory, DraftFactory, ExerciseFactory, SubmissionFactory
from tests.helpers import ROOT

SHIPPED_COURSE = ROOT / "courses" / "content" / "gradient-descent"

STARTER = "import numpy as np\n\n\ndef double(x):\n    return x  # to do\n"


@pytest.fixture
def course(db):
    return CourseFactory(slug="toy", title="Toy course")


@pytest.fixture
def exercise(course):
    return ExerciseFactory(
        course=course,
        slug="double",
        title="Double it",
        starter_code=STARTER,
        hints=["First hint: multiply.", "Second hint: by two.", "Third hint: return it."],
    )


@pytest.fixture
def shipped_course(db):
    call_command("sync_course", str(SHIPPED_COURSE), "--skip-selfcheck", verbosity=0)
    return Course.objects.get(slug="gradient-descent")


@pytest.fixture
def make_submission():
    """Submission rows as the pipeline leaves them: numbered per student and exercise."""

    def make(student, exercise, source="def double(x):\n    return 2 * x\n", **fields):
        return SubmissionFactory(student=student, exercise=exercise, source=source, **fields)

    return make


@pytest.fixture
def make_draft():
    def make(student, exercise, source):
        return DraftFactory(student=student, exercise=exercise, source=source)

    return make
