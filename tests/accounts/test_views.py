import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
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


def outcome(response, client, *typed):
    """What an outsider sees of a sign-up: status, where it leads, and the page there with
    what they typed blanked out."""
    if response.has_header("Location"):
        page = client.get(response["Location"]).content.decode()
    else:
        page = response.content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    for text in typed:
        page = page.replace(text, "TYPED")
    return response.status_code, response.get("Location"), page


def test_signing_up_with_an_email_in_use_looks_the_same_as_with_a_new_one(student):
    new, taken = Client(), Client()
    with_new = signup(new, username="first", email="first@example.org")
    with_taken = signup(taken, username="second", email=student.email.upper())
    assert with_taken.status_code == 302
    assert outcome(with_new, new, "first") == outcome(with_taken, taken, "second")


def test_signing_up_with_an_email_in_use_tells_its_owner(student):
    signup(Client(), username="second", email=student.email)
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [student.email]
    assert '"ada"' in notice.body
    assert '"second"' in notice.body
    assert reverse("password_reset") in notice.body


def test_signing_up_with_a_new_email_sends_no_notice(client):
    signup(client)
    assert mail.outbox == []


def test_a_taken_username_is_refused_the_same_way_whoever_owns_the_email(student):
    with_new_email = signup(Client(), username="ada", email="someone@example.org")
    with_taken_email = signup(Client(), username="ada", email=student.email)
    assert with_new_email.status_code == 400
    assert "already exists" in with_new_email.content.decode()
    assert outcome(with_new_email, Client(), "someone@example.org") == outcome(
        with_taken_email, Client(), student.email
    )
    assert mail.outbox == []


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


def test_profile_saves_the_display_name_without_the_password(client, student):
    client.force_login(student)
    response = client.post(
        reverse("accounts:profile"), {"first_name": "Ada L.", "email": student.email}
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.first_name == "Ada L."


def test_profile_changes_the_email_with_the_password(client, student):
    client.force_login(student)
    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "", "email": "ada@new.example", "password": "pw-ada-12345"},
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.email == "ada@new.example"


@pytest.mark.parametrize("password", ["", "not-my-password"])
def test_profile_keeps_the_email_without_the_right_password(client, student, password):
    client.force_login(student)
    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "Ada L.", "email": "thief@evil.example", "password": password},
    )
    assert response.status_code == 400
    assert "That is not your password. Your e-mail was not changed" in response.content.decode()
    student.refresh_from_db()
    assert (student.first_name, student.email) == ("", "ada@example.org")


def test_wrong_passwords_on_the_profile_count_towards_the_lockout(client, student):
    client.force_login(student)
    for _ in range(5):
        response = client.post(
            reverse("accounts:profile"),
            {"first_name": "", "email": "thief@evil.example", "password": "guess"},
        )
    assert response.status_code == 429
    log_in = Client().post(reverse("login"), {"username": "ada", "password": "pw-ada-12345"})
    assert log_in.status_code == 429


def test_profile_page_is_never_stored_by_a_cache(client, student):
    client.force_login(student)
    response = client.get(reverse("accounts:profile"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_password_reset_link_pages_are_never_stored_by_a_cache(client, student):
    client.post(reverse("password_reset"), {"email": student.email})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    first = client.get(link)
    assert "no-store" in first["Cache-Control"]
    assert "no-store" in client.get(first["Location"])["Cache-Control"]


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


def test_a_rotated_token_stops_working_at_once_and_the_new_one_works(client, student):
    old = Token.objects.create(user=student).key
    api = reverse("api:exercise-submissions", args=["mse-loss"])
    assert Client().get(api, HTTP_AUTHORIZATION=f"Token {old}").status_code != 401
    client.force_login(student)
    page = client.post(reverse("accounts:token_regenerate"), follow=True).content.decode()
    new = Token.objects.get(user=student).key
    assert new in page
    assert "The old one no longer works" in page
    assert Client().get(api, HTTP_AUTHORIZATION=f"Token {old}").status_code == 401
    assert Client().get(api, HTTP_AUTHORIZATION=f"Token {new}").status_code != 401


def test_regenerating_the_token_needs_a_post(client, student):
    client.force_login(student)
    assert client.get(reverse("accounts:token_regenerate")).status_code == 405


def test_regenerating_the_token_needs_the_csrf_token(student):
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
