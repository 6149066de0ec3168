import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ThrottledRequest
from accounts.throttling import client_address

pytestmark = pytest.mark.django_db

RIGHT = "pw-ada-12345"


def log_in(client, username="ada", password="wrong-guess", address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, times, **kwargs):
    for _ in range(times):
        response = log_in(client, **kwargs)
    return response


def test_a_wrong_password_below_the_limit_is_an_ordinary_form_error(client, student):
    response = fail(client, 4)
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert log_in(client, password=RIGHT).status_code == 302


def test_five_wrong_passwords_lock_the_account(client, student):
    assert fail(client, 5).status_code == 429


def test_the_right_password_is_refused_while_the_account_is_locked(client, student):
    fail(client, 5)
    response = log_in(client, password=RIGHT)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_account_is_locked_from_another_address_too(client, student):
    fail(client, 5, address="10.0.0.1")
    response = log_in(Client(), password=RIGHT, address="192.0.2.77")
    assert response.status_code == 429


def test_the_lockout_page_names_the_time_to_try_again(client, student):
    before = timezone.now()
    response = fail(client, 5)
    after = timezone.now()
    page = response.content.decode()
    # The lockout starts somewhere between the two readings, which may straddle a minute.
    expected = {(t + timedelta(minutes=15)).strftime("%H:%M") for t in (before, after)}
    assert any(f"Try again after {hhmm} UTC" in page for hhmm in expected), expected
    assert "in 15 minutes" in page
    assert 14 * 60 <= int(response["Retry-After"]) <= 15 * 60
    # The site's own page, with its header and styles, not a bare error.
    assert 'class="site-header"' in page
    assert reverse("password_reset") in page


def test_the_named_time_does_not_move_when_the_locked_account_is_tried_again(client, student):
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))
    response = log_in(client, password=RIGHT)
    assert response.status_code == 429
    assert 4 * 60 <= int(response["Retry-After"]) <= 5 * 60


def test_the_lock_lifts_after_the_cool_off(client, student):
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, password=RIGHT).status_code == 302


def test_an_address_is_locked_after_its_own_limit_across_accounts(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for n in range(7):
        assert log_in(client, username=f"someone-{n}").status_code == 200
    assert log_in(client, username="someone-7").status_code == 429
    assert log_in(client, username="someone-8").status_code == 429
    assert log_in(Client(), username="someone-8", address="192.0.2.8").status_code == 200


def test_a_locked_account_does_not_lock_its_classmates_behind_the_same_address(
    client, student, second_student
):
    fail(client, 5)
    other = log_in(Client(), username="alan", password="pw-alan-12345")
    assert other.status_code == 302


def test_a_new_password_from_the_emailed_link_lifts_the_lock(client, student):
    fail(client, 5)
    client.post(reverse("password_reset"), {"email": student.email}, REMOTE_ADDR="10.0.0.1")
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "a-fresh-Passphrase-77"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert log_in(Client(), password=new).status_code == 302


def test_without_a_proxy_the_forwarded_for_header_is_ignored(rf, settings):
    settings.BEHIND_TLS_PROXY = False
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_address(request) == "10.0.0.1"


def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended(rf, settings):
    settings.BEHIND_TLS_PROXY = True
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9"
    )
    assert client_address(request) == "203.0.113.9"


def test_behind_the_proxy_a_malformed_forwarded_for_falls_back_to_the_peer(rf, settings):
    settings.BEHIND_TLS_PROXY = True
    request = rf.get("/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_address(request) == "10.0.0.254"


def sign_up(n, address="10.0.0.1"):
    password = "a-long-Passphrase-42"
    data = {"username": f"new{n}", "email": f"new{n}@example.org"}
    data |= {"password1": password, "password2": password}
    return Client().post(reverse("accounts:signup"), data, REMOTE_ADDR=address)


def test_sign_ups_from_one_address_are_limited(settings):
    settings.SIGNUP_RATE = (3, 3600)
    assert [sign_up(n).status_code for n in range(3)] == [302, 302, 302]
    refused = sign_up(3)
    assert refused.status_code == 429
    assert "Too many sign-ups" in refused.content.decode()
    assert re.search(r"Try again after \d\d:\d\d UTC", refused.content.decode())
    assert int(refused["Retry-After"]) > 3500


def test_the_sign_up_limit_is_per_address(settings):
    settings.SIGNUP_RATE = (1, 3600)
    assert sign_up(0, address="10.0.0.1").status_code == 302
    assert sign_up(1, address="10.0.0.2").status_code == 302


def test_the_sign_up_limit_frees_up_as_the_window_moves(settings):
    settings.SIGNUP_RATE = (1, 3600)
    sign_up(0)
    ThrottledRequest.objects.update(at=timezone.now() - timedelta(hours=1, seconds=1))
    assert sign_up(1).status_code == 302


def test_password_reset_requests_from_one_address_are_limited(client, settings, student):
    settings.PASSWORD_RESET_RATE = (2, 3600)
    url = reverse("password_reset")
    statuses = [client.post(url, {"email": student.email}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_reset_emails_to_one_inbox_stop_after_three_an_hour_whatever_the_address(student):
    for n in range(5):
        response = Client().post(
            reverse("password_reset"), {"email": student.email}, REMOTE_ADDR=f"10.0.1.{n}"
        )
        assert response.status_code == 302  # the same answer whether or not it was sent
    assert len(mail.outbox) == 3
