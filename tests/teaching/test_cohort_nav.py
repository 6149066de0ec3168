"""The bar on a cohort's staff pages and the header's account menu: each links what its
viewer may use, marks where they are, and nothing more."""

import pytest
from django.urls import reverse

from courses.models import Membership
from tests.conftest import person

pytestmark = pytest.mark.django_db

PAGES = ["cohort", "schedule", "roster", "review_queue", "announcements"]


def nav_of(page: str) -> str:
    start = page.index('<nav class="cohort-nav"')
    return page[start : page.index("</nav>", start)]


@pytest.fixture
def assistant(cohort):
    user = person("tom")
    Membership.objects.create(cohort=cohort, user=user, role=Membership.Role.ASSISTANT)
    return user


@pytest.mark.parametrize("name", PAGES)
def test_every_staff_page_links_the_others_and_marks_itself(
    client, cohort, cohort_instructor, name
):
    client.force_login(cohort_instructor)
    page = client.get(reverse(f"teaching:{name}", args=[cohort.uuid])).content.decode()
    nav = nav_of(page)
    for other in PAGES:
        assert f'href="{reverse(f"teaching:{other}", args=[cohort.uuid])}"' in nav
    assert reverse("courses:cohort_manage", args=[cohort.uuid]) in nav
    assert reverse("teaching:gradebook", args=[cohort.uuid]) in nav
    current = f'href="{reverse(f"teaching:{name}", args=[cohort.uuid])}" aria-current="page"'
    assert current in nav
    assert nav.count('aria-current="page"') == 1


def test_an_assistant_is_not_offered_the_settings(client, cohort, assistant):
    client.force_login(assistant)
    page = client.get(reverse("teaching:roster", args=[cohort.uuid])).content.decode()
    nav = nav_of(page)
    assert reverse("teaching:schedule", args=[cohort.uuid]) in nav
    assert f'href="{reverse("courses:cohort_manage", args=[cohort.uuid])}"' not in nav
    assert "Join code and settings" not in nav


def test_the_settings_page_carries_the_bar_too(client, cohort, cohort_instructor):
    client.force_login(cohort_instructor)
    page = client.get(reverse("courses:cohort_manage", args=[cohort.uuid])).content.decode()
    assert 'aria-current="page">Join code and settings' in nav_of(page)


def test_open_review_requests_are_counted_on_the_bar(
    client, cohort, cohort_instructor, student, exercise
):
    from grading.feedback import review_request
    from tests.factories import SubmissionFactory

    submission = SubmissionFactory(student=student, exercise=exercise, state="done", score=1.0)
    review_request(submission=submission, student=student, message="Line 3 is right, I think.")
    client.force_login(cohort_instructor)
    page = client.get(reverse("teaching:cohort", args=[cohort.uuid])).content.decode()
    assert 'Reviews <span class="badge">1<span class="visually-hidden"> open</span>' in nav_of(page)


def test_the_account_menu_offers_profile_password_and_log_out(client, student, cohort):
    client.force_login(student)
    page = client.get(reverse("courses:home")).content.decode()
    menu = page[page.index('<details class="account-menu">') : page.index("</details>")]
    assert reverse("accounts:profile") in menu
    assert reverse("password_change") in menu
    assert reverse("logout") in menu
    assert reverse("admin:index") not in menu


def test_staff_find_the_site_administration_in_the_menu(client, db):
    staff = person("root", is_staff=True)
    client.force_login(staff)
    page = client.get(reverse("courses:home")).content.decode()
    assert reverse("admin:index") in page
