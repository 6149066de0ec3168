"""Every cohort page is for the cohort's instructors and staff only."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = ["teaching:cohort", "teaching:student", "teaching:gradebook"]


def url_of(name, cohort, student):
    if name == "teaching:student":
        return reverse(name, args=[cohort.uuid, student.id])
    return reverse(name, args=[cohort.uuid])


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, cohort, student, name):
    response = client.get(url_of(name, cohort, student))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_a_student_of_the_cohort_is_refused(client, cohort, student, name):
    client.force_login(student)
    assert client.get(url_of(name, cohort, student)).status_code in (403, 404)


@pytest.mark.parametrize("name", PAGES)
def test_another_cohorts_instructor_is_refused(
    client, cohort, other_cohort, other_instructor, student, name
):
    client.force_login(other_instructor)
    assert client.get(url_of(name, cohort, student)).status_code in (403, 404)


@pytest.mark.parametrize("name", PAGES)
def test_the_cohorts_instructor_may_open_it(instructor_client, cohort, student, name):
    assert instructor_client.get(url_of(name, cohort, student)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_staff_may_open_it(client, cohort, instructor, student, name):
    client.force_login(instructor)
    assert client.get(url_of(name, cohort, student)).status_code == 200


def test_an_unknown_cohort_is_not_found(client, cohort_instructor):
    client.force_login(cohort_instructor)
    url = reverse("teaching:cohort", args=["00000000-0000-4000-8000-000000000000"])
    assert client.get(url).status_code == 404


@pytest.fixture
def assistant(cohort):
    from courses.models import Membership
    from tests.conftest import person

    user = person("tess")
    Membership.objects.create(cohort=cohort, user=user, role=Membership.Role.ASSISTANT)
    return user


@pytest.mark.parametrize("name", PAGES)
def test_the_cohorts_teaching_assistant_may_read_it(client, cohort, assistant, student, name):
    client.force_login(assistant)
    assert client.get(url_of(name, cohort, student)).status_code == 200


def test_an_assistant_sees_the_teaching_home_but_neither_regrades_nor_unblocks(
    client, cohort, assistant, exercise
):
    client.force_login(assistant)
    home = client.get(reverse("teaching:home"))
    assert home.status_code == 200
    assert cohort.name in home.content.decode()
    page = client.get(reverse("teaching:exercise", args=[cohort.uuid, exercise.slug]))
    assert page.status_code == 200
    assert "Regrade all submissions" not in page.content.decode()
    for action in ("teaching:regrade_start", "teaching:unblock"):
        url = reverse(action, args=[cohort.uuid, exercise.slug])
        assert client.post(url, {"confirm": "yes"}).status_code == 403
