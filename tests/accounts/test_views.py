import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token

from courses.models import Course
from courses.services import cohort_create, cohort_join

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a-long-Passphrase-42"


def signup(client, **overrides):
    data = {
        "username": "newbie",
        "email": "newbie@example.org",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        **overrides,
    }
    return client.post(reverse("accounts:signup"), data)


def test_sign_up_creates_the_account_and_logs_in(client):
    response = signup(client)
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newbie")
    assert user.email == "newbie@example.org"
    assert client.get(reverse("accounts:profile")).context["user"] == user


def test_sign_up_returns_to_a_safe_next_page(client):
    response = signup(client, next="/join/ABC/")
    assert response["Location"] == "/join/ABC/"


def test_sign_up_ignores_a_next_page_on_another_site(client):
    response = signup(client, next="https://evil.example/")
    assert response["Location"] == reverse("courses:home")


def test_sign_up_applies_the_password_validators(client):
    response = signup(client, password1="123", password2="123")
    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="newbie").exists()
    assert "too short" in response.content.decode()


def test_sign_up_requires_an_email(client):
    response = signup(client, email="")
    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_sign_up_refuses_an_email_already_in_use(client, student):
    response = signup(client, email=student.email.upper())
    assert response.status_code == 400
    assert "already uses this e-mail" in response.content.decode()


def test_log_in_page_links_to_sign_up_and_password_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("accounts:signup") in page
    assert reverse("password_reset") in page


def test_log_out_is_a_post_and_ends_the_session(client, student):
    client.force_login(student)
    response = client.post(reverse("logout"))
    assert response.status_code == 200
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_password_reset_sends_an_email_with_a_working_link(client, student):
    response = client.post(reverse("password_reset"), {"email": student.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [student.email]
    assert message.subject == "Reset your Descent password"
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)
    confirm = client.get(link, follow=True)
    assert confirm.context["validlink"] is True


def test_password_reset_for_an_unknown_email_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_profile_saves_display_name_and_email(client, student):
    client.force_login(student)
    response = client.post(
        reverse("accounts:profile"), {"first_name": "Ada L.", "email": "ada@new.example"}
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert (student.first_name, student.email) == ("Ada L.", "ada@new.example")


def test_profile_refuses_another_accounts_email(client, student, second_student):
    client.force_login(student)
    response = client.post(
        reverse("accounts:profile"), {"first_name": "", "email": second_student.email}
    )
    assert response.status_code == 400
    student.refresh_from_db()
    assert student.email == "ada@example.org"


def test_profile_shows_the_users_api_token(client, student):
    client.force_login(student)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert Token.objects.get(user=student).key in page


def test_regenerating_the_token_replaces_the_old_one(client, student):
    client.force_login(student)
    old = Token.objects.create(user=student).key
    response = client.post(reverse("accounts:token_regenerate"))
    assert response.status_code == 302
    new = Token.objects.get(user=student).key
    assert new != old


def test_regenerating_the_token_needs_a_post(client, student):
    client.force_login(student)
    assert client.get(reverse("accounts:token_regenerate")).status_code == 405


def test_regenerating_the_token_needs_the_csrf_token(student):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert client.post(reverse("accounts:token_regenerate")).status_code == 403


def test_profile_lists_the_users_cohorts_with_their_role(client, student, cohort_instructor):
    course = Course.objects.create(slug="c", title="A course")
    taught = cohort_create(course=course, name="Taught here", created_by=student)
    joined = cohort_create(course=course, name="Studied here", created_by=cohort_instructor)
    cohort_join(cohort=joined, user=student)
    cohort_create(course=course, name="Not mine", created_by=cohort_instructor)
    client.force_login(student)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Taught here" in page
    assert "Studied here" in page
    assert "Not mine" not in page
    assert reverse("courses:cohort_manage", args=[taught.uuid]) in page
    assert reverse("courses:cohort_manage", args=[joined.uuid]) not in page
