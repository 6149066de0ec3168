"""Rows for pipeline tests: the one-exercise course imported from its fixture files."""

from courses.importing import course_sync
from courses.models import Exercise
from tests.factories import UserFactory
from tests.helpers import ROOT

COURSE_MIN = ROOT / "tests" / "fixtures" / "course-min"
GOOD = "import numpy as np\n\ndef mean_abs(x):\n    return float(np.mean(np.abs(x)))\n"
NO_ABS = "import numpy as np\n\ndef mean_abs(x):\n    return float(np.mean(x))\n"


def mean_abs_exercise(course_dir=COURSE_MIN) -> Exercise:
    """The mean-abs exercise, imported from the fixture course (or a copy of it)."""
    course_sync(path=course_dir)
    return Exercise.objects.select_related("course").get(slug="mean-abs")


def make_user(name: str, **extra):
    return UserFactory(username=name, **extra)
