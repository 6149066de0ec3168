"""What a student is told about a wrong answer, in a real browser: the automatic diagnosis
of a mistake no known mistake of the exercise describes, and a smallest failing input
that reads as the exercise's parameters (the gradient passed in shown as the function it
stands for). The instructor's page for the exercise counts the diagnosis. Screenshots go
to test-artifacts/browser/feedback-*.png.
"""

import pytest

from tests.browser.conftest import ARTIFACTS, browser_marks
from tests.browser.test_student_journey import SHIPPED, set_editor, wait_for_verdict

pytestmark = browser_marks("exercise-page.js")

# A learning rate applied twice: the shipped exercise lists no such known mistake.
LR_TWICE = """import numpy as np

def gradient_descent(grad_fn, x0, lr, steps):
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        x = x - 2 * lr * grad_fn(x)
        path.append(x.copy())
    return np.array(path)
"""


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"feedback-{name}.png"), full_page=True)


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_a_wrong_answer_is_diagnosed_with_a_readable_smallest_input(
    live_server, chromium_page, grading_worker, django_user_model
):
    from courses.importing import course_sync
    from courses.services import cohort_create, cohort_join
    from grading.models import Submission

    page = chromium_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    course = course_sync(path=SHIPPED).course
    teacher = django_user_model.objects.create_user("grace", password="pw-grace-12345")
    cohort = cohort_create(course=course, name="Tuesday group", created_by=teacher)
    ada = django_user_model.objects.create_user("ada", password="pw-ada-123456")
    cohort_join(cohort=cohort, user=ada)

    log_in(page, live_server, "ada", "pw-ada-123456")
    page.goto(f"{live_server.url}/courses/{course.slug}/exercises/gradient-descent/")
    page.locator("#editor-host .cm-content").wait_for()
    set_editor(page, LR_TWICE)
    page.click("#submit-button")
    verdict = wait_for_verdict(page, 1)
    assert "✗" in verdict, verdict

    diagnosis = page.locator("#result-body .diagnosis").first
    diagnosis.wait_for()
    said = diagnosis.inner_text()
    assert said.startswith("What it looks like:")
    assert "2 times the right one" in said, said
    # The smallest failing input follows the verdict, under the parameters' names, the
    # gradient shown as the function it is.
    page.locator(".failing-input-title", has_text="Smallest failing input").first.wait_for(
        timeout=60_000
    )
    rows = page.locator("#result-body .failing-input").first
    names = rows.locator("dt").all_inner_texts()
    assert names[:4] == ["grad_fn", "x0", "lr", "steps"], names
    shown = rows.inner_text()
    assert "the gradient of f(" in shown, shown
    assert "FunctionRef" not in shown
    diagnosis.scroll_into_view_if_needed()
    shot(page, "01-diagnosed-mistake")

    submission = Submission.objects.get(student=ada)
    assert submission.result["diagnosis"]["kind"] == "factor"

    # The instructor sees it counted on the exercise's page.
    page.context.clear_cookies()
    log_in(page, live_server, "grace", "pw-grace-12345")
    page.goto(f"{live_server.url}/teach/cohorts/{cohort.uuid}/exercises/gradient-descent/")
    section = page.locator("section[aria-labelledby=diagnoses-heading]")
    section.wait_for()
    assert "off by a factor of 2" in section.inner_text()
    section.scroll_into_view_if_needed()
    shot(page, "02-instructor-counts")
    assert errors == [], errors
