"""The exercise page of a shipped exercise never carries what stays in the files: the
reference solution, the known-mistake variants and their targeted hints."""

import html

import pytest
import yaml
from django.urls import reverse

from courses.models import Exercise

from .conftest import SHIPPED_COURSE

pytestmark = pytest.mark.django_db

EXERCISES = SHIPPED_COURSE / "exercises"


def distinctive_lines(path, allowed: str) -> list[str]:
    """Lines of a hidden file that say something (not blank, not an import, not the
    def line the starter shares) and that appear nowhere in what the page may show."""
    lines = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if len(line) < 12 or line.startswith(("import ", "from ", "def ", "#")):
            continue
        if line in allowed:
            continue
        lines.append(line)
    return lines


@pytest.mark.parametrize("slug", ["adam", "gradient-descent", "momentum"])
def test_the_page_hides_the_reference_and_the_known_mistakes(client, student, shipped_course, slug):
    exercise = Exercise.objects.get(course=shipped_course, slug=slug)
    client.force_login(student)
    body = client.get(
        reverse("grading:exercise", args=[shipped_course.slug, slug])
    ).content.decode()
    text = html.unescape(body)
    allowed = exercise.starter_code + exercise.statement_markdown + exercise.signature
    folder = EXERCISES / slug
    hidden = [folder / "reference.py", *sorted((folder / "mistakes").glob("*.py"))]
    checked = 0
    for path in hidden:
        for line in distinctive_lines(path, allowed):
            assert line not in text, f"{path.name}: {line!r} is on the page"
            checked += 1
    assert checked >= 3
    manifest = yaml.safe_load((folder / "exercise.yaml").read_text())
    for mistake in manifest.get("mistakes", []):
        assert mistake["hint"][:60] not in text
        assert mistake["title"] not in text
    for hint in manifest.get("hints", []):
        assert hint[:60] not in text
    assert "checks.py" not in text
