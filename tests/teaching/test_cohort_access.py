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
