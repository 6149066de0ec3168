"""The gradebook export: one row per student, spreadsheet-safe CSV."""

import csv
import io

import pytest
from django.urls import reverse

from teaching.views_cohort import spreadsheet_text

from .conftest import attempt_quiz, enrol, submit

pytestmark = pytest.mark.django_db


def gradebook_url(cohort):
    return reverse("teaching:gradebook", args=[cohort.uuid])


def rows_of(response) -> list[list[str]]:
    text = response.getvalue().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_it_is_an_attachment_with_a_safe_filename(instructor_client, cohort):
    cohort.name = 'Tuesday "group"/../../etc'
    cohort.save()
    response = instructor_client.get(gradebook_url(cohort))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="tuesday-groupetc-gradebook-')
    assert disposition.endswith('.csv"')


def test_it_starts_with_a_byte_order_mark(instructor_client, cohort):
    assert instructor_client.get(gradebook_url(cohort)).getvalue().startswith(b"\xef\xbb\xbf")


def test_rows_end_with_crlf(instructor_client, cohort):
    content = instructor_client.get(gradebook_url(cohort)).getvalue()
    assert content.count(b"\r\n") == 3  # the header and two students
    assert b"\n" not in content.replace(b"\r\n", b"")


def test_the_header_names_every_graded_item_and_the_totals(instructor_client, cohort):
    header = rows_of(instructor_client.get(gradebook_url(cohort)))[0]
    assert header == [
        "username",
        "display name",
        "email",
        "Checkpoint: basics (score %)",
        "Checkpoint: basics (counted %, best attempt)",
        "Checkpoint: basics (late penalty %)",
        "Double every entry (score, of 5 points)",
        "Double every entry (counted, of 5 points, best attempt)",
        "Double every entry (late penalty %)",
        "Double every entry (score changed by staff)",
        "points earned",
        "points possible",
        "percent",
    ]


def test_each_student_has_best_scores_and_totals(
    instructor_client, cohort, student, quiz, exercise
):
    student.first_name, student.last_name = "Ada", "Lovelace"
    student.save()
    attempt_quiz(student, quiz, score=0.5, passed=False)
    attempt_quiz(student, quiz, score=0.875, passed=True)
    submit(student, exercise, score=0.3)
    submit(student, exercise, score=0.6)
    rows = rows_of(instructor_client.get(gradebook_url(cohort)))
    # Nothing late: the counted best is the best as graded, with no penalty.
    assert rows[1] == [
        "ada", "Ada Lovelace", "ada@example.org", "87.5", "87.5", "0", "3", "3", "0", "", "3",
        "5", "60",
    ]  # fmt: skip


def test_items_never_attempted_are_blank(instructor_client, cohort, second_student):
    rows = rows_of(instructor_client.get(gradebook_url(cohort)))
    alan = next(row for row in rows if row[0] == "alan")
    assert alan[3:] == ["", "", "", "", "", "", "", "0", "5", "0"]


def test_formulas_in_names_are_neutralised(instructor_client, cohort, student):
    student.first_name = '=HYPERLINK("http://evil")'
    student.save()
    rows = rows_of(instructor_client.get(gradebook_url(cohort)))
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_every_formula_prefix_is_neutralised(text):
    assert spreadsheet_text(text) == "'" + text


def test_plain_text_is_left_alone():
    assert spreadsheet_text("Ada Lovelace") == "Ada Lovelace"


def test_instructors_are_not_in_the_gradebook(instructor_client, cohort):
    usernames = [row[0] for row in rows_of(instructor_client.get(gradebook_url(cohort)))[1:]]
    assert usernames == ["ada", "alan"]


def test_the_number_of_queries_does_not_grow_with_the_cohort(
    instructor_client, cohort, quiz, exercise, django_assert_max_num_queries
):
    url = gradebook_url(cohort)
    instructor_client.get(url)
    with django_assert_max_num_queries(20) as small:
        instructor_client.get(url)
    for user in enrol(cohort, 28):
        attempt_quiz(user, quiz, score=0.5, passed=False)
        submit(user, exercise)
    with django_assert_max_num_queries(20) as large:
        response = instructor_client.get(url)
    assert len(rows_of(response)) == 31
    assert len(small.captured_queries) == len(large.captured_queries)


def test_a_score_staff_changed_is_the_one_that_counts_and_is_marked(
    instructor_client, cohort, cohort_instructor, student, second_student, exercise
):
    from grading.feedback import score_override

    best = submit(student, exercise, score=0.8, verdict="passed")
    submit(student, exercise, score=0.4)
    # Copied work: the best attempt is set to nothing; the other attempt still counts.
    score_override(submission=best, score=0.0, reason="copied", by=cohort_instructor)
    late = submit(second_student, exercise, score=0.2)
    type(late).objects.filter(pk=late.pk).update(score_factor=0.5, late_by_s=86_400)
    score_override(submission=late, score=1.0, reason="the check was wrong", by=cohort_instructor)
    score_override(submission=late, score=0.9, reason="on second look", by=cohort_instructor)
    rows = {row[0]: row for row in rows_of(instructor_client.get(gradebook_url(cohort)))[1:]}
    # score, counted, late penalty, changed (of 5 points)
    assert rows["ada"][6:10] == ["2", "2", "0", "yes"]
    assert rows["alan"][6:10] == ["4.5", "2.25", "50", "yes"]
    assert rows["ada"][10] == "2"


def test_the_dashboard_shows_the_score_that_stands(
    instructor_client, cohort, cohort_instructor, student, exercise
):
    from grading.feedback import score_override

    best = submit(student, exercise, score=0.8, verdict="passed")
    score_override(submission=best, score=0.2, reason="copied", by=cohort_instructor)
    page = instructor_client.get(reverse("teaching:cohort", args=[cohort.uuid])).content.decode()
    assert "1/5 (changed), 1 try" in page
