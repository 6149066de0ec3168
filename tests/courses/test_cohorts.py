import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Cohort, Membership

pytestmark = pytest.mark.django_db


def manage_url(cohort):
    return reverse("courses:cohort_manage", args=[cohort.uuid])


def test_creating_a_cohort_makes_the_creator_its_instructor(client, quiz_course, student):
    from django.core.management import call_command

    call_command("grant_instructor", student.username, verbosity=0)
    client.force_login(student)
    response = client.post(
        reverse("courses:cohort_create"), {"course": quiz_course.pk, "name": "Evening class"}
    )
    cohort = Cohort.objects.get(name="Evening class")
    assert response["Location"] == manage_url(cohort)
    assert cohort.created_by == student
    assert cohort.role_of(student) == Membership.Role.INSTRUCTOR


def test_a_student_cannot_make_themselves_an_instructor(client, quiz_course, student):
    client.force_login(student)
    response = client.post(
        reverse("courses:cohort_create"), {"course": quiz_course.pk, "name": "Mine now"}
    )
    assert response.status_code == 403
    assert not Cohort.objects.exists()
    assert "Start a cohort" not in client.get(reverse("accounts:profile")).content.decode()


def test_staff_may_open_cohorts(client, quiz_course, instructor):
    client.force_login(instructor)
    response = client.post(
        reverse("courses:cohort_create"), {"course": quiz_course.pk, "name": "Staff group"}
    )
    assert response.status_code == 302
    assert Cohort.objects.get(name="Staff group").role_of(instructor) == Membership.Role.INSTRUCTOR


def test_creating_a_cohort_requires_login(client, quiz_course):
    response = client.post(
        reverse("courses:cohort_create"), {"course": quiz_course.pk, "name": "x"}
    )
    assert response.status_code == 302
    assert not Cohort.objects.exists()


def test_join_codes_are_long_unique_and_unguessable(cohort, other_cohort):
    assert len(cohort.join_code) >= 10
    assert cohort.join_code != other_cohort.join_code
    assert not set("01OIL") & set(cohort.join_code)


def test_manage_page_shows_the_join_code_and_link(client, cohort, cohort_instructor):
    client.force_login(cohort_instructor)
    page = client.get(manage_url(cohort)).content.decode()
    assert cohort.join_code in page
    assert "http://testserver" + reverse("courses:join_link", args=[cohort.join_code]) in page


def test_a_student_cannot_open_cohort_management(client, cohort, student):
    cohort.memberships.create(user=student)
    client.force_login(student)
    assert client.get(manage_url(cohort)).status_code == 403


def test_another_cohorts_instructor_cannot_open_cohort_management(
    client, cohort, other_cohort, other_instructor
):
    client.force_login(other_instructor)
    assert client.get(manage_url(cohort)).status_code == 403


def test_a_student_cannot_replace_the_join_code(client, cohort, student):
    cohort.memberships.create(user=student)
    code = cohort.join_code
    client.force_login(student)
    response = client.post(reverse("courses:cohort_code_regenerate", args=[cohort.uuid]))
    assert response.status_code == 403
    cohort.refresh_from_db()
    assert cohort.join_code == code


def test_the_instructor_can_replace_the_join_code(client, cohort, cohort_instructor):
    code = cohort.join_code
    client.force_login(cohort_instructor)
    client.post(reverse("courses:cohort_code_regenerate", args=[cohort.uuid]))
    cohort.refresh_from_db()
    assert cohort.join_code != code


def test_joining_with_the_code_makes_a_student_membership(client, cohort, student):
    client.force_login(student)
    response = client.post(reverse("courses:join"), {"code": cohort.join_code})
    assert response["Location"] == reverse("courses:course", args=[cohort.course.slug])
    assert cohort.role_of(student) == Membership.Role.STUDENT


def test_the_code_is_accepted_in_lower_case_with_spaces(client, cohort, student):
    client.force_login(student)
    client.post(reverse("courses:join"), {"code": f"  {cohort.join_code.lower()} "})
    assert cohort.role_of(student) == Membership.Role.STUDENT


def test_a_wrong_code_gives_a_clear_error(client, cohort, student):
    client.force_login(student)
    response = client.post(reverse("courses:join"), {"code": "NOPE"})
    assert response.status_code == 400
    assert "No cohort has that code" in response.content.decode()
    assert not Membership.objects.filter(user=student).exists()


def test_opening_the_join_link_shows_a_confirmation_without_joining(client, cohort, student):
    client.force_login(student)
    response = client.get(reverse("courses:join_link", args=[cohort.join_code]))
    assert response.status_code == 200
    assert "Join the cohort" in response.content.decode()
    assert cohort.role_of(student) is None


def test_posting_the_join_link_joins(client, cohort, student):
    client.force_login(student)
    client.post(reverse("courses:join_link", args=[cohort.join_code]))
    assert cohort.role_of(student) == Membership.Role.STUDENT


def test_joining_needs_the_csrf_token(cohort, student):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post(reverse("courses:join_link", args=[cohort.join_code]))
    assert response.status_code == 403
    assert cohort.role_of(student) is None


def test_a_wrong_join_link_says_so(client, cohort, student):
    client.force_login(student)
    response = client.get(reverse("courses:join_link", args=["WRONGCODE2"]))
    assert response.status_code == 404
    assert "This join link does not work" in response.content.decode()


def test_a_replaced_code_no_longer_joins(client, cohort, student):
    from courses.services import cohort_regenerate_code

    old = cohort.join_code
    cohort_regenerate_code(cohort=cohort)
    client.force_login(student)
    client.post(reverse("courses:join_link", args=[old]))
    assert cohort.role_of(student) is None


def test_the_join_link_sends_anonymous_visitors_to_log_in_first(client, cohort):
    url = reverse("courses:join_link", args=[cohort.join_code])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_an_instructor_following_their_own_link_stays_instructor(client, cohort, cohort_instructor):
    client.force_login(cohort_instructor)
    client.post(reverse("courses:join_link", args=[cohort.join_code]))
    assert cohort.role_of(cohort_instructor) == Membership.Role.INSTRUCTOR
    assert cohort.memberships.filter(user=cohort_instructor).count() == 1


def test_roles_are_per_cohort(cohort, other_cohort, cohort_instructor, other_instructor):
    from courses.services import cohort_join

    cohort_join(cohort=other_cohort, user=cohort_instructor)
    assert cohort.can_manage(cohort_instructor)
    assert not other_cohort.can_manage(cohort_instructor)
