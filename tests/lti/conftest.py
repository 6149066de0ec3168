"""The LTI tests' LMS (tests/lti/platform.py) and the course it launches into: the
platform registered with the tool, and an LMS course its instructor has set up."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from courses.importing import course_sync
from courses.models import Cohort
from tests.helpers import ROOT
from tests.lti.platform import INSTRUCTOR, Platform

QUIZ_COURSE = ROOT / "tests" / "fixtures" / "course-quiz"
HOST = "http://testserver"


@pytest.fixture
def platform():
    lms = Platform()
    yield lms
    lms.close()


@pytest.fixture
def course(db):
    return course_sync(path=QUIZ_COURSE).course


@pytest.fixture
def registered(platform):
    call_command("rotate_keys")  # the tool's own signing key, as set up once per site
    return platform.register()


def exercise_url(course) -> str:
    return reverse("grading:exercise", args=[course.slug, "double"])


@pytest.fixture
def linked(platform, registered, course):
    """The LMS course set up by its instructor: one launch and the course picked."""
    client = Client()
    response, _, _ = platform.launch(
        client, HOST + exercise_url(course), sub="teacher-1", roles=[INSTRUCTOR]
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("lti:setup")
    page = client.get(reverse("lti:setup"))
    assert "Set up “Machine learning” on Descent" in page.content.decode()
    response = client.post(reverse("lti:setup"), {"course": course.slug})
    cohort = Cohort.objects.get()
    assert response["Location"] == reverse("teaching:cohort", args=[cohort.uuid])
    return cohort
