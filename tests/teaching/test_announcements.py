"""Announcements: an instructor posts to a cohort, its students see it on the course page
until they dismiss it, the e-mails go out once to the current students with an address,
bad input gets a clear message and stores nothing, and each role gets exactly its share:
the instructor posts and withdraws, an assistant reads, another cohort's instructor and a
student get 403, a student dismisses only what was posted to them."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from courses import announcements
from courses.models import Announcement, AnnouncementDismissal, Membership
from courses.services import cohort_join
from tests.conftest import person

pytestmark = pytest.mark.django_db


def url(name, cohort):
    return reverse(f"teaching:{name}", args=[cohort.uuid])


def course_url(cohort):
    return reverse("courses:course", args=[cohort.course.slug])


@pytest.fixture
def assistant(cohort):
    user = person("tom")
    Membership.objects.create(cohort=cohort, user=user, role=Membership.Role.ASSISTANT)
    return user


def post(client, cohort, title="Office hours move", body="Now **Thursday** at 4pm.", **extra):
    return client.post(
        url("announcement_post", cohort), {"title": title, "body": body, **extra}, follow=True
    )


def posted(cohort, cohort_instructor, title="Office hours move", email=False) -> Announcement:
    return announcements.announcement_post(
        cohort=cohort, author=cohort_instructor, title=title, body="Room 4.", email=email
    )


def test_the_instructor_posts_and_every_student_of_the_cohort_sees_it(
    client, cohort, cohort_instructor, student, second_student
):
    client.force_login(cohort_instructor)
    response = post(client, cohort)
    assert response.status_code == 200
    assert "Posted: the students see it on the course page." in response.content.decode()
    announcement = Announcement.objects.get()
    assert (announcement.cohort, announcement.author) == (cohort, cohort_instructor)
    assert "<strong>Thursday</strong>" in announcement.body_html
    for who in (student, second_student):
        client.force_login(who)
        page = client.get(course_url(cohort)).content.decode()
        assert "Office hours move" in page
        assert "<strong>Thursday</strong>" in page


def test_a_student_of_another_cohort_and_a_visitor_do_not_see_it(
    client, cohort, other_cohort, cohort_instructor
):
    posted(cohort, cohort_instructor)
    outsider = person("olga")
    cohort_join(cohort=other_cohort, user=outsider)
    client.force_login(outsider)
    assert "Office hours move" not in client.get(course_url(cohort)).content.decode()
    client.logout()
    assert "Office hours move" not in client.get(course_url(cohort)).content.decode()


def test_dismissing_takes_it_off_that_students_page_only(
    client, cohort, cohort_instructor, student, second_student
):
    announcement = posted(cohort, cohort_instructor)
    client.force_login(student)
    dismiss = reverse("courses:announcement_dismiss", args=[announcement.uuid])
    response = client.post(dismiss)
    assert response.status_code == 302
    assert response["Location"] == course_url(cohort) + "#announcements"
    assert "Office hours move" not in client.get(course_url(cohort)).content.decode()
    # Twice is harmless.
    assert client.post(dismiss).status_code == 302
    assert AnnouncementDismissal.objects.filter(announcement=announcement).count() == 1
    client.force_login(second_student)
    assert "Office hours move" in client.get(course_url(cohort)).content.decode()
    # The instructor's page counts who has put it away.
    client.force_login(cohort_instructor)
    page = client.get(url("announcements", cohort)).content.decode()
    assert "dismissed by 1 of 2 students" in page


def test_a_student_cannot_dismiss_what_was_not_posted_to_them(
    client, cohort, other_cohort, cohort_instructor
):
    announcement = posted(cohort, cohort_instructor)
    outsider = person("olga")
    cohort_join(cohort=other_cohort, user=outsider)
    client.force_login(outsider)
    dismiss = reverse("courses:announcement_dismiss", args=[announcement.uuid])
    assert client.post(dismiss).status_code == 404
    assert client.get(dismiss).status_code == 405
    assert not AnnouncementDismissal.objects.exists()


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("", "Room 4.", "This field is required."),
        ("   ", "Room 4.", "This field is required."),
        ("Room", "", "This field is required."),
        ("x" * 201, "Room 4.", "at most 200 characters"),
        ("Room", "y" * 10_001, "at most 10000 characters"),
    ],
)
def test_bad_input_says_what_to_change_and_stores_nothing(
    client, cohort, cohort_instructor, title, body, message
):
    client.force_login(cohort_instructor)
    response = post(client, cohort, title=title, body=body)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Announcement.objects.exists()
    # What was typed is still in the form.
    if body.strip():
        assert body[:50] in response.content.decode()


def test_the_service_refuses_blank_text_and_keeps_no_control_characters(cohort, cohort_instructor):
    with pytest.raises(ValueError, match="title is empty"):
        announcements.announcement_post(
            cohort=cohort, author=cohort_instructor, title=" \n\t ", body="x", email=False
        )
    kept = announcements.announcement_post(
        cohort=cohort, author=cohort_instructor, title="A\x00B\x1b[2J", body="x", email=False
    )
    assert "\x00" not in kept.title
    assert "\x1b" not in kept.title


def test_script_in_the_body_is_not_kept(client, cohort, cohort_instructor, student):
    client.force_login(cohort_instructor)
    post(client, cohort, body="Hi <script>alert(1)</script> [x](javascript:alert(2))")
    html = Announcement.objects.get().body_html
    assert "<script" not in html
    assert "javascript:" not in html


def test_a_loop_of_posts_stops_at_the_daily_limit(client, cohort, cohort_instructor):
    for index in range(announcements.PER_COHORT_PER_DAY):
        posted(cohort, cohort_instructor, title=f"Note {index}")
    client.force_login(cohort_instructor)
    response = post(client, cohort, title="One more")
    assert response.status_code == 400
    assert "announcements in the last day" in response.content.decode()
    assert Announcement.objects.count() == announcements.PER_COHORT_PER_DAY


def test_the_staff_page_lists_the_newest_first(client, cohort, cohort_instructor):
    for index in range(3):
        a = posted(cohort, cohort_instructor, title=f"Note number {index}")
        Announcement.objects.filter(pk=a.pk).update(
            created_at=timezone.now() - timezone.timedelta(minutes=60 - index)
        )
    client.force_login(cohort_instructor)
    page = client.get(url("announcements", cohort)).content.decode()
    positions = [page.index(f"Note number {index}") for index in (2, 1, 0)]
    assert positions == sorted(positions)
    assert "E-mail it to the students" in page


def test_the_course_page_shows_the_newest_few(client, cohort, cohort_instructor, student):
    for index in range(announcements.SHOWN_ON_HOME + 2):
        a = posted(cohort, cohort_instructor, title=f"Note number {index}")
        Announcement.objects.filter(pk=a.pk).update(
            created_at=timezone.now() - timezone.timedelta(minutes=60 - index)
        )
    client.force_login(student)
    page = client.get(course_url(cohort)).content.decode()
    assert page.count('class="card announcement"') == announcements.SHOWN_ON_HOME
    assert "Note number 6" in page
    assert "Note number 0" not in page


# E-mail --------------------------------------------------------------------------------


def test_the_mails_go_once_to_the_current_students_with_an_address(
    cohort, cohort_instructor, student, second_student, assistant
):
    archived = person("arch")
    cohort_join(cohort=cohort, user=archived)
    Membership.objects.filter(user=archived).update(archived_at=timezone.now())
    silent = person("nomail")
    silent.email = ""
    silent.save()
    cohort_join(cohort=cohort, user=silent)
    announcement = posted(cohort, cohort_instructor, title="Exam\nroom", email=True)
    sent = announcements.mail_announcement(announcement.pk, "https://descent.example/")
    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([student.email, second_student.email])
    message = mail.outbox[0]
    assert message.subject == "[Tuesday group] Exam room"
    assert "Room 4." in message.body
    assert "https://descent.example" + course_url(cohort) in message.body
    announcement.refresh_from_db()
    assert announcement.emailed_count == 2
    assert announcement.emailed_at is not None
    # A redelivered task finds it sent.
    assert announcements.mail_announcement(announcement.pk, "") == 0
    assert len(mail.outbox) == 2


def test_an_announcement_not_asked_to_be_mailed_is_not(cohort, cohort_instructor, student):
    announcement = posted(cohort, cohort_instructor, email=False)
    assert announcements.mail_announcement(announcement.pk, "") == 0
    assert mail.outbox == []


@override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
def test_without_mail_configured_nothing_is_sent(cohort, cohort_instructor, student):
    announcement = posted(cohort, cohort_instructor, email=True)
    assert announcements.mail_announcement(announcement.pk, "") == 0


def test_posting_with_email_queues_the_task_on_the_broker(
    client, cohort, cohort_instructor, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        announcements.current_app,
        "send_task",
        lambda name, args, **options: sent.append((name, args)),
    )
    client.force_login(cohort_instructor)
    response = post(client, cohort, email="on")
    assert "the e-mails are on their way" in response.content.decode()
    announcement = Announcement.objects.get()
    assert sent == [(announcements.MAIL_TASK, [announcement.pk, "http://testserver/"])]


def test_a_broker_that_refuses_leaves_it_posted_and_offers_to_retry(
    client, cohort, cohort_instructor, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(announcements.current_app, "send_task", refuse)
    client.force_login(cohort_instructor)
    page = post(client, cohort, email="on").content.decode()
    assert "could not be queued" in page
    assert Announcement.objects.count() == 1
    assert "Queue its e-mail again" in page
    assert "e-mail waiting to be sent" in page


def test_the_mail_task_is_routed_to_the_outbound_queue():
    from django.conf import settings

    from courses import tasks

    assert tasks.mail_announcement.name == announcements.MAIL_TASK
    assert settings.CELERY_TASK_ROUTES[announcements.MAIL_TASK] == {"queue": "outbound"}


# Who may do what -----------------------------------------------------------------------


def test_an_assistant_reads_the_list_but_cannot_post_mail_or_withdraw(
    client, cohort, cohort_instructor, assistant
):
    announcement = posted(cohort, cohort_instructor)
    client.force_login(assistant)
    page = client.get(url("announcements", cohort))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Office hours move" in text
    assert "Post an announcement" not in text
    assert "Withdraw" not in text
    assert post(client, cohort, title="Mine").status_code == 403
    action = {"announcement": str(announcement.uuid)}
    assert client.post(url("announcement_mail", cohort), action).status_code == 403
    assert client.post(url("announcement_withdraw", cohort), action).status_code == 403
    assert list(Announcement.objects.all()) == [announcement]


def test_a_student_and_another_cohorts_instructor_get_403(
    client, cohort, cohort_instructor, student, other_instructor
):
    announcement = posted(cohort, cohort_instructor)
    action = {"announcement": str(announcement.uuid)}
    for who in (student, other_instructor):
        client.force_login(who)
        assert client.get(url("announcements", cohort)).status_code == 403
        assert post(client, cohort).status_code == 403
        assert client.post(url("announcement_withdraw", cohort), action).status_code == 403
    assert Announcement.objects.count() == 1


def test_an_instructor_cannot_withdraw_another_cohorts_announcement(
    client, cohort, other_cohort, cohort_instructor, other_instructor
):
    theirs = posted(other_cohort, other_instructor, title="Theirs")
    client.force_login(cohort_instructor)
    action = {"announcement": str(theirs.uuid)}
    assert client.post(url("announcement_withdraw", cohort), action).status_code == 404
    assert client.post(url("announcement_withdraw", cohort), {"announcement": "x"}).status_code == (
        404
    )
    assert Announcement.objects.filter(pk=theirs.pk).exists()


def test_withdrawing_takes_it_off_the_course_page(client, cohort, cohort_instructor, student):
    announcement = posted(cohort, cohort_instructor)
    client.force_login(cohort_instructor)
    response = client.post(
        url("announcement_withdraw", cohort), {"announcement": str(announcement.uuid)}, follow=True
    )
    assert "Withdrew “Office hours move”" in response.content.decode()
    client.force_login(student)
    assert "Office hours move" not in client.get(course_url(cohort)).content.decode()


def test_mailing_again_is_for_an_announcement_not_yet_mailed(
    client, cohort, cohort_instructor, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        announcements.current_app, "send_task", lambda name, args, **o: sent.append(args)
    )
    announcement = posted(cohort, cohort_instructor)
    client.force_login(cohort_instructor)
    action = {"announcement": str(announcement.uuid)}
    page = client.post(url("announcement_mail", cohort), action, follow=True).content.decode()
    assert "are on their way" in page
    assert sent == [[announcement.pk, "http://testserver/"]]
    assert announcements.mail_announcement(announcement.pk, "") >= 0
    page = client.post(url("announcement_mail", cohort), action, follow=True).content.decode()
    assert "already been e-mailed" in page
    assert len(sent) == 1


# The mailing when things go wrong -------------------------------------------------------


class FlakyBackend:
    """A mail connection that refuses some addresses and can drop the line after a few."""

    refuse: set = set()
    fail_after: int | None = None
    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        import smtplib

        for message in messages:
            if FlakyBackend.fail_after is not None and len(FlakyBackend.sent) >= (
                FlakyBackend.fail_after
            ):
                raise ConnectionResetError("the server hung up")
            if message.to[0] in FlakyBackend.refuse:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
            FlakyBackend.sent.append(message.to[0])
        return len(messages)


@pytest.fixture
def flaky(monkeypatch):
    FlakyBackend.refuse, FlakyBackend.fail_after, FlakyBackend.sent = set(), None, []
    monkeypatch.setattr(announcements.mail, "get_connection", FlakyBackend)
    return FlakyBackend


@pytest.fixture
def many(cohort):
    people = [person(f"pupil{index}") for index in range(4)]
    for user in people:
        cohort_join(cohort=cohort, user=user)
    return people


def test_a_refused_address_is_skipped_and_named(cohort, cohort_instructor, many, flaky):
    flaky.refuse = {many[1].email}
    announcement = posted(cohort, cohort_instructor, email=True)
    assert announcements.mail_announcement(announcement.pk, "") == 5  # 6 students, 1 refused
    announcement.refresh_from_db()
    assert announcement.emailed_at is not None
    assert announcement.emailed_count == 5
    assert many[1].email in announcement.mail_problem
    assert many[1].email not in flaky.sent


def test_a_mailing_cut_short_resumes_where_it_stopped(
    client, cohort, cohort_instructor, many, flaky, monkeypatch
):
    flaky.fail_after = 2
    announcement = posted(cohort, cohort_instructor, email=True)
    assert announcements.mail_announcement(announcement.pk, "") == 2
    announcement.refresh_from_db()
    assert announcement.emailed_at is None
    assert announcement.emailed_count == 2
    assert "stopped after 2 e-mails: the server hung up" in announcement.mail_problem
    # The page says so and offers to carry on.
    monkeypatch.setattr(announcements.current_app, "send_task", lambda *a, **k: None)
    client.force_login(cohort_instructor)
    page = client.get(url("announcements", cohort)).content.decode()
    assert "stopped after 2 e-mails" in page
    assert "Queue its e-mail again" in page
    first = list(flaky.sent)
    flaky.fail_after = None
    action = {"announcement": str(announcement.uuid)}
    assert client.post(url("announcement_mail", cohort), action).status_code == 302
    assert announcements.mail_announcement(announcement.pk, "") == 4
    assert sorted(flaky.sent) == sorted(set(flaky.sent))  # nobody twice
    assert len(flaky.sent) == 6
    assert set(first) < set(flaky.sent)
    announcement.refresh_from_db()
    assert (announcement.emailed_count, announcement.mail_problem) == (6, "")


def test_a_second_delivery_of_the_task_waits_for_the_first_unless_it_died(
    cohort, cohort_instructor, many, flaky
):
    announcement = posted(cohort, cohort_instructor, email=True)
    # A worker holds the claim right now: a redelivered message leaves it alone.
    Announcement.objects.filter(pk=announcement.pk).update(mail_started_at=timezone.now())
    assert announcements.mail_announcement(announcement.pk, "") == 0
    # A claim older than CLAIM_FOR is a worker that died: taken over.
    Announcement.objects.filter(pk=announcement.pk).update(
        mail_started_at=timezone.now() - announcements.CLAIM_FOR - timezone.timedelta(seconds=1)
    )
    assert announcements.mail_announcement(announcement.pk, "") == 6


@override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
def test_without_mail_the_page_offers_none(client, cohort, cohort_instructor):
    client.force_login(cohort_instructor)
    page = client.get(url("announcements", cohort)).content.decode()
    assert "Also e-mail it" not in page
    assert "This site sends no e-mail" in page
    post(client, cohort, email="on")
    announcement = Announcement.objects.get()
    assert announcement.email_requested is False
    page = client.get(url("announcements", cohort)).content.decode()
    assert "not e-mailed" in page
    assert "E-mail it to the students" not in page


def test_every_button_submits_its_own_form(client, cohort, cohort_instructor, monkeypatch):
    """Each action sits in a form of its own, closed before the next begins (an unclosed
    form once made "Withdraw" post the draft in the form above it)."""
    from html.parser import HTMLParser

    class Forms(HTMLParser):
        def __init__(self):
            super().__init__()
            self.action, self.opened, self.buttons = None, 0, []

        def handle_starttag(self, tag, attrs):
            if tag == "form":
                assert self.action is None, "a form inside a form"
                self.action, self.opened = dict(attrs)["action"], self.opened + 1
            if tag == "button":
                self.buttons.append(self.action)

        def handle_endtag(self, tag):
            if tag == "form":
                self.action = None

    posted(cohort, cohort_instructor)
    client.force_login(cohort_instructor)
    forms = Forms()
    forms.feed(client.get(url("announcements", cohort)).content.decode())
    actions = [action.split("#")[0] if action else action for action in forms.buttons]
    assert url("announcement_post", cohort) in actions
    assert url("announcement_mail", cohort) in actions
    assert url("announcement_withdraw", cohort) in actions


def test_an_archived_student_is_no_longer_told(client, cohort, cohort_instructor, student):
    Membership.objects.filter(cohort=cohort, user=student).update(archived_at=timezone.now())
    announcement = posted(cohort, cohort_instructor)
    client.force_login(student)
    assert "Office hours move" not in client.get(course_url(cohort)).content.decode()
    dismiss = reverse("courses:announcement_dismiss", args=[announcement.uuid])
    assert client.post(dismiss).status_code == 404


def test_dismissals_are_counted_among_current_students(
    client, cohort, cohort_instructor, student, second_student
):
    announcement = posted(cohort, cohort_instructor)
    AnnouncementDismissal.objects.create(announcement=announcement, user=student)
    Membership.objects.filter(cohort=cohort, user=student).update(archived_at=timezone.now())
    client.force_login(cohort_instructor)
    page = client.get(url("announcements", cohort)).content.decode()
    assert "dismissed by 0 of 1 student ·" in page


def test_a_student_in_two_cohorts_of_the_course_hears_from_both(
    client, cohort, other_cohort, cohort_instructor, other_instructor, student
):
    cohort_join(cohort=other_cohort, user=student)
    posted(cohort, cohort_instructor, title="From Tuesday")
    posted(other_cohort, other_instructor, title="From Thursday")
    client.force_login(student)
    page = client.get(course_url(cohort)).content.decode()
    assert "From Tuesday" in page
    assert "From Thursday" in page


# The role matrix: anonymous, a student, the assistant, another cohort's instructor, the
# instructor, staff; the page and each change, made or refused with nothing changed.

PEOPLE = [
    "anonymous",
    "student",
    "assistant",
    "other_instructor",
    "cohort_instructor",
    "instructor",
]
MAY_READ = {"assistant", "cohort_instructor", "instructor"}
MAY_CHANGE = {"cohort_instructor", "instructor"}
CHANGES = ["announcement_post", "announcement_mail", "announcement_withdraw"]


def _as(who, request):
    from django.test import Client

    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    return client


def _state():
    return sorted(Announcement.objects.values_list("title", "email_requested", "mail_started_at"))


@pytest.fixture
def matrix(cohort, cohort_instructor, assistant, other_cohort, monkeypatch):
    monkeypatch.setattr(announcements.current_app, "send_task", lambda *a, **k: None)
    announcement = posted(cohort, cohort_instructor, title="Standing")
    return {
        "announcement_post": {"title": "New one", "body": "Text."},
        "announcement_mail": {"announcement": str(announcement.uuid)},
        "announcement_withdraw": {"announcement": str(announcement.uuid)},
    }


@pytest.mark.parametrize("who", PEOPLE)
def test_matrix_the_page(who, request, cohort, matrix):
    response = _as(who, request).get(url("announcements", cohort))
    if who == "anonymous":
        assert response.status_code == 302
    elif who in MAY_READ:
        assert response.status_code == 200
        assert ("Post an announcement" in response.content.decode()) is (who in MAY_CHANGE)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("who", PEOPLE)
def test_matrix_each_change(who, change, request, cohort, matrix):
    before = _state()
    response = _as(who, request).post(url(change, cohort), matrix[change])
    if who in MAY_CHANGE:
        assert response.status_code == 302
        assert response["Location"] == url("announcements", cohort)
        assert _state() != before
    else:
        assert response.status_code == (302 if who == "anonymous" else 403)
        assert _state() == before
