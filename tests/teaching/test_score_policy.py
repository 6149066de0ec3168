"""Which attempt counts, per cohort (Cohort.score_policy): the best (the default) or the
latest graded one. The gradebook's rows and CSV and the dashboard follow the policy at
once; only the cohort's instructors (and staff) change it, from the schedule page."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Cohort, Membership
from courses.services import cohort_join
from grading.feedback import score_override
from teaching.selectors.gradebook import cohort_gradebook
from tests.conftest import person

from .conftest import attempt_quiz, enrol, submit

pytestmark = pytest.mark.django_db

START = timezone.now() - timedelta(days=5)
BEST, LATEST = Cohort.ScorePolicy.BEST, Cohort.ScorePolicy.LATEST


def at(hours: int):
    return START + timedelta(hours=hours)


def late(row, factor: float):
    """Mark an attempt as made late, keeping ``factor`` of its score."""
    type(row).objects.filter(pk=row.pk).update(score_factor=factor, late_by_s=2 * 86_400)


@pytest.fixture
def carol(cohort):
    user = person("carol")
    cohort_join(cohort=cohort, user=user)
    return user


@pytest.fixture
def scored(cohort, cohort_instructor, student, second_student, carol, quiz, exercise):
    """Ada: a better early attempt, then a worse one (and one still waiting to be graded).
    Alan: on time, then a higher score made late. Carol: a good attempt, then a poor one
    whose score staff changed."""
    attempt_quiz(student, quiz, score=1.0, passed=True, at=at(0))
    attempt_quiz(student, quiz, score=0.5, passed=False, at=at(1))
    submit(student, exercise, score=0.9, at=at(0))
    submit(student, exercise, score=0.5, at=at(1))
    submit(student, exercise, state="queued", at=at(2))

    attempt_quiz(second_student, quiz, score=0.75, passed=False, at=at(0))
    late(attempt_quiz(second_student, quiz, score=1.0, passed=True, at=at(50)), 0.6)
    submit(second_student, exercise, score=0.8, at=at(0))
    late(submit(second_student, exercise, score=1.0, verdict="passed", at=at(50)), 0.7)

    submit(carol, exercise, score=0.9, at=at(0))
    poor = submit(carol, exercise, score=0.3, at=at(1))
    score_override(submission=poor, score=0.6, reason="a check was wrong", by=cohort_instructor)
    return cohort


def with_policy(cohort, policy):
    Cohort.objects.filter(pk=cohort.pk).update(score_policy=policy)
    cohort.refresh_from_db()
    return cohort


def gradebook_csv(client, cohort) -> dict[str, list[str]]:
    response = client.get(reverse("teaching:gradebook", args=[cohort.uuid]))
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    return {row[0]: row[3:] for row in rows[1:]}


def shares(score) -> tuple:
    """Raw, counted, late penalty %, changed: rounded, so 100 x (1 - 0.7) reads 30."""
    return (
        round(score.raw, 6),
        round(score.counted, 6),
        round(score.penalty_percent, 6),
        score.changed,
    )


# The gradebook ---------------------------------------------------------------------------

# Per student: checkpoint score %, counted %, late penalty %; exercise score, counted (of
# 5 points), late penalty %, changed by staff; points earned, possible, percent.
BEST_CSV = {
    "ada": ["100", "100", "0", "4.5", "4.5", "0", "", "4.5", "5", "90"],
    # 0.8 on time beats 1.0 made late at 70%; 75% beats 100% at 60%.
    "alan": ["100", "75", "0", "5", "4", "0", "", "4", "5", "80"],
    "carol": ["", "", "", "4.5", "4.5", "0", "yes", "4.5", "5", "90"],
}
LATEST_CSV = {
    "ada": ["50", "50", "0", "2.5", "2.5", "0", "", "2.5", "5", "50"],
    "alan": ["100", "60", "40", "5", "3.5", "30", "", "3.5", "5", "70"],
    "carol": ["", "", "", "3", "3", "0", "yes", "3", "5", "60"],
}


def test_a_new_cohort_counts_the_best_attempt(cohort):
    assert cohort.score_policy == BEST


def test_the_gradebook_csv_counts_the_best_attempt_under_best(instructor_client, scored):
    assert gradebook_csv(instructor_client, scored) == BEST_CSV


def test_the_gradebook_csv_counts_the_latest_graded_attempt_under_latest(instructor_client, scored):
    assert gradebook_csv(instructor_client, with_policy(scored, LATEST)) == LATEST_CSV


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (
            BEST,
            {
                "ada": ((1.0, 1.0, 0, False), (0.9, 0.9, 0, False)),
                "alan": ((1.0, 0.75, 0, False), (1.0, 0.8, 0, False)),
                "carol": (None, (0.9, 0.9, 0, True)),
            },
        ),
        (
            LATEST,
            {
                "ada": ((0.5, 0.5, 0, False), (0.5, 0.5, 0, False)),
                "alan": ((1.0, 0.6, 40, False), (1.0, 0.7, 30, False)),
                "carol": (None, (0.6, 0.6, 0, True)),
            },
        ),
    ],
)
def test_the_gradebook_rows_hold_the_score_that_counts(scored, policy, expected):
    book = cohort_gradebook(cohort=with_policy(scored, policy))
    assert book.policy == policy
    got = {}
    for row in book.rows:
        [quiz], [exercise] = row.quiz_scores, row.exercise_scores
        got[row.user.username] = (None if quiz.raw is None else shares(quiz), shares(exercise))
    assert got == expected


def fetched(client, url):
    """GET url, reading a streamed body (the gradebook) whole, as a browser would."""
    response = client.get(url)
    if response.streaming:
        response.getvalue()
    return response


def queries(client, url) -> int:
    fetched(client, url)
    with CaptureQueriesContext(connection) as captured:
        fetched(client, url)
    return len(captured)


@pytest.mark.parametrize("page", ["teaching:gradebook", "teaching:cohort"])
def test_the_latest_attempt_takes_no_more_queries_than_the_best(instructor_client, scored, page):
    # Under BEST a staff change costs a query of its own (grading.selectors.standing_scores);
    # under LATEST the score that stands is read in the same aggregate.
    url = reverse(page, args=[scored.uuid])
    best = queries(instructor_client, url)
    with_policy(scored, LATEST)
    assert queries(instructor_client, url) <= best


def test_the_gradebook_under_latest_takes_a_bounded_number_of_queries(
    instructor_client, scored, quiz, exercise, django_assert_max_num_queries
):
    with_policy(scored, LATEST)
    url = reverse("teaching:gradebook", args=[scored.uuid])
    fetched(instructor_client, url)
    with django_assert_max_num_queries(20) as small:
        fetched(instructor_client, url)
    for user in enrol(scored, 20):
        attempt_quiz(user, quiz, score=0.5, passed=False, at=at(0))
        attempt_quiz(user, quiz, score=0.25, passed=False, at=at(1))
        submit(user, exercise, score=0.6, at=at(0))
        submit(user, exercise, score=0.2, at=at(1))
    with django_assert_max_num_queries(20) as large:
        rows = gradebook_csv(instructor_client, scored)
    assert len(rows) == 23
    assert rows["pupil7"][:2] == ["25", "25"]
    assert len(small.captured_queries) == len(large.captured_queries)


def test_changing_the_policy_back_restores_every_score(instructor_client, scored):
    url = reverse("teaching:schedule_score_policy", args=[scored.uuid])
    instructor_client.post(url, {"score_policy": "latest"})
    assert gradebook_csv(instructor_client, scored) == LATEST_CSV
    instructor_client.post(url, {"score_policy": "best"})
    assert gradebook_csv(instructor_client, scored) == BEST_CSV


# The dashboard ---------------------------------------------------------------------------


def dashboard_line(client, cohort, username: str) -> str:
    content = client.get(reverse("teaching:cohort", args=[cohort.uuid])).content.decode()
    return next(line for line in content.splitlines() if f">{username}</a>" in line)


def test_the_dashboard_shows_the_latest_attempt_under_latest(instructor_client, scored):
    with_policy(scored, LATEST)
    assert "2.5/5, 3 tries" in dashboard_line(instructor_client, scored, "ada")
    assert "50%, 2 tries" in dashboard_line(instructor_client, scored, "ada")
    alan = dashboard_line(instructor_client, scored, "alan")
    assert "3.5/5 (late), 2 tries" in alan
    assert "60% (late), 2 tries" in alan
    assert "3/5 (changed), 2 tries" in dashboard_line(instructor_client, scored, "carol")


def test_the_dashboard_shows_the_best_attempt_under_best(instructor_client, scored):
    ada = dashboard_line(instructor_client, scored, "ada")
    assert "4.5/5, 3 tries" in ada
    assert "100%, 2 tries" in ada
    assert "4.5/5 (changed), 2 tries" in dashboard_line(instructor_client, scored, "carol")


def test_the_dashboard_and_the_gradebook_link_name_the_policy(instructor_client, cohort):
    url = reverse("teaching:cohort", args=[cohort.uuid])
    content = instructor_client.get(url).content.decode()
    assert "Gradebook (CSV, best attempts)" in content
    with_policy(cohort, LATEST)
    content = instructor_client.get(url).content.decode()
    assert "Gradebook (CSV, latest attempts)" in content


# The form on the schedule page -------------------------------------------------------------


def policy_url(cohort):
    return reverse("teaching:schedule_score_policy", args=[cohort.uuid])


def schedule_url(cohort):
    return reverse("teaching:schedule", args=[cohort.uuid])


@pytest.fixture
def assistant(cohort):
    user = person("tess")
    Membership.objects.create(cohort=cohort, user=user, role=Membership.Role.ASSISTANT)
    return user


def stored_policy(cohort) -> str:
    return Cohort.objects.get(pk=cohort.pk).score_policy


def test_the_schedule_page_offers_both_choices_with_a_line_on_each(instructor_client, cohort):
    content = instructor_client.get(schedule_url(cohort)).content.decode()
    assert policy_url(cohort) in content
    assert "The best attempt" in content
    assert "trying again never lowers it" in content
    assert "The latest attempt" in content
    assert "even when an earlier one scored higher" in content
    # Each line is read out with its choice.
    for index in (0, 1):
        assert f'aria-describedby="policy_score_policy_{index}_helptext"' in content
        assert f'id="policy_score_policy_{index}_helptext"' in content


@pytest.mark.parametrize("who", ["cohort_instructor", "instructor"])
def test_the_cohorts_instructor_and_staff_change_the_policy(client, cohort, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(policy_url(cohort), {"score_policy": "latest"}, follow=True)
    assert response.redirect_chain == [(schedule_url(cohort), 302)]
    assert stored_policy(cohort) == LATEST
    assert (
        "The latest attempt now counts for every student and item (it was the best attempt)"
        in response.content.decode()
    )


def test_choosing_the_policy_in_force_changes_nothing_and_says_so(instructor_client, cohort):
    response = instructor_client.post(policy_url(cohort), {"score_policy": "best"}, follow=True)
    assert "The best attempt already counted; nothing changed." in response.content.decode()
    assert stored_policy(cohort) == BEST


@pytest.mark.parametrize("who", ["assistant", "student", "other_instructor"])
def test_an_assistant_a_student_and_another_cohorts_instructor_are_refused(
    client, cohort, other_cohort, assistant, who, request
):
    client.force_login(request.getfixturevalue(who))
    assert client.post(policy_url(cohort), {"score_policy": "latest"}).status_code == 403
    assert stored_policy(cohort) == BEST


def test_an_assistant_reads_the_policy_without_the_form(client, cohort, assistant):
    with_policy(cohort, LATEST)
    client.force_login(assistant)
    content = client.get(schedule_url(cohort)).content.decode()
    assert "The <strong>latest attempt</strong> of each student counts." in content
    assert policy_url(cohort) not in content


def test_anonymous_visitors_are_sent_to_log_in(client, cohort):
    response = client.post(policy_url(cohort), {"score_policy": "latest"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert stored_policy(cohort) == BEST


def test_an_unknown_cohort_is_not_found(instructor_client, cohort):
    cohort_uuid = cohort.uuid
    cohort.delete()
    response = instructor_client.post(
        reverse("teaching:schedule_score_policy", args=[cohort_uuid]), {"score_policy": "latest"}
    )
    assert response.status_code == 404


def test_the_policy_is_changed_by_post_only(instructor_client, cohort):
    assert instructor_client.get(policy_url(cohort), {"score_policy": "latest"}).status_code == 405
    assert stored_policy(cohort) == BEST


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"score_policy": "worst"},
            "“worst” is not a choice here: the best attempt or the latest.",
        ),
        ({"score_policy": ""}, "Choose which attempt counts."),
        ({}, "Choose which attempt counts."),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_changes_nothing(
    instructor_client, cohort, data, error
):
    with_policy(cohort, LATEST)
    response = instructor_client.post(policy_url(cohort), data)
    assert response.status_code == 400
    assert response.context["policy_form"].errors["score_policy"] == [error]
    assert stored_policy(cohort) == LATEST
