"""A student's first hour, in a real browser (Playwright driving Debian's Chromium).

Sign up, join a cohort, read a lesson, pass its checkpoint, then submit a wrong and a
right solution and watch both verdicts arrive live, graded by a real Celery worker (in a
thread of this process) through the real sandbox. Each step leaves a screenshot in
test-artifacts/browser/.
"""

import pytest

from tests.browser.conftest import ARTIFACTS, browser_marks
from tests.helpers import ROOT

SHIPPED = ROOT / "courses" / "content" / "gradient-descent"

WRONG_MSE = "import numpy as np\n\ndef mse_loss(y_pred, y_true):\n    return float(np.mean(np.abs(y_pred - y_true)))\n"
RIGHT_MSE = "import numpy as np\n\ndef mse_loss(y_pred, y_true):\n    return float(np.mean((y_pred - y_true) ** 2))\n"

pytestmark = browser_marks("exercise-page.js")


@pytest.fixture
def browser_page(chromium_page):
    errors = []
    chromium_page.on("pageerror", lambda exc: errors.append(str(exc)))
    return chromium_page, errors


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def answer_checkpoint(page, quiz, seed: str) -> None:
    """Fill the checkpoint with the right answers for this attempt's seed, the way a
    student who knows them would: click, tick, choose and type."""
    from courses.forms import choice_order, display_order
    from courses.models import Question

    for question in quiz.questions.filter(is_active=True):
        name = f"q-{question.slug}"
        kind = question.kind
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            # Inputs are named by their position on the page, shuffled per attempt.
            order = choice_order(question, seed)
            for index, choice in enumerate(question.spec["choices"]):
                if choice.get("correct"):
                    page.check(f"#{name}-{order.index(index)}")
        elif kind == Question.Kind.ORDERING:
            order = display_order(question, seed)
            for position in range(len(order)):
                page.select_option(f"#{name}-{position + 1}", str(order.index(position)))
        else:
            page.fill(f"#{name}", repr(float(question.answer_for(seed))))


def set_editor(page, source: str) -> None:
    editor = page.locator("#editor-host .cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(source)


def wait_for_verdict(page, attempt: int) -> str:
    verdict = page.locator("#result-body .result-verdict")
    verdict.filter(has_text=f"Attempt {attempt}").wait_for(timeout=90_000)
    return verdict.inner_text()


def test_a_student_signs_up_joins_reads_passes_and_gets_live_verdicts(
    live_server, browser_page, grading_worker, django_user_model
):
    from courses.importing import course_sync
    from courses.models import Lesson, LessonProgress, Quiz
    from courses.services import cohort_create
    from grading.models import Submission

    page, errors = browser_page
    course = course_sync(path=SHIPPED).course
    teacher = django_user_model.objects.create_user("grace", password="pw-grace-12345")
    cohort = cohort_create(course=course, name="Tuesday group", created_by=teacher)

    # Sign up.
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_username", "ada")
    page.fill("#id_email", "ada@example.org")
    page.fill("#id_password1", "a long passphrase 42")
    page.fill("#id_password2", "a long passphrase 42")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_load_state()
    shot(page, "01-signed-up")
    ada = django_user_model.objects.get(username="ada")

    # Join the cohort by its link: the page asks, the button joins.
    page.goto(f"{live_server.url}/join/{cohort.join_code}/")
    shot(page, "02-join-confirm")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert cohort.memberships.filter(user=ada, role="student").exists()
    shot(page, "03-joined")

    # Read the first lesson: the think-before-reading prompt comes first.
    lesson = Lesson.objects.get(course=course, slug="loss")
    # The address answers with the page every reader shares (courses/lesson_shell.py);
    # its script puts in Ada's own parts: here the prompt's form in place of the lesson.
    page.goto(f"{live_server.url}/courses/{course.slug}/lessons/{lesson.slug}/")
    page.locator("html[data-lesson-ready]").wait_for(state="attached")
    assert page.locator("#lesson-body").count() == 0
    assert "ada" in page.locator("#site-nav").inner_text()
    page.fill("#id_answer", "How far off the predictions are, as one number.")
    page.get_by_role("button", name="Save my answer and read").click()
    page.locator("#lesson-body").wait_for()
    assert "How far off" in page.locator(".think-yours").inner_text()
    assert page.locator("#lesson-status .badge").count() == 1
    assert page.locator("#lesson-body .katex").count() > 0, "math was not typeset"
    shot(page, "04-lesson")

    # Pass its checkpoint.
    quiz = Quiz.objects.get(lesson=lesson, is_active=True)
    seed = LessonProgress.objects.get(user=ada, lesson=lesson).quiz_seed
    answer_checkpoint(page, quiz, seed)
    shot(page, "05-checkpoint-answered")
    page.get_by_role("button", name="Check my answers").click()
    page.locator(".attempt-summary").wait_for()
    assert "Passed" in page.locator(".attempt-summary").inner_text()
    assert LessonProgress.objects.get(user=ada, lesson=lesson).state == "passed"
    shot(page, "06-checkpoint-passed")

    # A wrong solution, then a right one, each verdict arriving without a reload.
    page.goto(f"{live_server.url}/courses/{course.slug}/exercises/mse-loss/")
    page.locator("#editor-host .cm-content").wait_for()
    set_editor(page, WRONG_MSE)
    shot(page, "07-wrong-solution")
    url_before = page.url
    page.click("#submit-button")
    wrong = wait_for_verdict(page, 1)
    assert "✗" in wrong, wrong
    assert page.url == url_before  # no navigation: the verdict came in live
    # The verdict came first; the smallest failing input follows on the same page.
    page.locator(".failing-input-title", has_text="Smallest failing input").first.wait_for(
        timeout=60_000
    )
    shot(page, "08-wrong-verdict")

    set_editor(page, RIGHT_MSE)
    page.click("#submit-button")
    right = wait_for_verdict(page, 2)
    assert "✓" in right, right
    assert "100%" in right, right
    assert page.url == url_before
    shot(page, "09-right-verdict")

    verdicts = list(
        Submission.objects.filter(student=ada).order_by("attempt").values_list("verdict", flat=True)
    )
    assert verdicts == ["failed", "passed"]
    assert page.locator("#history-list li").count() == 2
    assert errors == [], errors
