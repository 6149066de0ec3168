"""Rows for pipeline tests: the one-exercise course imported from its fixture files."""

from django.contrib.auth import get_user_model

from courses.importer import course_sync
from courses.models import Exercise
from tests.helpers import ROOT

COURSE_MIN = ROOT / "tests" / "fixtures" / "course-min"
GOOD = "import numpy as np\n\ndef mean_abs(x):\n    return float(np.mean(np.abs(x)))\n"
NO_ABS = "import numpy as np\n\ndef mean_abs(x):\n    return float(np.mean(x))\n"


def mean_abs_exercise() -> Exercise:
    course_sync(path=COURSE_MIN, selfcheck=False)
    return Exercise.objects.get(slug="mean-abs")


def make_user(name: str, **extra):
    return get_user_model().objects.create_user(name, password=f"pw-{name}-12345", **extra)
