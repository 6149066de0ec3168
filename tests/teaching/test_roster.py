"""The roster: invitations from a pasted list or a CSV file (bad addresses, duplicates and
existing accounts, each with its message, and the e-mails sent), the invitation link
(anonymous, confirm, accept, reuse), archiving and restoring students (their work kept,
off the dashboard and the gradebook), the assistant role, and the role matrix: what a
student, an assistant, another cohort's instructor, the instructor and staff may do."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses import roster
from courses.models import Invitation, LessonProgress, Membership
from grading.models import Submission
from tests.conftest import person
from tests.factories import UserFactory

from .conftest import attempt_quiz, read, student_member, submit

pytestmark = pytest.mark.django_db

STUDENT, ASSISTANT, INSTRUCTOR = (
    Membership.Role.STUDENT,
    Membership.Role.ASSISTANT,
    Membership.Role.INSTRUCTOR,
)


def url(name, cohort):
    return reverse(f"teaching:{name}", args=[cohort.uuid])


def invitation_url(invitation):
    return reverse("invitations:accept", args=[invitation.token])


@pytest.fixture
def assistant(cohort):
    user = person("tom")
    Membership.objects.create(cohort=cohort, user=user, role=ASSISTANT)
    return user


@pytest.fixture
def kim(db):
    """An account with no place in the cohort yet."""
    return UserFactory(username="kim", email="kim@example.org")


def pending(cohort, email="new@example.org", role=STUDENT, **fields):
    """An invitation sent an hour ago (so "Resend" is open)."""
    fields.setdefault("sent_at", timezone.now() - timedelta(hours=1))
    return Invitation.objects.create(cohort=cohort, email=email, role=role, **fields)


def post_list(client, cohort, text="", role=STUDENT, upload=None, follow=True):
    data = {"addresses": text, "role": role}
    if upload is not None:
        data["csv_file"] = upload
    return client.post(url("roster_invite", cohort), data, follow=follow)


def csv_file(content, name="class.csv"):
    data = content if isinstance(content, bytes) else content.encode()
    return SimpleUploadedFile(name, data, content_type="text/csv")


def report_of(response) -> dict:
    """The report the page shows after the redirect, as {address: message} per group."""
    report = response.context["report"]
    assert report is not None
    return {g["key"]: {i["address"]: i["message"] for i in g["items"]} for g in report["groups"]}


def report_at(response) -> dict:
    report = response.context["report"]
    return {
        g["key"]: {(i["where"], i["address"]): i["message"] for i in g["items"]}
        for g in report["groups"]
    }


# Reading a list -----------------------------------------------------------------------------


def test_a_pasted_list_splits_on_commas_semicolons_spaces_and_lines():
    text = "a@x.org, b@x.org;c@x.org d@x.org\n\ne@x.org\r\n\tf@x.org"
    assert [c.text for c in roster.parse_text(text)] == [
        "a@x.org",
        "b@x.org",
        "c@x.org",
        "d@x.org",
        "e@x.org",
        "f@x.org",
    ]


def test_a_pasted_list_reads_the_name_and_address_form():
    text = 'Ada Lovelace <ada@x.org>, "Hopper, Grace" <grace@x.org>; <alan@x.org>\nmailto:eve@x.org'
    candidates = roster.parse_text(text)
    assert [c.text for c in candidates] == ["ada@x.org", "grace@x.org", "alan@x.org", "eve@x.org"]
    assert [c.where for c in candidates] == ["line 1", "line 1", "line 1", "line 2"]


def test_words_with_no_address_are_reported_not_dropped():
    candidates = roster.parse_text("Ada Lovelace\nbob@x.org")
    assert candidates[0] == roster.Candidate("Ada Lovelace", "line 1", is_address=False)


def test_a_csv_file_is_read_from_its_email_column_whatever_its_case():
    data = b"Name,E-Mail,Group\nAda,ada@x.org,1\nBob,Bob <bob@x.org>,2\n"
    assert [(c.text, c.where) for c in roster.parse_csv(data)] == [
        ("ada@x.org", "row 2"),
        ("bob@x.org", "row 3"),
    ]


def test_without_an_email_column_the_first_column_of_addresses_is_read():
    data = "\ufeffStudent;Mail;Note\nAda;ada@x.org;x\nBob;bob@x.org;y\n".encode()
    assert [c.text for c in roster.parse_csv(data)] == ["ada@x.org", "bob@x.org"]


def test_a_headerless_file_of_addresses_is_read_from_the_first_row():
    assert [c.text for c in roster.parse_csv(b"ada@x.org\nbob@x.org\n")] == [
        "ada@x.org",
        "bob@x.org",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"email\n" + b"a" * (1024 * 1024), "over 1 MiB"),
        (b"email\n" + b"a@x.org\n" * 2001, "more than 2,000 rows"),
        ("email\nzoë@x.org\n".encode("latin-1"), "not UTF-8"),
        (b"name,group\nAda,1\n", "No column of e-mail addresses"),
        (b"email\na@x.org\x00\n", "NUL"),
        (b"\n\n", "empty"),
    ],
)
def test_a_file_is_refused_whole(data, message):
    with pytest.raises(roster.InputRefused, match=message):
        roster.parse_csv(data)


def test_a_file_of_exactly_2000_rows_is_read():
    assert len(roster.parse_csv(b"email\n" + b"a@x.org\n" * 2000)) == 2000


# Inviting -----------------------------------------------------------------------------------


def test_new_addresses_are_invited_and_each_emailed_its_own_link(instructor_client, cohort):
    response = post_list(instructor_client, cohort, "Ann <ann@example.org>, Ben@Example.org")
    assert response.redirect_chain[-1][0].endswith(url("roster", cohort) + "#report")
    invitations = {i.email: i for i in Invitation.objects.filter(cohort=cohort)}
    assert set(invitations) == {"ann@example.org", "ben@example.org"}
    assert all(i.role == STUDENT and i.accepted_at is None for i in invitations.values())
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "ben@example.org"]
    for message in mail.outbox:
        token = invitations[message.to[0]].token
        assert f"http://testserver/invitations/{token}/" in message.body
        assert "Tuesday group" in message.subject
        assert "grace invites you" in message.body
    assert report_of(response)["invited"] == {
        "ann@example.org": "e-mailed a join link",
        "ben@example.org": "e-mailed a join link",
    }
    page = response.content.decode()
    assert "2 invited." in page
    assert "ann@example.org" in page  # in the pending list and the report


def test_bad_addresses_are_reported_and_the_good_ones_go_through(instructor_client, cohort):
    response = post_list(instructor_client, cohort, "ok@example.org\nada@\nfoo bar\nx@y@z.org")
    report = report_at(response)
    assert report["invalid"] == {
        ("line 2", "ada@"): "not a valid e-mail address",
        ("line 3", "foo bar"): "no e-mail address here",
        ("line 4", "x@y@z.org"): "not a valid e-mail address",
    }
    assert list(Invitation.objects.values_list("email", flat=True)) == ["ok@example.org"]
    assert len(mail.outbox) == 1
    assert "3 not valid" in response.content.decode()


def test_duplicates_are_reported_with_why(instructor_client, cohort, student):
    pending(cohort, "waiting@example.org")
    response = post_list(
        instructor_client,
        cohort,
        # student "ada" has ada@example.org; "twice" is repeated in another case.
        "twice@example.org\nWaiting@example.org, ADA@example.org\nTWICE@example.org",
    )
    duplicates = report_at(response)["duplicates"]
    assert duplicates[("line 3", "TWICE@example.org")] == "repeated in the list (first on line 1)"
    assert duplicates[("line 2", "Waiting@example.org")].startswith("already invited on ")
    assert "Resend" in duplicates[("line 2", "Waiting@example.org")]
    assert duplicates[("line 2", "ADA@example.org")] == "already in the cohort as student (ada)"
    assert Invitation.objects.filter(cohort=cohort).count() == 2  # waiting + twice
    assert [m.to for m in mail.outbox] == [["twice@example.org"]]


def test_an_accepted_invitation_and_an_archived_student_are_duplicates(
    instructor_client, cohort, student, second_student
):
    pending(cohort, "done@example.org", accepted_at="2026-01-05T10:00Z", accepted_by=student)
    roster.archive(membership=student_member(cohort, second_student))
    response = post_list(instructor_client, cohort, "done@example.org alan@example.org")
    duplicates = report_of(response)["duplicates"]
    assert duplicates["done@example.org"] == "already invited, and accepted by ada"
    assert "archived student" in duplicates["alan@example.org"]
    assert "restore" in duplicates["alan@example.org"]
    assert not mail.outbox


def test_an_existing_account_is_added_at_once_and_told(instructor_client, cohort, kim):
    response = post_list(instructor_client, cohort, "Kim@EXAMPLE.org")
    membership = Membership.objects.get(cohort=cohort, user=kim)
    assert membership.role == STUDENT
    assert membership.archived_at is None
    assert report_of(response)["linked"] == {
        "kim@example.org": "added as kim, their account here, and told by e-mail"
    }
    # Recorded as an accepted invitation, so nothing is left pending.
    invitation = Invitation.objects.get(cohort=cohort)
    assert invitation.accepted_by == kim
    assert invitation.invited_by.username == "grace"
    assert not response.context["roster"].pending
    [message] = mail.outbox
    assert message.to == ["kim@example.org"]
    assert "You were added to “Tuesday group”" in message.subject
    assert (
        "http://testserver" + reverse("courses:course", args=[cohort.course.slug]) in message.body
    )


def test_an_assistant_is_always_sent_a_link_even_with_an_account(instructor_client, cohort, kim):
    # Sign-up does not verify addresses: linking would let anyone who opened an account
    # under this address see the cohort's work.
    response = post_list(instructor_client, cohort, "kim@example.org", role=ASSISTANT)
    assert not Membership.objects.filter(cohort=cohort, user=kim).exists()
    invitation = Invitation.objects.get(cohort=cohort)
    assert invitation.role == ASSISTANT
    assert invitation.accepted_at is None
    assert "as a teaching assistant" in mail.outbox[0].body
    assert "kim@example.org" in report_of(response)["invited"]


def test_an_address_shared_by_two_accounts_gets_a_link(instructor_client, cohort, kim):
    UserFactory(username="kim2", email="KIM@example.org")
    post_list(instructor_client, cohort, "kim@example.org")
    assert not Membership.objects.filter(cohort=cohort, user__username__startswith="kim").exists()
    assert Invitation.objects.get(cohort=cohort).accepted_at is None


def test_a_csv_upload_invites_reports_bad_rows_and_duplicates(instructor_client, cohort, kim):
    upload = csv_file(
        "Name,Email\nAnn,ann@example.org\nNo address,\nBad,ann@\nKim,kim@example.org\n"
        "Ann again,ANN@example.org\n"
    )
    response = post_list(instructor_client, cohort, upload=upload)
    report = report_at(response)
    assert report["invited"] == {("row 2", "ann@example.org"): "e-mailed a join link"}
    assert report["linked"] == {
        ("row 5", "kim@example.org"): "added as kim, their account here, and told by e-mail"
    }
    assert report["invalid"] == {
        ("row 3", ""): "the e-mail cell is empty",
        ("row 4", "ann@"): "not a valid e-mail address",
    }
    assert report["duplicates"] == {
        ("row 6", "ANN@example.org"): "repeated in the list (first on row 2)"
    }
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"email\n" + b"a@x.org," * 150_000, "over 1 MiB"),
        (b"email\n" + b"a@x.org\n" * 2001, "more than 2,000 rows"),
        ("email\nzoë@x.org\n".encode("cp1252"), "not UTF-8"),
    ],
)
def test_a_refused_file_invites_nobody_and_says_why(instructor_client, cohort, content, message):
    response = post_list(
        instructor_client, cohort, "also@example.org", upload=csv_file(content), follow=False
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    # The pasted text is kept in the form, and nothing was done for it either.
    assert "also@example.org" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_a_pasted_list_over_2000_addresses_is_refused_whole(instructor_client, cohort):
    text = "\n".join(f"p{n}@example.org" for n in range(2001))
    response = post_list(instructor_client, cohort, text, follow=False)
    assert response.status_code == 400
    assert "more than 2,000 addresses at once" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_file_with_no_addresses_says_so_at_the_file(instructor_client, cohort):
    response = post_list(instructor_client, cohort, upload=csv_file("email\n"), follow=False)
    assert response.status_code == 400
    assert response.context["form"].errors["csv_file"] == ["No e-mail addresses were found."]


def test_an_empty_form_is_refused(instructor_client, cohort):
    response = post_list(instructor_client, cohort, "  ", follow=False)
    assert response.status_code == 400
    assert "Paste some e-mail addresses or choose a CSV file." in response.content.decode()


def test_an_address_whose_email_fails_is_not_saved(instructor_client, cohort, monkeypatch):
    real_send = mail.EmailMessage.send

    def send(message, *args, **kwargs):
        if message.to == ["down@example.org"]:
            raise ConnectionRefusedError("connection refused")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", send)
    response = post_list(instructor_client, cohort, "up@example.org down@example.org")
    assert list(Invitation.objects.values_list("email", flat=True)) == ["up@example.org"]
    assert "could not be sent" in report_of(response)["failed"]["down@example.org"]


def test_the_report_is_shown_once(instructor_client, cohort):
    post_list(instructor_client, cohort, "ann@example.org")
    assert instructor_client.get(url("roster", cohort)).context["report"] is None


def test_resend_sends_the_same_link_again(instructor_client, cohort):
    invitation = pending(cohort)
    instructor_client.post(url("invitation_resend", cohort), {"invitation": invitation.pk})
    [message] = mail.outbox
    assert message.to == ["new@example.org"]
    assert invitation_url(invitation) in message.body


def test_resend_is_rationed_per_address(instructor_client, cohort):
    invitation = pending(cohort)
    resend = url("invitation_resend", cohort)
    instructor_client.post(resend, {"invitation": invitation.pk})
    page = instructor_client.post(resend, {"invitation": invitation.pk}, follow=True)
    assert "was sent less than 10 minutes ago; you can send it again in 9 minutes" in (
        page.content.decode()
    )
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.sends == 2
    # Later it may go again, up to the limit in all.
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - roster.RESEND_AFTER, sends=roster.MAX_SENDS - 1
    )
    instructor_client.post(resend, {"invitation": invitation.pk})
    assert len(mail.outbox) == 2
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(days=1))
    page = instructor_client.post(resend, {"invitation": invitation.pk}, follow=True)
    assert f"has been sent {roster.MAX_SENDS} times" in page.content.decode()
    assert len(mail.outbox) == 2


def test_cancel_makes_the_link_stop_working(instructor_client, cohort, client, kim):
    invitation = pending(cohort)
    instructor_client.post(url("invitation_cancel", cohort), {"invitation": invitation.pk})
    assert not Invitation.objects.exists()
    client.force_login(kim)
    response = client.get(invitation_url(invitation))
    assert response.status_code == 404


def test_an_accepted_invitation_cannot_be_cancelled_or_resent(instructor_client, cohort, student):
    invitation = pending(cohort, accepted_at="2026-01-05T10:00Z", accepted_by=student)
    for name in ("invitation_cancel", "invitation_resend"):
        instructor_client.post(url(name, cohort), {"invitation": invitation.pk})
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert not mail.outbox


def test_another_cohorts_invitation_is_not_found(instructor_client, cohort, other_cohort):
    invitation = pending(other_cohort)
    response = instructor_client.post(
        url("invitation_cancel", cohort), {"invitation": invitation.pk}
    )
    assert response.status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()


# The invitation link ------------------------------------------------------------------------


def test_an_anonymous_visitor_is_asked_to_log_in_or_sign_up_and_come_back(client, cohort):
    invitation = pending(cohort)
    link = invitation_url(invitation)
    response = client.get(link)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tuesday group" in page
    assert f"{reverse('login')}?next={link}" in page
    assert f"{reverse('accounts:signup')}?next={link}" in page
    assert Membership.objects.filter(cohort=cohort).count() == 3  # grace, ada, alan


def test_an_anonymous_post_goes_to_log_in(client, cohort):
    link = invitation_url(pending(cohort))
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={link}"


def test_signing_up_from_the_link_comes_back_to_it(client, cohort):
    link = invitation_url(pending(cohort))
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "newbie",
            "email": "new@example.org",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
            "next": link,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == link


def test_get_shows_a_confirmation_and_never_enrols(client, cohort, kim):
    invitation = pending(cohort)
    client.force_login(kim)
    response = client.get(invitation_url(invitation))
    assert response.status_code == 200
    assert "Accept and join" in response.content.decode()
    assert not Membership.objects.filter(user=kim).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_post_accepts_and_goes_to_the_course(client, cohort, kim):
    invitation = pending(cohort)
    client.force_login(kim)
    response = client.post(invitation_url(invitation))
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:course", args=[cohort.course.slug])
    assert Membership.objects.get(cohort=cohort, user=kim).role == STUDENT
    invitation.refresh_from_db()
    assert invitation.accepted_by == kim
    assert invitation.accepted_at is not None


def test_accepting_again_is_harmless(client, cohort, kim):
    invitation = pending(cohort)
    client.force_login(kim)
    client.post(invitation_url(invitation))
    assert client.post(invitation_url(invitation)).status_code == 302
    assert Membership.objects.filter(cohort=cohort, user=kim).count() == 1
    response = client.get(invitation_url(invitation))
    assert "You accepted this invitation" in response.content.decode()


def test_an_invitation_used_by_another_account_is_refused(client, cohort, kim, second_student):
    invitation = pending(cohort)
    roster.accept(token=invitation.token, user=kim)
    client.force_login(UserFactory(username="mallory"))
    for response in (
        client.get(invitation_url(invitation)),
        client.post(invitation_url(invitation)),
    ):
        assert response.status_code == 410
        assert "already used" in response.content.decode()
    assert not Membership.objects.filter(user__username="mallory").exists()
    with pytest.raises(roster.InvitationUsed):
        roster.accept(token=invitation.token, user=second_student)


def test_an_unknown_token_is_a_styled_404(client, kim):
    client.force_login(kim)
    response = client.get(reverse("invitations:accept", args=["no-such-token"]))
    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()
    assert "teaching/invitation_invalid.html" in [t.name for t in response.templates]


def test_accepting_restores_an_archived_student(cohort, student):
    membership = roster.archive(membership=student_member(cohort, student))
    invitation = pending(cohort, "ada.other@example.org")
    assert roster.accept(token=invitation.token, user=student).pk == membership.pk
    membership.refresh_from_db()
    assert membership.archived_at is None
    assert membership.role == STUDENT


def test_an_assistant_invitation_raises_a_student_and_never_lowers_an_instructor(
    cohort, student, cohort_instructor
):
    assert roster.accept(token=pending(cohort, "a@x.org", ASSISTANT).token, user=student).role == (
        ASSISTANT
    )
    invitation = pending(cohort, "b@x.org", STUDENT)
    assert roster.accept(token=invitation.token, user=cohort_instructor).role == INSTRUCTOR


def test_a_member_already_in_the_role_is_not_offered_to_use_the_link(client, cohort, student):
    invitation = pending(cohort)
    client.force_login(student)
    page = client.get(invitation_url(invitation)).content.decode()
    assert "Accept and join" not in page
    assert "already in this cohort as student" in page


# Archiving and restoring ----------------------------------------------------------------------


def test_archiving_keeps_the_work_and_hides_the_student(
    instructor_client, cohort, student, exercise, quiz, lesson
):
    submit(student, exercise, verdict="passed", score=1.0)
    attempt_quiz(student, quiz, score=1.0, passed=True)
    read(student, lesson, state=LessonProgress.State.PASSED)
    dashboard = instructor_client.get(url("cohort", cohort)).content.decode()
    assert ">ada</a>" in dashboard

    response = instructor_client.post(url("member_archive", cohort), {"member": student.id})
    assert response.status_code == 302
    membership = student_member(cohort, student)
    assert membership.archived_at is not None
    assert Submission.objects.filter(student=student).count() == 1
    assert student.quiz_attempts.count() == 1
    assert LessonProgress.objects.filter(user=student, state="passed").count() == 1

    dashboard = instructor_client.get(url("cohort", cohort)).content.decode()
    assert ">ada</a>" not in dashboard
    assert ">alan</a>" in dashboard
    book = instructor_client.get(url("gradebook", cohort)).getvalue().decode("utf-8-sig")
    usernames = [row[0] for row in csv.reader(io.StringIO(book))][1:]
    assert usernames == ["alan"]
    page = instructor_client.get(url("roster", cohort))
    assert [r.username for r in page.context["roster"].archived] == ["ada"]
    assert "ada" not in [r.username for r in page.context["roster"].members]


def test_restoring_brings_the_student_back_with_their_work(
    instructor_client, cohort, student, exercise
):
    submit(student, exercise, verdict="passed", score=1.0)
    roster.archive(membership=student_member(cohort, student))
    instructor_client.post(url("member_restore", cohort), {"member": student.id})
    assert student_member(cohort, student).archived_at is None
    book = instructor_client.get(url("gradebook", cohort)).getvalue().decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(book))}
    assert "ada" in rows
    assert rows["ada"][-1] == "100"


@pytest.mark.parametrize("role", [ASSISTANT, INSTRUCTOR])
def test_only_students_are_archived(cohort, student, role):
    membership = student_member(cohort, student)
    membership.role = role
    membership.save()
    with pytest.raises(roster.RosterRefused, match="Only students"):
        roster.archive(membership=membership)


def test_archiving_an_instructor_from_the_page_says_why(
    instructor_client, cohort, cohort_instructor
):
    response = instructor_client.post(
        url("member_archive", cohort), {"member": cohort_instructor.id}, follow=True
    )
    assert "Only students are archived" in response.content.decode()
    assert student_member(cohort, cohort_instructor).archived_at is None


def test_a_stranger_is_not_found(instructor_client, cohort, kim):
    response = instructor_client.post(url("member_archive", cohort), {"member": kim.id})
    assert response.status_code == 404


# The assistant role --------------------------------------------------------------------------


def test_a_student_is_made_an_assistant_and_back(instructor_client, cohort, student):
    instructor_client.post(url("member_role", cohort), {"member": student.id, "role": ASSISTANT})
    assert student_member(cohort, student).role == ASSISTANT
    instructor_client.post(url("member_role", cohort), {"member": student.id, "role": STUDENT})
    assert student_member(cohort, student).role == STUDENT


def test_nobody_is_made_an_instructor_from_the_roster(instructor_client, cohort, student):
    response = instructor_client.post(
        url("member_role", cohort), {"member": student.id, "role": INSTRUCTOR}
    )
    assert response.status_code == 404
    assert student_member(cohort, student).role == STUDENT


def test_the_last_instructor_keeps_the_role(cohort, cohort_instructor, student):
    membership = student_member(cohort, cohort_instructor)
    with pytest.raises(roster.RosterRefused, match="last instructor"):
        roster.set_role(membership=membership, role=STUDENT)
    Membership.objects.filter(cohort=cohort, user=student).update(role=INSTRUCTOR)
    assert roster.set_role(membership=membership, role=ASSISTANT).role == ASSISTANT


def test_an_archived_student_is_restored_before_a_role_change(cohort, student):
    membership = roster.archive(membership=student_member(cohort, student))
    with pytest.raises(roster.RosterRefused, match="Restore"):
        roster.set_role(membership=membership, role=ASSISTANT)


def test_an_assistant_reads_the_roster_without_its_forms(client, cohort, assistant):
    pending(cohort)
    client.force_login(assistant)
    response = client.get(url("roster", cohort))
    assert response.status_code == 200
    page = response.content.decode()
    assert "new@example.org" in page
    assert "ada" in page
    assert "as a teaching assistant" in page
    assert "<form" not in page.split('id="main"', 1)[1].split("</main>")[0]


def test_the_roster_lists_roles_and_join_dates(instructor_client, cohort, assistant):
    page = instructor_client.get(url("roster", cohort)).content.decode()
    assert re.search(r"joined \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC", page)
    for role in ("instructor", "teaching assistant", "student"):
        assert f">{role}</span>" in page
    rows = instructor_client.get(url("roster", cohort)).context["roster"].members
    assert [r.username for r in rows] == ["grace", "tom", "ada", "alan"]


def test_the_dashboard_links_the_roster(instructor_client, cohort):
    assert url("roster", cohort) in instructor_client.get(url("cohort", cohort)).content.decode()


# The role matrix -----------------------------------------------------------------------------
#
# Who: anonymous, a student of the cohort, its assistant, another cohort's instructor, its
# instructor, staff. What: the page, and each change. An allowed change is made; a refused
# one leaves everything as it was.

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


def _invite(cohort, people):
    return {"addresses": "fresh@example.org", "role": STUDENT}


def _archive(cohort, people):
    return {"member": people["second_student"].id}


def _restore(cohort, people):
    roster.archive(membership=student_member(cohort, people["second_student"]))
    return {"member": people["second_student"].id}


def _role(cohort, people):
    return {"member": people["second_student"].id, "role": ASSISTANT}


def _invitation(cohort, people):
    return {"invitation": pending(cohort, "waiting@example.org").pk}


def _state(cohort):
    """Everything a change could touch."""
    return (
        sorted(Invitation.objects.values_list("email", flat=True)),
        sorted(Membership.objects.filter(cohort=cohort).values_list("user_id", "role")),
        sorted(
            Membership.objects.filter(cohort=cohort, archived_at__isnull=False).values_list(
                "user_id", flat=True
            )
        ),
        len(mail.outbox),
    )


CHANGES = {
    "roster_invite": _invite,
    "member_archive": _archive,
    "member_restore": _restore,
    "member_role": _role,
    "invitation_resend": _invitation,
    "invitation_cancel": _invitation,
}


def _client_as(who, request) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    return client


@pytest.fixture
def people(cohort, other_cohort, assistant, instructor, second_student):
    return {"second_student": second_student}


@pytest.mark.parametrize("who", PEOPLE)
def test_matrix_the_roster_page(who, request, cohort, people):
    response = _client_as(who, request).get(url("roster", cohort))
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif who in MAY_READ:
        assert response.status_code == 200
        assert response.context["may_edit"] is (who in MAY_CHANGE)
        assert ("Send the invitations" in response.content.decode()) is (who in MAY_CHANGE)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("change", list(CHANGES))
def test_matrix_a_change_is_refused_to_everyone_else(change, request, cohort, people):
    data = CHANGES[change](cohort, people)
    before = _state(cohort)
    for who in PEOPLE:
        if who in MAY_CHANGE:
            continue
        response = _client_as(who, request).post(url(change, cohort), data)
        if who == "anonymous":
            assert response.status_code == 302, who
            assert response["Location"].startswith(reverse("login"))
        else:
            # An assistant may read the roster, and still gets 403 on every change.
            assert response.status_code == 403, who
        assert _state(cohort) == before, who


@pytest.mark.parametrize("who", sorted(MAY_CHANGE))
@pytest.mark.parametrize("change", list(CHANGES))
def test_matrix_a_change_is_made_by_the_instructor_and_staff(who, change, request, cohort, people):
    data = CHANGES[change](cohort, people)
    before = _state(cohort)
    response = _client_as(who, request).post(url(change, cohort), data)
    assert response.status_code == 302
    assert response["Location"].startswith(url("roster", cohort))
    assert _state(cohort) != before


@pytest.mark.parametrize("change", list(CHANGES))
def test_matrix_every_change_needs_the_csrf_token(change, cohort, cohort_instructor, people):
    data = CHANGES[change](cohort, people)
    before = _state(cohort)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cohort_instructor)
    assert client.post(url(change, cohort), data).status_code == 403
    assert _state(cohort) == before


@pytest.mark.parametrize("change", ["roster", *CHANGES])
def test_matrix_an_unknown_cohort_is_not_found(change, client, cohort_instructor):
    client.force_login(cohort_instructor)
    missing = reverse(f"teaching:{change}", args=["00000000-0000-4000-8000-000000000000"])
    response = client.get(missing) if change == "roster" else client.post(missing, {})
    assert response.status_code == 404


def test_matrix_the_page_answers_get_only_and_changes_post_only(instructor_client, cohort):
    assert instructor_client.post(url("roster", cohort)).status_code == 405
    for change in CHANGES:
        assert instructor_client.get(url(change, cohort)).status_code == 405


def test_a_resend_the_mail_server_refused_does_not_count(instructor_client, cohort, settings):
    invitation = pending(cohort)
    before = Invitation.objects.get(pk=invitation.pk).sent_at
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    page = instructor_client.post(
        url("invitation_resend", cohort), {"invitation": invitation.pk}, follow=True
    )
    assert "could not be sent" in page.content.decode()
    invitation.refresh_from_db()
    assert (invitation.sends, invitation.sent_at) == (1, before)
