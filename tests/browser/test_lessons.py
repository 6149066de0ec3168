"""Every lesson of the shipped course in a real browser: each widget mounts (the page
marks it `data-widget-mounted`), no script throws, and each formula is typeset. A
screenshot of each widget, at a desktop and a phone width, goes to
test-artifacts/browser/lessons-<widget>-<width>.png for a person to look at."""

import pytest

from tests.browser.conftest import ARTIFACTS, browser_marks
from tests.browser.test_feedback import log_in
from tests.helpers import ROOT

SHIPPED = ROOT / "courses" / "content" / "gradient-descent"

pytestmark = browser_marks("widgets.js")


@pytest.mark.django_db(transaction=True)
def test_every_widget_of_every_lesson_mounts_and_every_formula_typesets(
    live_server, chromium_page, django_user_model
):
    from courses.importing import course_sync
    from courses.models import LessonProgress

    page = chromium_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    course = course_sync(path=SHIPPED).course
    ada = django_user_model.objects.create_user("ada", password="pw-ada-123456")
    for lesson in course.lessons.all():
        LessonProgress.objects.create(user=ada, lesson=lesson, think_skipped=True)
    log_in(page, live_server, "ada", "pw-ada-123456")

    mounted = set()
    for width, label in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        for lesson in course.lessons.order_by("position"):
            page.goto(f"{live_server.url}/courses/{course.slug}/lessons/{lesson.slug}/")
            page.wait_for_load_state("load")
            figures = page.locator("figure[data-widget]")
            for i in range(figures.count()):
                figure = figures.nth(i)
                name = figure.get_attribute("data-widget")
                figure.scroll_into_view_if_needed()
                page.wait_for_function(
                    "(el) => el.hasAttribute('data-widget-mounted')", arg=figure.element_handle()
                )
                mounted.add(name)
                figure.screenshot(path=str(ARTIFACTS / f"lessons-{name}-{label}.png"))
                # nothing in the figure is wider than the page
                overflow = page.evaluate(
                    "(el) => el.scrollWidth - el.clientWidth", figure.element_handle()
                )
                assert overflow <= 1, (
                    f"{lesson.slug}: {name} overflows by {overflow}px at {width}px"
                )
            # every formula became KaTeX (the LaTeX source stays only when KaTeX fails)
            page.wait_for_function(
                "() => [...document.querySelectorAll('#lesson-body .arithmatex')]"
                ".every((el) => el.querySelector('.katex'))"
            )

    # the glossary: every card's formula typeset, its anatomy beside it
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/courses/{course.slug}/glossary/")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.arithmatex')].every((el) => el.querySelector('.katex'))"
    )
    assert page.locator(".term-formula").count() >= 5
    assert page.locator(".term-anatomy dt").count() >= 15
    page.screenshot(path=str(ARTIFACTS / "lessons-glossary.png"))
    assert errors == []
    assert len(mounted) >= 12


@pytest.mark.django_db(transaction=True)
def test_without_scripts_a_lesson_opens_as_the_whole_page(
    live_server, django_user_model, monkeypatch
):
    """The shared page sends a browser without scripts on to the whole page, where the
    student's prompt, progress and checkpoint are rendered on the server."""
    from playwright.sync_api import sync_playwright

    from courses.importing import course_sync
    from tests.browser.conftest import CHROMIUM

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    course = course_sync(path=SHIPPED).course
    django_user_model.objects.create_user("ada", password="pw-ada-123456")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_context(java_script_enabled=False).new_page()
        log_in(page, live_server, "ada", "pw-ada-123456")
        page.goto(f"{live_server.url}/courses/{course.slug}/lessons/loss/")
        page.wait_for_url("**/lessons/loss/?whole=1")
        # The whole page: the prompt's form first, no lesson body until it is answered.
        assert page.locator("#id_answer").count() == 1
        assert page.locator("#lesson-body").count() == 0
        assert page.locator("article[data-mine-url]").count() == 0
        page.screenshot(path=str(ARTIFACTS / "lessons-without-scripts.png"))
        browser.close()
