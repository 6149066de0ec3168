"""An instructor authors a course, in a real browser (Playwright driving Debian's Chromium).

The course is a bare git repository on this machine. The author logs in, registers it
from the teaching home and watches the first sync's log; previews draft version 1 as a
student (the lesson's math typeset, its checkpoint passed, a solution graded by a real
worker), publishes it; a student joins and works; the author edits a lesson and an
exercise's checks in the browser editor (each save a commit in the repository, each
followed by a sync on the worker), publishes again with a summary naming exactly what
changed, and the student's work survives; last, "Try it" grades the exercise's reference
and known mistakes. Syncs and tries go to the regrade queue, submissions to the grading
queue: the `grading_worker` consumes both. Each step leaves a screenshot in
test-artifacts/browser/authoring-*.png; any JavaScript error or refusal by the
Content-Security-Policy fails the test.
"""

import pytest

from tests.authoring.conftest import RIGHT, STRICTER_CHECKS, CourseRepo, git
from tests.browser.conftest import ARTIFACTS, browser_marks
from tests.conftest import person

pytestmark = browser_marks("authoring-editor.js")

LESSON_PATH = "lessons/02-second.md"
CHECKS_PATH = "exercises/mean-abs/checks.py"
CLOSING = "A new closing paragraph."
RIGHT_CHOICE = "One number that says how wrong the model is."

SYNC_WAIT_MS = 120_000  # a sync fetches, validates and self-checks on the worker
GRADE_WAIT_MS = 90_000


@pytest.fixture
def course_repo(tmp_path, settings):
    """The course in a bare repository under a root the server may read from. The
    settings are this process's, so the live server and the worker see them too."""
    settings.AUTHORING_DIR = tmp_path / "authoring"
    settings.AUTHORING_LOCAL_ROOTS = [tmp_path / "repos"]
    return CourseRepo(tmp_path)


class Watch:
    """JavaScript errors and CSP refusals on every page of a browser context."""

    def __init__(self):
        self.problems: list[str] = []

    def attach(self, page) -> None:
        page.on("pageerror", lambda exc: self.problems.append(f"{page.url}: error {exc}"))
        page.on("console", lambda message: self._console(page, message))

    def _console(self, page, message) -> None:
        if "Content Security Policy" in message.text:
            self.problems.append(f"{page.url}: console {message.type}: {message.text}")


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"authoring-{name}.png"), full_page=True)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}-12345")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


# A paste, the way an author adds a block of code: CodeMirror takes the clipboard's text
# as it is (typing it would be auto-indented line by line).
PASTE = """([selector, text]) => {
  const data = new DataTransfer();
  data.setData("text/plain", text);
  const event = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
  document.querySelector(selector).dispatchEvent(event);
}"""


def branch_file(course_repo: CourseRepo, path: str) -> str:
    """A file as the repository's branch has it now (without its last newline)."""
    return git("show", f"main:{path}", cwd=course_repo.bare)


def set_code(page, source: str) -> None:
    """Replace what the exercise page's editor holds."""
    editor = page.locator("#editor-host .cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(source)


def wait_for_sync(page, version_number: int):
    """On a sync page: wait for the live log to say the draft is ready (the page reloads
    itself once the sync is done, showing the outcome with its link)."""
    from playwright.sync_api import expect

    expect(page.locator("#sync-log")).to_contain_text(
        f"Draft version {version_number} is ready", timeout=SYNC_WAIT_MS
    )
    expect(page.locator("#sync-state")).to_contain_text("Succeeded", timeout=SYNC_WAIT_MS)


def open_in_editor(page, path: str) -> None:
    """Click a file in the editor's tree, opening the folders around it first."""
    from playwright.sync_api import expect

    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = page.locator(f'details[data-folder="{"/".join(parts[:depth])}"]')
        if folder.get_attribute("open") is None:
            folder.locator("> summary").click()
    page.locator(f'#file-tree-list a[data-path="{path}"]').click()
    expect(page.locator("#editor-title")).to_have_text(path)
    expect(page.locator("#editor-host .cm-content")).to_be_visible()


def commit(page, message: str) -> None:
    """Commit the open file from the editor, then follow its sync."""
    from playwright.sync_api import expect

    page.fill("#commit-message", message)
    page.locator("#save-button").click()
    expect(page.locator("#save-status")).to_contain_text("Committed", timeout=30_000)
    page.get_by_role("link", name="Follow the sync").click()
    page.wait_for_url("**/teach/syncs/*/")


def student_works(browser, base: str, watch: Watch) -> None:
    """A student, in a browser of their own: answers the first lesson's think prompt,
    passes its checkpoint and passes the exercise."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        watch.attach(page)
        log_in(page, base, "ada")
        page.goto(f"{base}/courses/tiny/lessons/first/")
        page.fill("#id_answer", "How wrong we are")
        page.get_by_role("button", name="Save my answer and read").click()
        page.locator("#lesson-body").wait_for()
        page.get_by_label(RIGHT_CHOICE).check()
        page.get_by_role("button", name="Check my answers").click()
        expect(page.locator(".attempt-summary")).to_contain_text("Passed")

        page.goto(f"{base}/courses/tiny/exercises/mean-abs/")
        set_code(page, RIGHT)
        page.locator("#submit-button").click()
        verdict = page.locator("#result-body .result-verdict")
        expect(verdict).to_contain_text("Attempt 1", timeout=GRADE_WAIT_MS)
        expect(verdict).to_contain_text("Passed")
    finally:
        context.close()


def test_an_instructor_registers_previews_publishes_edits_and_publishes_again(
    live_server, chromium_page, grading_worker, course_repo
):
    from playwright.sync_api import expect

    from authoring.models import CourseSource, CourseVersion
    from courses.models import Course, LessonProgress, QuizAttempt
    from courses.services import cohort_create, cohort_join, instructor_grant
    from grading.models import Submission

    page = chromium_page
    base = live_server.url
    watch = Watch()
    watch.attach(page)
    author = person("mary", email="mary@example.org", first_name="Mary")
    instructor_grant(user=author)
    student = person("ada")

    # 1. Log in through the log-in page: an instructor lands on the teaching home.
    log_in(page, base, "mary")
    assert page.url == f"{base}/teach/", page.url
    expect(page.get_by_role("heading", name="Courses from git")).to_be_visible()
    shot(page, "01-teach-home")

    # 2. Register the repository; the first sync runs on the worker, its log live.
    page.get_by_role("link", name="Register a course from git").click()
    page.fill("#id_name", "Tiny course")
    page.fill("#id_repo_url", str(course_repo.bare))
    page.fill("#id_branch", "main")
    shot(page, "02-register")
    polls = []
    page.on("response", lambda r: polls.append(r.url) if "/log/?after=" in r.url else None)
    page.get_by_role("button", name="Register and sync").click()
    page.wait_for_url("**/teach/syncs/*/")
    running_at_first = "state-succeeded" not in (
        page.locator("#sync-state").get_attribute("class") or ""
    )
    wait_for_sync(page, 1)
    log = page.locator("#sync-log")
    expect(log).to_contain_text("no problems")
    expect(log).to_contain_text("✓ mean-abs: reference passed 1.00")
    if running_at_first:
        assert polls, "the sync page never asked for its log"
    shot(page, "03-sync-log")
    source = CourseSource.objects.get(name="Tiny course")
    assert list(source.authors.all()) == [author]

    # 3. The draft: students see nothing of it; the author previews it as a student.
    page.get_by_role("link", name="version 1 — preview and publish it").click()
    expect(page.get_by_role("heading", name="Version 1 of Tiny course")).to_be_visible()
    expect(page.locator("#changes-h + p")).to_contain_text("Nothing of this course is published")
    assert not Course.objects.filter(slug="tiny").exists()
    shot(page, "04-version-draft")

    page.get_by_role("button", name="Preview as a student").click()
    page.wait_for_url("**/courses/preview-*/")
    banner = page.locator(".preview-banner")
    expect(banner).to_contain_text("draft version 1")
    page.locator(".study-path").get_by_role("link", name="First lesson").click()
    page.fill("#id_answer", "A number for how wrong")
    page.get_by_role("button", name="Save my answer and read").click()
    page.locator("#lesson-body").wait_for()
    expect(banner).to_be_visible()
    expect(page.locator("#lesson-body .katex").first).to_be_visible()
    page.get_by_label(RIGHT_CHOICE).check()
    page.get_by_role("button", name="Check my answers").click()
    expect(page.locator(".attempt-summary")).to_contain_text("Passed")
    expect(page.locator("#lesson-body .katex").first).to_be_visible()
    shot(page, "05-preview-lesson")

    page.locator(".lesson-exercises").get_by_role("link", name="Mean absolute value").click()
    expect(banner).to_be_visible()
    set_code(page, RIGHT)
    page.locator("#submit-button").click()
    verdict = page.locator("#result-body .result-verdict")
    expect(verdict).to_contain_text("Attempt 1", timeout=GRADE_WAIT_MS)
    expect(verdict).to_contain_text("✓ Attempt 1: Passed")
    shot(page, "06-preview-exercise")
    preview = CourseVersion.objects.get(source=source, number=1).preview
    assert Submission.objects.get(exercise__course=preview, student=author).verdict == "passed"

    # 4. Publish version 1; a student joins and works in the published course.
    banner.get_by_role("link", name="Back to the version").click()
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.locator(".messages")).to_contain_text("Version 1 is published")
    expect(page.get_by_role("heading", name="What publishing it changed")).to_be_visible()
    expect(page.locator("#changes-h + p")).to_contain_text("This was the course's first publish")
    shot(page, "07-published")
    course = Course.objects.get(slug="tiny", is_preview=False)
    cohort = cohort_create(course=course, name="Term 1", created_by=author)
    cohort_join(cohort=cohort, user=student)
    student_works(page.context.browser, base, watch)
    progress = LessonProgress.objects.get(user=student, lesson__course=course, lesson__slug="first")
    assert progress.think_answer == "How wrong we are"
    assert progress.state == "passed"
    submission = Submission.objects.get(student=student)
    assert submission.verdict == "passed"
    attempts = QuizAttempt.objects.filter(user=student).count()
    assert attempts == 1
    # Nothing the author did in preview is in the published course.
    assert not Submission.objects.filter(exercise__course=course, student=author).exists()

    # 5. Edit a lesson in the browser: the preview follows the typing; a commit, a sync.
    page.locator(".breadcrumbs").get_by_role("link", name="Tiny course").click()
    page.get_by_role("link", name="Edit files").click()
    open_in_editor(page, LESSON_PATH)
    preview_body = page.locator("#preview-body")
    expect(preview_body).to_contain_text("Back to the first")
    expect(page.locator("#check-status")).to_have_text("No problems in the course")
    shot(page, "08-editor")
    page.locator("#editor-host .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(f"\n{CLOSING}\n")
    expect(page.locator("#file-status")).to_have_text("Unsaved changes")
    expect(preview_body).to_contain_text(CLOSING)
    expect(page.locator("#check-status")).to_have_text("No problems in the course")
    shot(page, "09-editor-preview")
    commit(page, "Close lesson 2")
    assert course_repo.log()[0] == "Mary|Close lesson 2"
    lesson_before = (course_repo.work / LESSON_PATH).read_text()
    assert branch_file(course_repo, LESSON_PATH) == f"{lesson_before}\n{CLOSING}"
    wait_for_sync(page, 2)

    # The exercise's checks: the editor reads the newest version, so reload it first.
    page.locator(".breadcrumbs").get_by_role("link", name="Tiny course").click()
    page.get_by_role("link", name="Edit files").click()
    expect(page.locator(".authoring-head .meta")).to_contain_text("files as of version 2")
    open_in_editor(page, CHECKS_PATH)
    expect(page.locator("#check-status")).to_have_text("No problems in the course")
    page.locator("#editor-host .cm-content").click()
    page.keyboard.press("Control+End")
    page.evaluate(PASTE, ["#editor-host .cm-content", STRICTER_CHECKS])
    expect(page.locator("#file-status")).to_have_text("Unsaved changes")
    expect(page.locator("#check-status")).to_have_text("No problems in the course")
    commit(page, "A worked example as a check")
    assert course_repo.log()[:3] == [
        "Mary|A worked example as a check",
        "Mary|Close lesson 2",
        "Teacher|The tiny course",
    ]
    checks_before = (course_repo.work / CHECKS_PATH).read_text()
    assert branch_file(course_repo, CHECKS_PATH) == (checks_before + STRICTER_CHECKS).strip()
    wait_for_sync(page, 3)
    expect(page.locator("#sync-log")).to_contain_text("✓ mean-abs: reference passed")

    # 6. The newest version names exactly what changed; publishing keeps students' work.
    page.get_by_role("link", name="version 3 — preview and publish it").click()
    expect(page.locator("#changes-h + p")).to_have_text(
        "Compared with version 1, which students see now."
    )
    changes = page.locator("dl.changes")
    expect(changes.locator("dt")).to_have_text(["Lessons", "Exercises", "Checks changed"])
    expect(changes.locator("dd").nth(0).locator("li")).to_have_text(
        ["changed Second lesson second"]
    )
    expect(changes.locator("dd").nth(1).locator("li")).to_have_text(
        ["changed Mean absolute value mean-abs"]
    )
    expect(changes.locator(".checks-changed li")).to_have_text(
        ["Mean absolute value mean-abs: 1 graded submission scored by the old checks"]
    )
    page.get_by_role("button", name="Publish version 3").click()
    expect(page.locator(".messages")).to_contain_text("Version 3 is published")
    expect(page.get_by_role("button", name="Regrade 1")).to_be_visible()
    shot(page, "10-publish-summary")
    source.refresh_from_db()
    assert source.published.number == 3
    course.refresh_from_db()
    assert CLOSING in course.lessons.get(slug="second").body_markdown
    progress.refresh_from_db()
    assert progress.think_answer == "How wrong we are"
    assert progress.state == "passed"
    assert QuizAttempt.objects.filter(user=student).count() == attempts
    assert list(Submission.objects.filter(student=student).values_list("pk", "verdict")) == [
        (submission.pk, "passed")
    ]

    # 7. Try it: the reference passes, each known mistake fails with its own hint.
    page.locator(".breadcrumbs").get_by_role("link", name="Tiny course").click()
    page.get_by_role("link", name="Edit files").click()
    open_in_editor(page, CHECKS_PATH)
    page.locator("#tab-try").click()
    expect(page.locator("#try-heading")).to_have_text("Try mean-abs")
    page.locator("#try-button").click()
    expect(page.locator("#try-status")).to_have_text("Done.", timeout=GRADE_WAIT_MS)
    runs = page.locator(".try-table tr.try-run")
    expect(runs.locator(".try-label")).to_have_text(
        [
            "reference",
            "starter",
            "mistake: forgot the absolute value",
            "mistake: sum instead of mean",
        ]
    )
    expect(runs.locator(".try-expect")).to_have_text(
        [
            "✓ passes, as it must",
            "✓ does not pass, as expected",
            "✓ caught, with its own hint",
            "✓ caught, with its own hint",
        ]
    )
    expect(runs.nth(0)).to_have_class("try-run verdict-passed")
    # The panel scrolls inside the page: bring the runs into its view for the screenshot.
    page.locator(".try-table").evaluate("table => table.scrollIntoView({block: 'start'})")
    shot(page, "11-try-it")

    assert watch.problems == [], watch.problems
