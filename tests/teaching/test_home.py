"""/teach/: the teaching home, the header's "Teach", where log-in lands, and the styled
error pages a wrong turn meets."""

import pytest
from django.utils import timezone

from courses.models import Cohort, Membership
from courses.services import instructor_grant
from tests.factories import CourseFactory

HOME = "/teach/"


@pytest.fixture
def courses(db):
    taught = CourseFactory(slug="descent", title="Loss, Gradients and Optimizers")
    taught.synced_at = timezone.now()
    taught.save(update_fields=["synced_at"])
    other = CourseFactory(slug="other", title="Another course")
    return taught, other


def cohort_of(course, instructor, name, students=()):
    cohort = Cohort.objects.create(course=course, name=name, created_by=instructor)
    Membership.objects.create(cohort=cohort, user=instructor, role=Membership.Role.INSTRUCTOR)
    for student in students:
        Membership.objects.create(cohort=cohort, user=student)
    return cohort


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/teach/")


def test_a_student_gets_a_styled_403_that_says_why(client, student, courses):
    client.force_login(student)
    response = client.get(HOME)
    assert response.status_code == 403
    page = response.content.decode()
    assert "This page is not open to you" in page
    assert "for a course&#x27;s instructors" in page
    assert 'class="site-header"' in page


def test_an_instructor_sees_their_cohorts_and_no_one_elses(
    client, cohort_instructor, other_instructor, student, second_student, courses
):
    taught, _ = courses
    mine = cohort_of(taught, cohort_instructor, "Tuesday group", [student, second_student])
    theirs = cohort_of(taught, other_instructor, "Thursday group", [student])
    client.force_login(cohort_instructor)
    page = client.get(HOME).content.decode()
    assert "Loss, Gradients and Optimizers" in page
    assert "last synced" in page
    assert "Tuesday group" in page
    assert f"/teach/cohorts/{mine.uuid}/" in page
    assert mine.join_code in page
    assert "Thursday group" not in page
    assert str(theirs.uuid) not in page
    # Only the courses they teach: they were not granted opening cohorts on others.
    assert "Another course" not in page
    assert ">2</td>" in page  # two students, the instructor not counted


def test_someone_granted_teaching_sees_every_course_and_can_open_a_cohort(
    client, cohort_instructor, courses
):
    instructor_grant(user=cohort_instructor)
    client.force_login(cohort_instructor)
    page = client.get(HOME).content.decode()
    assert "Another course" in page
    assert "/cohorts/new/?course=other" in page
    form = client.get("/cohorts/new/?course=other").content.decode()
    assert 'value="' in form
    assert "selected" in form.split("Another course")[0].rsplit("<option", 1)[-1]


def test_staff_see_every_cohort(client, instructor, other_instructor, courses):
    cohort_of(courses[0], other_instructor, "Thursday group")
    client.force_login(instructor)
    assert "Thursday group" in client.get(HOME).content.decode()


def test_the_header_offers_teach_only_to_those_who_teach(
    client, cohort_instructor, student, courses
):
    cohort_of(courses[0], cohort_instructor, "Tuesday group", [student])
    client.force_login(student)
    assert 'href="/teach/"' not in client.get("/").content.decode()
    client.force_login(cohort_instructor)
    assert 'href="/teach/">Teach</a>' in client.get("/").content.decode()


@pytest.mark.parametrize(("who", "lands"), [("cohort_instructor", "/teach/"), ("student", "/")])
def test_log_in_lands_instructors_on_the_teaching_home_and_students_on_their_courses(
    client, request, who, lands, courses
):
    user = request.getfixturevalue(who)  # the usual people log in with pw-<name>-12345
    if who == "cohort_instructor":
        cohort_of(courses[0], user, "Tuesday group")
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": f"pw-{user.username}-12345"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == lands


def test_log_in_still_goes_where_next_asked(client, cohort_instructor, courses):
    cohort_of(courses[0], cohort_instructor, "Tuesday group")
    response = client.post(
        "/accounts/login/?next=/courses/descent/",
        {"username": "grace", "password": "pw-grace-12345"},
    )
    assert response["Location"] == "/courses/descent/"


def test_a_missing_page_is_a_styled_404(client, student):
    client.force_login(student)
    response = client.get("/teach/cohorts/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "There is no such page" in page
    assert 'class="site-header"' in page


@pytest.mark.django_db
def test_the_headers_one_query_agrees_with_may_teach_and_counts_unread_notifications(
    django_assert_num_queries,
):
    from courses.models import Cohort, Course, Membership
    from courses.services import instructor_grant
    from grading.models import Notification
    from teaching.access import may_teach
    from teaching.context import header_facts
    from tests.conftest import person

    course = Course.objects.create(slug="c", title="C")
    cohort = Cohort.objects.create(course=course, name="K")
    people = {
        "staff": person("s1", is_staff=True),
        "granted": person("g1"),
        "instructor": person("i1"),
        "assistant": person("a1"),
        "student": person("st1"),
        "nobody": person("n1"),
    }
    instructor_grant(user=people["granted"])
    for role in ("instructor", "assistant", "student"):
        Membership.objects.create(cohort=cohort, user=people[role], role=role)
    Notification.objects.create(user=people["student"], text="A comment on your code", url="/")
    Notification.objects.create(user=people["student"], text="Another", url="/")
    for name, user in people.items():
        with django_assert_num_queries(1):
            facts = header_facts(user)
        assert facts["teach"] == may_teach(user), name
    assert header_facts(people["student"])["unread"] == 2
    assert [n for n, u in people.items() if header_facts(u)["teach"]] == [
        "staff",
        "granted",
        "instructor",
        "assistant",
    ]


def test_an_assistant_is_offered_the_pages_they_may_use_and_not_the_settings(
    client, cohort_instructor, second_student, courses
):
    taught, _ = courses
    cohort = cohort_of(taught, cohort_instructor, "Tuesday group")
    Membership.objects.create(cohort=cohort, user=second_student, role=Membership.Role.ASSISTANT)
    settings_url = f"/cohorts/{cohort.uuid}/"
    client.force_login(second_student)
    page = client.get(HOME).content.decode()
    assert "(you assist)" in page
    assert f"/teach/cohorts/{cohort.uuid}/roster/" in page
    assert f'href="{settings_url}"' not in page
    assert client.get(settings_url).status_code == 403
    client.force_login(cohort_instructor)
    page = client.get(HOME).content.decode()
    assert f'href="{settings_url}"' in page
    assert "(you assist)" not in page
