"""The Content-Security-Policy in a real browser: every main page, with its editor,
math, widgets and charts at work, runs without one refused script or style and without
a JavaScript error.

Chromium reports each refusal as a `securitypolicyviolation` event (collected by a
script Playwright injects outside the page's policy) and as a console message that
starts "Refused to"; both count, and so does any uncaught error or console error.
"""

import re

import pytest

from tests.browser.conftest import ARTIFACTS, browser_marks
from tests.helpers import ROOT

SHIPPED = ROOT / "courses" / "content" / "gradient-descent"
WIDGET_LESSONS = ["loss", "loss-landscape", "gradient-descent", "learning-rate", "optimizers"]
WRONG_MSE = (
    "import numpy as np\n\ndef mse_loss(y_pred, y_true):\n"
    "    return float(np.mean(np.abs(y_pred - y_true)))\n"
)

pytestmark = browser_marks("exercise-page.js")

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class Watch:
    """Everything the browser objected to, per page."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(COLLECT_VIOLATIONS)
        page.on("pageerror", lambda exc: self.problems.append(f"{page.url}: error {exc}"))
        page.on("console", self._console)

    def _console(self, message):
        if message.location.get("url", "").endswith("/favicon.ico"):
            return  # the site has no icon; the browser asks anyway
        if message.type == "error" or message.text.startswith("Refused to"):
            self.problems.append(f"{self.page.url}: console {message.type}: {message.text}")

    def goto(self, url: str):
        response = self.page.goto(url)
        assert response.status == 200, (url, response.status)
        policy = response.headers.get("content-security-policy", "")
        # A nonce appears only on pages whose templates used one (those with scripts). The
        # directives' order is not part of the policy, so each is read by its name.
        directives = {
            part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
        }
        script = " ".join(directives.get("script-src", []))
        assert re.fullmatch(r"'self'( 'nonce-[^']+')?", script), (url, policy)
        assert "'unsafe-inline'" not in policy, policy
        return response

    def settle(self, name: str) -> None:
        """Collect this page's violations, once its scripts have had their go."""
        self.page.wait_for_load_state("networkidle")
        self.problems += [
            f"{self.page.url}: {v}" for v in self.page.evaluate("window.__cspViolations || []")
        ]
        self.page.screenshot(path=str(ARTIFACTS / f"csp-{name}.png"), full_page=True)


@pytest.fixture
def watched_page(chromium_page):
    return Watch(chromium_page)


def log_in(watch: Watch, base: str, username: str, password: str) -> None:
    watch.goto(f"{base}/accounts/login/")
    watch.page.fill("#id_username", username)
    watch.page.fill("#id_password", password)
    watch.page.get_by_role("button", name="Log in").click()
    watch.page.wait_for_load_state()
    assert "/accounts/login/" not in watch.page.url, "the log-in failed"


def test_the_watch_notices_a_refused_style(live_server, watched_page):
    """The check below can fail: a style attribute the policy does not list is caught."""
    watched_page.goto(f"{live_server.url}/accounts/login/")
    watched_page.page.evaluate("document.body.setAttribute('style', 'color: red')")
    watched_page.settle("self-check")
    assert any("style-src-attr" in problem for problem in watched_page.problems)


def test_the_main_pages_run_under_the_content_security_policy(
    live_server,
    watched_page,
    grading_worker,  # noqa: F811
    django_user_model,
):
    from courses.importing import course_sync
    from courses.models import Lesson, Quiz
    from courses.services import cohort_create, cohort_join, lesson_think_skip

    watch, base = watched_page, live_server.url
    page = watch.page
    course = course_sync(path=SHIPPED).course
    teacher = django_user_model.objects.create_user("grace", password="pw-grace-12345")
    student = django_user_model.objects.create_user("ada", password="pw-ada-12345")
    cohort = cohort_create(course=course, name="Tuesday group", created_by=teacher)
    cohort_join(cohort=cohort, user=student)
    for slug in WIDGET_LESSONS:
        lesson_think_skip(user=student, lesson=Lesson.objects.get(course=course, slug=slug))

    log_in(watch, base, "ada", "pw-ada-12345")
    watch.goto(f"{base}/")
    watch.settle("home")
    watch.goto(f"{base}/accounts/profile/")
    watch.settle("profile")

    for slug in WIDGET_LESSONS:
        watch.goto(f"{base}/courses/{course.slug}/lessons/{slug}/")
        page.locator("figure[data-widget-mounted] svg").first.wait_for()
        assert page.locator("#lesson-body .katex").count() > 0, f"{slug}: math was not typeset"
        play = page.locator("figure[data-widget-mounted] button[aria-pressed]")
        if play.count():
            play.first.click()
            page.wait_for_timeout(500)
        watch.settle(f"lesson-{slug}")

    watch.goto(f"{base}/courses/{course.slug}/exercises/mse-loss/")
    page.locator("#editor-host .cm-content").wait_for()
    # CodeMirror's theme is a <style> element: refused, the editor loses its layout.
    assert page.evaluate("getComputedStyle(document.querySelector('.cm-editor')).display") == (
        "flex"
    )
    page.locator("#editor-host .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(WRONG_MSE)
    page.click("#submit-button")
    page.locator("#result-body .result-verdict").filter(has_text="Attempt 1").wait_for(
        timeout=90_000
    )
    page.locator(".failing-input-title", has_text="Smallest failing input").first.wait_for(
        timeout=60_000
    )
    watch.settle("exercise-graded")

    # Log out from the header's account menu, as a person would: open it, then the button.
    page.locator(".account-menu summary").click()
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_load_state()
    log_in(watch, base, "grace", "pw-grace-12345")
    # An instructor lands on the teaching home.
    page.wait_for_url(f"{base}/teach/")
    quiz = Quiz.objects.filter(lesson__course=course, is_active=True).first()
    for name, path in [
        ("teaching-home", "/teach/"),
        ("dashboard", f"/teach/cohorts/{cohort.uuid}/"),
        ("teaching-exercise", f"/teach/cohorts/{cohort.uuid}/exercises/mse-loss/"),
        ("teaching-quiz", f"/teach/cohorts/{cohort.uuid}/quizzes/{quiz.slug}/"),
        ("cohort-manage", f"/cohorts/{cohort.uuid}/"),
        ("schedule", f"/teach/cohorts/{cohort.uuid}/schedule/"),
        ("roster", f"/teach/cohorts/{cohort.uuid}/roster/"),
        ("reviews", f"/teach/cohorts/{cohort.uuid}/reviews/"),
        ("announcements", f"/teach/cohorts/{cohort.uuid}/announcements/"),
    ]:
        watch.goto(f"{base}{path}")
        watch.settle(name)

    assert watch.problems == [], "\n".join(watch.problems)
