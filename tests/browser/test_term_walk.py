"""A course term, in a real browser (Playwright driving Debian's Chromium): the acceptance
walk of issue 15.

An instructor logs in and, on their cohort's schedule page, sets the cohort's time zone
and schedules two exercises through the form: one due in a few days, one whose due date
passed yesterday under a penalty per day. A student of the cohort, in a browser of their
own, sees both on the course home, submits a right solution to each and gets the first
graded on time and the second with its late penalty, both graded by a real Celery worker
(in a thread of this process) through the real sandbox. The instructor grants the
student an extension on the second item, with a reason, and comments on one line of the
late submission from its review page; the student reloads the exercise and finds the
comment under that line, the late penalty still on the attempt (earlier attempts keep
their factor), the extension with its reason, and the notification counted in the
header; on a phone the notification opens the comment and the count goes. Each step
leaves a screenshot in test-artifacts/browser/term-*.png; a JavaScript error on any page
fails the test.

The second test holds the cohort dashboard to what the CSV gradebook already does: a
late attempt shows the points it counts, not the points it was graded.

Pages are opened by URL rather than through the header's links, and form fields are found
by their labels, so the walk does not depend on how the header or the cohort's navigation
are laid out.
"""

import csv
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import ARTIFACTS, browser_marks
from tests.conftest import person
from tests.helpers import ROOT

SHIPPED = ROOT / "courses" / "content" / "gradient-descent"

pytestmark = browser_marks("exercise-page.js")

# A zone with no daylight saving (since 1951), so "late by" reads the same whatever the
# day the walk runs, and is not UTC, so the pages' conversion to the cohort's zone shows.
ZONE = "Asia/Tokyo"

RIGHT_MSE = """import numpy as np


def mse_loss(y_pred, y_true):
    miss = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return float(np.mean(miss * miss))
"""
RIGHT_MSE_GRAD = """import numpy as np


def mse_grad(y_pred, y_true):
    y_pred = np.asarray(y_pred, dtype=float)
    y_true = np.asarray(y_true, dtype=float)
    return 2.0 * (y_pred - y_true) / y_pred.size
"""
COMMENTED_LINE = 7
COMMENT = "Dividing by y_pred.size averages over every entry, matrices included. Well done."
REASON = "Ill for three days, with a doctor's note"

GRADE_WAIT_MS = 90_000
# The second item was due this long before the walk: one day and two hours, so an
# attempt now is in its second day late (the first ends at the due time the next day).
LATE_BY = timedelta(hours=26)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"term-{name}.png"), full_page=True)


def watch(page, problems: list[str]) -> None:
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"pw-{username}-12345")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def new_page(browser, problems: list[str], **context_options):
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context_options})
    page = context.new_page()
    page.set_default_timeout(30_000)
    watch(page, problems)
    return page


def local_input(at, tz: ZoneInfo) -> str:
    """An instant as a person types it into <input type="datetime-local"> in the zone."""
    return at.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def set_editor(page, source: str) -> None:
    page.locator("#editor-host .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(source)


def submit_and_wait(page, source: str, attempt: int):
    """Submit from the editor; the verdict arrives on the page without a reload."""
    page.locator("#editor-host .cm-content").wait_for()
    set_editor(page, source)
    page.click("#submit-button")
    verdict = page.locator("#result-body .result-verdict").filter(has_text=f"Attempt {attempt}")
    verdict.wait_for(timeout=GRADE_WAIT_MS)
    return verdict


def schedule_row(page, key: str):
    """The schedule table's row of one item, found by its checkbox (the form's `items`)."""
    return page.locator("tr", has=page.locator(f'input[name="items"][value="{key}"]'))


def notifications_link(page):
    return page.get_by_role("link", name=re.compile("Notifications"))


def matrix_cell(page, student: str, item_title: str):
    """The dashboard's cell of one student and one item: the column whose header names
    the item, in the row whose header links the student."""
    table = page.get_by_role("table", name=re.compile("Students × items"))
    headers = table.locator("thead tr").first.locator("th").all_inner_texts()
    column = next(i for i, text in enumerate(headers) if item_title in text)
    row = table.locator("tbody tr", has=page.get_by_role("link", name=student, exact=True))
    return row.locator("th, td").nth(column)


def test_an_instructor_and_a_student_run_a_term_with_deadlines_an_extension_and_a_comment(
    live_server, chromium_page, grading_worker
):
    from django.urls import reverse
    from django.utils import timezone

    from courses.importing import course_sync
    from courses.models import Exercise, Extension, ScheduleEntry
    from courses.schedule import when
    from courses.selectors import late_note
    from courses.services import cohort_create, cohort_join
    from grading.models import Notification, Submission, SubmissionComment

    base = live_server.url
    problems: list[str] = []
    course = course_sync(path=SHIPPED).course
    on_time = Exercise.objects.get(course=course, slug="mse-loss")
    late = Exercise.objects.get(course=course, slug="mse-grad")
    grace = person("grace", first_name="Grace", last_name="Hopper")
    ada = person("ada", first_name="Ada", last_name="Lovelace")
    cohort = cohort_create(course=course, name="Spring term", created_by=grace)
    cohort_join(cohort=cohort, user=ada)

    tz = ZoneInfo(ZONE)
    now = timezone.now()
    # Typed to the minute, in the cohort's zone: what the form keeps of them. The first
    # is three days and a few hours ahead, so it reads "due in 3 days" whatever the hour.
    first_due = (now + timedelta(days=3, hours=6)).astimezone(tz).replace(second=0, microsecond=0)
    second_due = (now - LATE_BY).astimezone(tz).replace(second=0, microsecond=0)
    extended_due = (
        (now + timedelta(days=2)).astimezone(tz).replace(hour=12, minute=0, second=0, microsecond=0)
    )
    schedule_url = base + reverse("teaching:schedule", args=[cohort.uuid])

    # 1. The instructor schedules both exercises on the cohort's schedule page.
    teacher = chromium_page
    watch(teacher, problems)
    log_in(teacher, base, "grace")
    teacher.goto(schedule_url)
    teacher.get_by_role("combobox", name="Time zone", exact=True).select_option(ZONE)
    teacher.get_by_role("button", name="Save the time zone").click()
    teacher.get_by_text(f"Dates are now shown in {ZONE}").wait_for()
    cohort.refresh_from_db()
    assert cohort.time_zone == ZONE

    teacher.locator('input[name="items"][value="exercise:mse-loss"]').check()
    teacher.get_by_label("Due", exact=True).fill(local_input(first_due, tz))
    teacher.get_by_label("After the due date").select_option(label="accept late with a penalty")
    shot(teacher, "01-schedule-first-item")
    teacher.get_by_role("button", name="Apply to the ticked items").click()
    teacher.get_by_text(f"Scheduled 1 item, due {when(first_due, tz)}.").wait_for()

    teacher.locator('input[name="items"][value="exercise:mse-grad"]').check()
    teacher.get_by_label("Due", exact=True).fill(local_input(second_due, tz))
    teacher.get_by_label("After the due date").select_option(label="accept late with a penalty")
    teacher.get_by_label("Penalty (%)").fill("10")
    teacher.get_by_label("Per", exact=True).select_option(label="per day")
    teacher.get_by_label("Keeping at least (%)").fill("60")
    shot(teacher, "02-schedule-second-item")
    teacher.get_by_role("button", name="Apply to the ticked items").click()
    teacher.get_by_text(f"Scheduled 1 item, due {when(second_due, tz)}.").wait_for()

    first_row = schedule_row(teacher, "exercise:mse-loss")
    second_row = schedule_row(teacher, "exercise:mse-grad")
    assert when(first_due, tz) in first_row.inner_text()
    assert when(second_due, tz) in second_row.inner_text()
    assert "10% per day late, down to 60%" in second_row.inner_text()
    shot(teacher, "03-schedule-both-due")
    entries = {e.slug: e for e in ScheduleEntry.objects.filter(cohort=cohort)}
    assert set(entries) == {"mse-loss", "mse-grad"}
    assert entries["mse-loss"].due_at == first_due
    assert entries["mse-grad"].due_at == second_due
    assert entries["mse-grad"].policy == ScheduleEntry.Policy.PENALTY
    assert (entries["mse-grad"].penalty_percent, entries["mse-grad"].floor_percent) == (10, 60)
    assert entries["mse-grad"].penalty_unit == ScheduleEntry.Unit.DAY

    # 2. The student sees what is due, then submits on time and late.
    student = new_page(teacher.context.browser, problems)
    log_in(student, base, "ada")
    course_url = base + reverse("courses:course", args=[course.slug])
    student.goto(course_url)
    due_card = student.locator("section", has=student.get_by_role("heading", name="What is due"))
    overdue = due_card.get_by_role("list", name="Overdue")
    soon = due_card.get_by_role("list", name=re.compile("Due soon"))
    assert late.title in overdue.inner_text()
    assert when(second_due, tz) in overdue.inner_text()
    assert "overdue by 1 day" in overdue.inner_text()
    assert on_time.title in soon.inner_text()
    assert when(first_due, tz) in soon.inner_text()
    assert "due in 3 days" in soon.inner_text()
    shot(student, "course-home-due-dates")

    student.goto(base + reverse("grading:exercise", args=[course.slug, on_time.slug]))
    assert when(first_due, tz) in student.locator(".deadline").inner_text()
    verdict = submit_and_wait(student, RIGHT_MSE, 1)
    text = verdict.inner_text()
    assert "✓" in text, text
    assert "100%" in text, text
    assert student.locator("#result-body .late-note").count() == 0
    shot(student, "04-on-time-verdict")
    first = Submission.objects.get(student=ada, exercise=on_time)
    assert (first.verdict, first.score) == ("passed", 1.0)
    assert (first.late_by_s, first.score_factor) == (0, 1.0)

    student.goto(base + reverse("grading:exercise", args=[course.slug, late.slug]))
    deadline = student.locator(".deadline").inner_text()
    assert when(second_due, tz) in deadline
    assert "Late work loses 10% per day, down to 60%." in deadline
    assert "An attempt made now keeps 80% of its score." in deadline
    verdict = submit_and_wait(student, RIGHT_MSE_GRAD, 1)
    text = verdict.inner_text()
    assert "✓" in text, text
    assert "100%" in text, text
    second = Submission.objects.get(student=ada, exercise=late)
    assert second.score == 1.0
    assert second.score_factor == pytest.approx(0.8)
    assert LATE_BY.total_seconds() <= second.late_by_s < LATE_BY.total_seconds() + 3600
    words = late_note(late_by_s=second.late_by_s, score_factor=second.score_factor)
    assert words.startswith("late by 1 day 2 hours: 80% of the score counts"), words
    shown = student.locator("#result-body .late-note").inner_text()
    assert shown == f"{words[:1].upper()}{words[1:]}, so 100% counts as 80%.", shown
    assert "late" in student.locator("#history-list li").first.inner_text()
    shot(student, "05-late-verdict")

    # 3. The instructor grants an extension, then comments on a line of the late attempt.
    teacher.goto(schedule_url)
    teacher.get_by_label("For", exact=True).select_option(label="Ada Lovelace")
    teacher.get_by_label("Item", exact=True).select_option(
        label=f"{late.title} (due {when(second_due, tz)})"
    )
    teacher.get_by_label("New due date").fill(local_input(extended_due, tz))
    teacher.get_by_label("Reason").fill(REASON)
    shot(teacher, "06-extension-form")
    teacher.get_by_role("button", name="Grant the extension").click()
    teacher.get_by_text(
        f"{late.title} is now due {when(extended_due, tz)} for Ada Lovelace."
    ).wait_for()
    granted = teacher.get_by_role("table", name=re.compile("Granted extensions"))
    assert "Ada Lovelace" in granted.inner_text()
    assert REASON in granted.inner_text()
    shot(teacher, "07-extension-granted")
    extension = Extension.objects.get(entry__cohort=cohort, entry__slug=late.slug)
    assert (extension.user, extension.granted_by) == (ada, grace)
    assert (extension.due_at, extension.reason) == (extended_due, REASON)

    teacher.goto(base + reverse("teaching:review", args=[cohort.uuid, second.uuid]))
    assert (
        "Late by 1 day 2 hours: 80% of the score counts" in teacher.locator("#score").inner_text()
    )
    teacher.get_by_role("link", name=f"Line {COMMENTED_LINE}: comment on it").click()
    box = teacher.get_by_label(f"Comment on line {COMMENTED_LINE}")
    box.fill(COMMENT)
    shot(teacher, "08-review-line-comment")
    teacher.locator("form", has=box).get_by_role("button", name="Post comment").click()
    teacher.get_by_text("Comment posted; the student is notified.").wait_for()
    assert COMMENT in teacher.locator(f"#L{COMMENTED_LINE} + tr").inner_text()
    shot(teacher, "09-review-commented")
    comment = SubmissionComment.objects.get(submission=second)
    assert (comment.author, comment.line, comment.body) == (grace, COMMENTED_LINE, COMMENT)
    assert Notification.objects.filter(user=ada, read_at__isnull=True).count() == 1

    # The gradebook: the dashboard marks the extended item; the CSV counts the late
    # attempt at 80% of its points, with the penalty beside it.
    teacher.goto(base + reverse("teaching:cohort", args=[cohort.uuid]))
    assert "ext." in matrix_cell(teacher, "Ada Lovelace", late.title).inner_text()
    shot(teacher, "gradebook-late")
    download = teacher.request.get(base + reverse("teaching:gradebook", args=[cohort.uuid]))
    assert download.ok
    (row,) = csv.DictReader(io.StringIO(download.text().lstrip("\ufeff")))
    assert row["username"] == "ada"
    assert row[f"{on_time.title} (counted, of 10 points, best attempt)"] == "10"
    assert row[f"{on_time.title} (late penalty %)"] == "0"
    assert row[f"{late.title} (score, of 10 points)"] == "10"
    assert row[f"{late.title} (counted, of 10 points, best attempt)"] == "8"
    assert row[f"{late.title} (late penalty %)"] == "20"
    assert row["points earned"] == "18"

    # 4. The student reloads the late exercise: the comment under its line, the penalty
    # kept, the extension with its reason, and one unread notification in the header.
    student.reload()
    feedback = student.locator("#feedback")
    thread = feedback.locator(f"#feedback-L{COMMENTED_LINE}")
    assert f"Line {COMMENTED_LINE}" in thread.get_by_role("heading").inner_text()
    code_line = RIGHT_MSE_GRAD.splitlines()[COMMENTED_LINE - 1].strip()
    assert code_line in thread.locator(".feedback-code").inner_text()
    assert COMMENT in thread.inner_text()
    assert "Grace Hopper" in thread.inner_text()
    assert student.locator("#result-body .late-note").inner_text() == shown
    deadline = student.locator(".deadline").inner_text()
    assert when(extended_due, tz) in deadline
    assert REASON in deadline
    assert re.search(r"\b1\b", notifications_link(student).inner_text())
    shot(student, "commented-submission")
    second.refresh_from_db()
    assert second.score_factor == pytest.approx(0.8)  # the extension came after it

    # On a phone: the header counts the notification, which leads to the comment; once
    # opened it is read and the count goes. Nothing runs off the side of the screen.
    phone = new_page(
        teacher.context.browser,
        problems,
        viewport={"width": 390, "height": 844},
        storage_state=student.context.storage_state(),
        is_mobile=True,
        has_touch=True,
    )
    phone.goto(base + reverse("grading:notifications"))
    assert notifications_link(phone).is_visible()
    assert re.search(r"\b1\b", notifications_link(phone).inner_text())
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    notice = f"Grace Hopper commented on line {COMMENTED_LINE} of your attempt 1"
    shot(phone, "header-phone")
    with phone.expect_navigation():
        phone.get_by_role("button", name=re.compile(notice)).click()
    phone.locator(f"#feedback-L{COMMENTED_LINE}").get_by_text(COMMENT).wait_for()
    assert second.uuid.hex in phone.url.replace("-", "")
    assert not re.search(r"\d", notifications_link(phone).inner_text())
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "10-phone-notification-opened")
    assert not Notification.objects.filter(user=ada, read_at__isnull=True).exists()

    assert problems == [], problems


def test_the_dashboard_counts_a_late_attempt_at_its_penalty(
    live_server, chromium_page, transactional_db
):
    """The instructor's cohort dashboard shows what a late attempt counts, as the CSV
    gradebook does: a right solution made on the second day late, under 10% per day,
    counts 8 of its 10 points, and the cell says it was late."""
    from django.urls import reverse

    from courses.services import cohort_create, cohort_join
    from tests.factories import CourseFactory, ExerciseFactory, SubmissionFactory

    course = CourseFactory()
    exercise = ExerciseFactory(course=course, title="Gradient of the mean squared error")
    grace = person("grace", first_name="Grace", last_name="Hopper")
    ada = person("ada", first_name="Ada", last_name="Lovelace")
    cohort = cohort_create(course=course, name="Spring term", created_by=grace)
    cohort_join(cohort=cohort, user=ada)
    SubmissionFactory(
        student=ada,
        exercise=exercise,
        verdict="passed",
        score=1.0,
        late_by_s=int(LATE_BY.total_seconds()),
        score_factor=0.8,
    )

    page = chromium_page
    log_in(page, live_server.url, "grace")
    page.goto(live_server.url + reverse("teaching:cohort", args=[cohort.uuid]))
    cell = matrix_cell(page, "Ada Lovelace", exercise.title).inner_text()
    assert re.search(r"\b8/10\b", cell), cell
    assert "late" in cell.lower(), cell
