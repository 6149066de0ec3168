"""Descent launched from an LMS's course page, in a real browser, from the test platform
(tests/lti/platform.py: its own keys and pages; its URLs on localhost, Descent's too).

- Framed, same site: the platform's page frames the tool's login, the cookie check
  passes, the platform's authorisation page posts the signed launch, the student lands
  signed in on the exercise inside the frame and submits; a real Celery worker grades it
  and sends the score, which the platform receives.
- Framed from another site (the same page opened on 127.0.0.1): the browser keeps the
  tool's cookies out of the frame, the check says so and offers a new tab, where the
  same launch signs the student in.

Screenshots in test-artifacts/browser/lti-*.png."""

import time

import pytest
from django.core.management import call_command
from jwcrypto import jwk

from tests.browser.conftest import ARTIFACTS, browser_marks
from tests.helpers import ROOT
from tests.lti.platform import Platform

pytestmark = browser_marks("exercise-page.js")

SHIPPED = ROOT / "courses" / "content" / "gradient-descent"
RIGHT_MSE = "import numpy as np\n\ndef mse_loss(y_pred, y_true):\n    return float(np.mean((y_pred - y_true) ** 2))\n"


@pytest.fixture
def platform():
    lms = Platform(host="localhost")
    yield lms
    lms.close()


@pytest.fixture
def lms_course(live_server, platform, django_user_model):
    """The shipped course on Descent, the platform registered, and its LMS course set up
    by its instructor earlier (tests/lti covers that launch)."""
    from django.test import Client
    from lti_tool.models import LtiContext, LtiDeployment

    from courses.importing import course_sync
    from courses.services import cohort_create
    from lti.models import CohortLink

    course = course_sync(path=SHIPPED).course
    call_command("rotate_keys")
    platform.register()
    platform.tool_keys = jwk.JWKSet.from_json(Client().get("/lti/jwks/").content)
    teacher = django_user_model.objects.create_user("grace", password="pw-grace-12345")
    cohort = cohort_create(course=course, name="Machine learning", created_by=teacher)
    context = LtiContext.objects.create(
        deployment=LtiDeployment.objects.get(), id_on_platform="course-101", title="ML"
    )
    CohortLink.objects.create(context=context, cohort=cohort, created_by=teacher)
    platform.tool_base = live_server.url
    platform.frame_target = f"{live_server.url}/courses/{course.slug}/exercises/mse-loss/"
    return cohort


def watch(page) -> list[str]:
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if "Refused" in msg.text else None)
    return problems


def submit_right(page, where) -> str:
    where.locator("#editor-host .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(RIGHT_MSE)
    where.locator("#submit-button").click()
    verdict = where.locator("#result-body .result-verdict").filter(has_text="Attempt 1")
    verdict.wait_for(timeout=90_000)
    return verdict.inner_text()


def test_a_student_in_the_lms_frame_submits_and_the_score_reaches_the_lms(
    lms_course, chromium_page, grading_worker, platform
):
    page = chromium_page
    problems = watch(page)
    page.goto(f"{platform.base}/course")
    frame = page.frame_locator("#tool")
    frame.locator("#editor-host .cm-content").wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "lti-01-exercise-in-the-lms-frame.png"), full_page=True)
    assert "✓" in submit_right(page, frame)
    page.screenshot(path=str(ARTIFACTS / "lti-02-graded-in-the-frame.png"), full_page=True)
    # The worker sends the score; the platform observes it.
    deadline = time.monotonic() + 60
    while not platform.scores and time.monotonic() < deadline:
        time.sleep(0.2)
    [score] = platform.scores
    assert score["userId"] == "student-1"
    assert score["scoreGiven"] == score["scoreMaximum"]
    assert score["gradingProgress"] == "FullyGraded"
    assert problems == [], problems


def test_a_frame_that_loses_our_cookies_offers_a_new_tab_that_works(
    lms_course, chromium_page, platform, settings
):
    page = chromium_page
    problems = watch(page)
    # The LMS page on another site than Descent (allowed to frame it, as a school's own
    # LMS address is through LTI_FRAME_ANCESTORS): the frame is third-party.
    settings.LTI_FRAME_ANCESTORS = [f"http://127.0.0.1:{platform.port}"]
    page.goto(f"http://127.0.0.1:{platform.port}/course")
    frame = page.frame_locator("#tool")
    offer = frame.get_by_role("link", name="Open Descent in a new tab")
    offer.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "lti-03-cookies-blocked-new-tab.png"), full_page=True)
    with page.context.expect_page() as opened:
        offer.click()
    tab = opened.value
    tab.locator("#editor-host .cm-content").wait_for(timeout=60_000)
    assert tab.url == platform.frame_target
    assert "Mean squared error" in tab.content()
    tab.screenshot(path=str(ARTIFACTS / "lti-04-new-tab-signed-in.png"), full_page=True)
    assert problems == [], problems
