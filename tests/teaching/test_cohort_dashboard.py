"""The cohort dashboard: the students × items matrix, completion, sorting, filtering,
struggling students and the activity chart, in a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import LessonProgress
from teaching.selectors.dashboard import cohort_dashboard
from teaching.selectors.items import cohort_items

from .conftest import attempt_quiz, enrol, read, student_member, submit

pytestmark = pytest.mark.django_db


def dashboard_url(cohort, **params):
    url = reverse("teaching:cohort", args=[cohort.uuid])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def row_of(dashboard, user):
    return next(row for row in dashboard.rows if row.user == user)


def matrix_order(page: str, names: list[str]) -> list[str]:
    body = page.split("<tbody>", 1)[1]
    return sorted(names, key=body.index)


def test_items_follow_the_study_path(shipped_course_cohort):
    items = cohort_items(cohort=shipped_course_cohort)
    lessons = [item.slug for item in items if item.kind == "lesson"]
    assert lessons[:3] == ["loss", "loss-landscape", "gradient-descent"]
    # A lesson comes first, then its checkpoint, then its exercises.
    assert [(item.kind, item.slug) for item in items[:5]] == [
        ("lesson", "loss"),
        ("quiz", "loss"),
        ("exercise", "mse-loss"),
        ("exercise", "mse-grad"),
        ("exercise", "softmax-cross-entropy"),
    ]


@pytest.fixture
def shipped_course_cohort(db, cohort_instructor):
    from django.conf import settings

    from courses.importing import course_sync
    from courses.services import cohort_create

    course = course_sync(path=settings.SHIPPED_COURSE_DIR).course
    return cohort_create(course=course, name="Shipped", created_by=cohort_instructor)


def test_a_lesson_cell_shows_reading_or_passed(cohort, student, second_student, lesson):
    read(student, lesson, state=LessonProgress.State.PASSED)
    read(second_student, lesson)
    dashboard = cohort_dashboard(cohort=cohort)
    assert row_of(dashboard, student).cells[0].text == "passed"
    assert row_of(dashboard, second_student).cells[0].text == "reading"


def test_a_lesson_never_opened_is_not_started(cohort, student):
    assert row_of(cohort_dashboard(cohort=cohort), student).cells[0].text == "not started"


def test_a_checkpoint_cell_shows_the_best_score_and_attempts(cohort, student, quiz):
    attempt_quiz(student, quiz, score=0.4, passed=False)
    attempt_quiz(student, quiz, score=0.9, passed=True)
    attempt_quiz(student, quiz, score=0.6, passed=False)
    cell = row_of(cohort_dashboard(cohort=cohort), student).cells[1]
    assert (cell.kind, cell.score, cell.attempts, cell.done) == ("quiz", 0.9, 3, True)
    assert cell.text == "90%, 3 tries"


def test_an_exercise_cell_shows_best_points_attempts_and_pass(cohort, student, exercise):
    submit(student, exercise, score=0.2)
    submit(student, exercise, verdict="passed", score=1.0)
    cell = row_of(cohort_dashboard(cohort=cohort), student).cells[2]
    assert cell.text == "5/5, 2 tries"
    assert cell.symbol == "✓"
    assert cell.done


def test_an_exercise_not_passed_shows_a_cross_not_only_a_colour(cohort, student, exercise):
    submit(student, exercise, score=0.4)
    cell = row_of(cohort_dashboard(cohort=cohort), student).cells[2]
    assert (cell.symbol, cell.text, cell.done) == ("✗", "2/5, 1 try", False)


def test_a_submission_still_grading_is_pending(cohort, student, exercise):
    submit(student, exercise, state="queued")
    cell = row_of(cohort_dashboard(cohort=cohort), student).cells[2]
    assert (cell.state, cell.score) == ("pending", None)


def test_completion_is_counted_per_student(cohort, student, lesson, quiz, exercise):
    read(student, lesson, state=LessonProgress.State.PASSED)
    attempt_quiz(student, quiz, score=1.0, passed=True)
    row = row_of(cohort_dashboard(cohort=cohort), student)
    assert (row.done, row.total, row.percent) == (2, 3, 67)


def test_completion_is_counted_per_item(cohort, student, second_student, exercise):
    submit(student, exercise, verdict="passed", score=1.0)
    submit(second_student, exercise, score=0.5)
    item = cohort_dashboard(cohort=cohort).items[2]
    assert (item.kind, item.done, item.percent) == ("exercise", 1, 50)


def test_instructors_are_not_rows_of_the_matrix(cohort, cohort_instructor):
    users = [row.user for row in cohort_dashboard(cohort=cohort).rows]
    assert cohort_instructor not in users


def test_students_of_another_cohort_are_not_shown(cohort, other_cohort):
    stranger = enrol(other_cohort, 1, prefix="stranger")[0]
    assert stranger not in [row.user for row in cohort_dashboard(cohort=cohort).rows]


def test_the_page_shows_each_students_cells(instructor_client, cohort, student, exercise):
    submit(student, exercise, score=0.4)
    page = instructor_client.get(dashboard_url(cohort)).content.decode()
    assert "✗ 2/5, 1 try" in page
    assert reverse("teaching:student", args=[cohort.uuid, student.id]) in page


def test_exercise_headers_link_to_the_exercise_page(instructor_client, cohort, exercise):
    page = instructor_client.get(dashboard_url(cohort)).content.decode()
    url = reverse(
        "teaching:exercise", kwargs={"cohort_uuid": cohort.uuid, "exercise_slug": "double"}
    )
    assert f'href="{url}"' in page


def test_checkpoint_headers_link_to_the_quiz_page(instructor_client, cohort, quiz):
    page = instructor_client.get(dashboard_url(cohort)).content.decode()
    url = reverse("teaching:quiz", kwargs={"cohort_uuid": cohort.uuid, "quiz_slug": "basics"})
    assert f'href="{url}"' in page


def test_the_table_headers_carry_their_scope(instructor_client, cohort):
    page = instructor_client.get(dashboard_url(cohort)).content.decode()
    assert '<th scope="col" class="matrix-item matrix-exercise">' in page
    assert '<th scope="row" class="matrix-student">' in page


def test_it_sorts_by_name_by_default(instructor_client, cohort):
    page = instructor_client.get(dashboard_url(cohort)).content.decode()
    assert matrix_order(page, [">ada<", ">alan<"]) == [">ada<", ">alan<"]


def test_it_sorts_by_name_descending(instructor_client, cohort):
    page = instructor_client.get(dashboard_url(cohort, sort="-name")).content.decode()
    assert matrix_order(page, [">ada<", ">alan<"]) == [">alan<", ">ada<"]


def test_it_sorts_by_completion_most_first(instructor_client, cohort, second_student, lesson):
    read(second_student, lesson, state=LessonProgress.State.PASSED)
    page = instructor_client.get(dashboard_url(cohort, sort="-completion")).content.decode()
    assert matrix_order(page, [">ada<", ">alan<"]) == [">alan<", ">ada<"]


def test_it_sorts_by_last_activity(cohort, student, second_student, exercise):
    submit(student, exercise, at=timezone.now() - timedelta(days=2))
    submit(second_student, exercise, at=timezone.now() - timedelta(days=1))
    rows = cohort_dashboard(cohort=cohort, sort="activity").rows
    assert [row.user for row in rows] == [student, second_student]


def test_students_never_active_sort_as_the_least_recent(cohort, student, second_student, lesson):
    read(student, lesson)
    rows = cohort_dashboard(cohort=cohort, sort="-activity").rows
    assert [row.user for row in rows] == [student, second_student]


def test_sort_headers_are_buttons_that_keep_the_filters(instructor_client, cohort):
    page = instructor_client.get(dashboard_url(cohort, kind="exercise")).content.decode()
    assert re.search(
        r'<button type="submit" form="cohort-sort-form" name="sort" value="-completion"', page
    )
    assert '<input type="hidden" name="kind" value="exercise">' in page


def test_the_active_sort_is_announced(instructor_client, cohort):
    page = instructor_client.get(dashboard_url(cohort, sort="-name")).content.decode()
    assert 'aria-sort="descending"' in page


def test_sort_links_toggle_the_direction(instructor_client, cohort):
    page = instructor_client.get(dashboard_url(cohort, sort="name")).content.decode()
    assert 'href="?sort=-name"' in page


def test_an_unknown_sort_falls_back_to_name(instructor_client, cohort):
    response = instructor_client.get(dashboard_url(cohort, sort="password"))
    assert response.status_code == 200
    assert response.context["sort"] == "name"


def test_it_filters_the_columns_by_kind(instructor_client, cohort):
    dashboard = instructor_client.get(dashboard_url(cohort, kind="exercise")).context["dashboard"]
    assert [item.kind for item in dashboard.items] == ["exercise"]
    assert all(len(row.cells) == 1 for row in dashboard.rows)


def test_filtering_by_kind_keeps_each_cell_under_its_item(cohort, student, quiz):
    attempt_quiz(student, quiz, score=0.5, passed=False)
    row = row_of(cohort_dashboard(cohort=cohort, kind="quiz"), student)
    assert [cell.kind for cell in row.cells] == ["quiz"]
    assert row.cells[0].score == 0.5


def test_five_failed_graded_attempts_without_a_pass_flag_a_student(cohort, student, exercise):
    for _ in range(5):
        submit(student, exercise)
    row = row_of(cohort_dashboard(cohort=cohort), student)
    assert row.reasons == ["5 failed attempts on Double every entry"]


def test_four_failed_attempts_do_not_flag_a_student(cohort, student, exercise):
    for _ in range(4):
        submit(student, exercise)
    assert not row_of(cohort_dashboard(cohort=cohort), student).struggling


def test_a_pass_after_many_failures_clears_the_flag(cohort, student, exercise):
    for _ in range(6):
        submit(student, exercise)
    submit(student, exercise, verdict="passed", score=1.0)
    assert not row_of(cohort_dashboard(cohort=cohort), student).struggling


def test_code_the_checks_could_not_run_is_not_a_failure(cohort, student, exercise):
    # A syntax error or a wrong signature: a slip of form, not a wrong answer.
    for _ in range(5):
        submit(student, exercise, verdict="invalid", score=0.0)
    assert not row_of(cohort_dashboard(cohort=cohort), student).struggling
    for _ in range(4):
        submit(student, exercise)
    assert not row_of(cohort_dashboard(cohort=cohort), student).struggling
    submit(student, exercise)
    assert row_of(cohort_dashboard(cohort=cohort), student).reasons == [
        "5 failed attempts on Double every entry"
    ]


def test_submissions_not_yet_graded_are_not_failures(cohort, student, exercise):
    for _ in range(5):
        submit(student, exercise, state="queued")
    assert not row_of(cohort_dashboard(cohort=cohort), student).struggling


def test_a_week_without_progress_flags_a_student(cohort, student, lesson):
    read(student, lesson, at=timezone.now() - timedelta(days=8))
    row = row_of(cohort_dashboard(cohort=cohort), student)
    assert row.reasons == ["no progress for 8 days"]


def test_recent_activity_is_not_idle(cohort, student, lesson):
    read(student, lesson, at=timezone.now() - timedelta(days=6))
    assert not row_of(cohort_dashboard(cohort=cohort), student).struggling


def test_a_student_who_joined_long_ago_and_never_started_is_flagged(cohort, student):
    membership = cohort.memberships.get(user=student)
    membership.joined_at = timezone.now() - timedelta(days=10)
    membership.save()
    assert row_of(cohort_dashboard(cohort=cohort), student).reasons == ["no activity in 10 days"]


def test_the_idle_threshold_comes_from_the_query_string(instructor_client, cohort, student, lesson):
    read(student, lesson, at=timezone.now() - timedelta(days=4))
    dashboard = instructor_client.get(dashboard_url(cohort, idle_days=3)).context["dashboard"]
    assert [row.user for row in dashboard.struggling] == [student]


def test_a_malformed_idle_threshold_uses_the_default(instructor_client, cohort):
    response = instructor_client.get(dashboard_url(cohort, idle_days="soon"))
    assert response.context["idle_days"] == 7


def test_struggling_students_are_listed_with_their_reasons(
    instructor_client, cohort, student, exercise
):
    for _ in range(5):
        submit(student, exercise)
    page = instructor_client.get(dashboard_url(cohort)).content.decode()
    section = page.split('id="struggling-heading"', 1)[1].split("</section>", 1)[0]
    assert "Struggling (1)" in page
    assert ">ada</a>: 5 failed attempts on Double every entry" in section


def test_struggling_only_hides_the_others(instructor_client, cohort, student, exercise):
    for _ in range(5):
        submit(student, exercise)
    dashboard = instructor_client.get(dashboard_url(cohort, struggling=1)).context["dashboard"]
    assert [row.user for row in dashboard.rows] == [student]


def joined_long_ago(cohort, user):
    """The chart counts work made while a student of the cohort: these tests date their
    work back, so the student joined before it."""
    student_member(cohort, user).__class__.objects.filter(cohort=cohort, user=user).update(
        joined_at=timezone.now() - timedelta(days=3650)
    )


def test_activity_counts_submissions_and_attempts_per_day(cohort, student, exercise, quiz):
    now = timezone.now()
    joined_long_ago(cohort, student)
    submit(student, exercise, at=now)
    submit(student, exercise, at=now)
    submit(student, exercise, at=now - timedelta(days=3))
    attempt_quiz(student, quiz, score=1.0, passed=True, at=now)
    submit(student, exercise, at=now - timedelta(days=45))
    dashboard = cohort_dashboard(cohort=cohort, now=now)
    assert len(dashboard.activity_days) == 30
    assert dashboard.submissions_per_day[-1] == 2
    assert dashboard.submissions_per_day[-4] == 1
    assert sum(dashboard.submissions_per_day) == 3
    assert dashboard.attempts_per_day[-1] == 1


def test_activity_days_are_the_cohorts_calendar_days_whoever_looks(cohort, student, exercise):
    from datetime import UTC, datetime

    cohort.time_zone = "Asia/Tokyo"
    cohort.save(update_fields=["time_zone"])
    joined_long_ago(cohort, student)
    # 23:20 UTC on the 9th is 08:20 on the 10th in Tokyo; "now" is noon there on the 10th.
    submit(student, exercise, at=datetime(2026, 3, 9, 23, 20, tzinfo=UTC))
    now = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    for viewer_zone in ("UTC", "America/Los_Angeles"):
        with timezone.override(viewer_zone):
            dashboard = cohort_dashboard(cohort=cohort, now=now)
        assert str(dashboard.activity_days[-1]) == "2026-03-10"
        assert dashboard.submissions_per_day[-1] == 1
        assert sum(dashboard.submissions_per_day) == 1


def test_the_activity_chart_is_an_accessible_svg_with_a_table(instructor_client, cohort):
    page = instructor_client.get(dashboard_url(cohort)).content.decode()
    assert 'role="img"' in page
    assert "<title id=" in page
    assert "<caption>Activity per day, last 30 days</caption>" in page


def test_the_cohort_page_links_to_the_dashboard(instructor_client, cohort):
    page = instructor_client.get(reverse("courses:cohort_manage", args=[cohort.uuid]))
    assert dashboard_url(cohort) in page.content.decode()


def populate(cohort, count, lesson, quiz, exercise, prefix):
    for user in enrol(cohort, count, prefix=prefix):
        read(user, lesson)
        attempt_quiz(user, quiz, score=0.5, passed=False)
        for _ in range(5):
            submit(user, exercise)


@pytest.mark.parametrize("params", [{}, {"kind": "exercise", "struggling": 1, "sort": "-activity"}])
def test_the_number_of_queries_does_not_grow_with_the_cohort(
    instructor_client, cohort, lesson, quiz, exercise, django_assert_max_num_queries, params
):
    url = dashboard_url(cohort, **params)
    populate(cohort, 3, lesson, quiz, exercise, "small")
    instructor_client.get(url)  # warm the session and the caches
    # A fixed number whatever the cohort (the cohort bar's open reviews included; scores
    # staff changed are found in the exercise aggregate).
    with django_assert_max_num_queries(20) as small:
        instructor_client.get(url)
    populate(cohort, 27, lesson, quiz, exercise, "large")
    with django_assert_max_num_queries(20) as large:
        response = instructor_client.get(url)
    assert len(response.context["dashboard"].rows) == (30 if params else 32)
    assert len(small.captured_queries) == len(large.captured_queries)
