"""A cohort's roster: invitations by e-mail (a pasted list or a CSV file), accepting them,
archiving and restoring students, and the teaching-assistant role.

An address that already belongs to exactly one account is linked at once, as the issue
asks, but only for students. Sign-up does not verify e-mail addresses (accounts/forms.py),
so anyone could open an account under a stranger's address; as a student that gains them
nothing a join code would not, while an assistant sees every student's work. An assistant
is therefore always sent a link: holding it shows they read that inbox."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone

from .mail import one_line
from .models import Cohort, Invitation, Membership
from .schedule import in_words, when, zone

MAX_CSV_BYTES = 1024 * 1024
# Rows of a file, addresses of a pasted list: each may send an e-mail from the request.
MAX_ADDRESSES = 2000
# Invitation.email is an EmailField of Django's default length.
MAX_ADDRESS_LENGTH = 254
# What a message quotes of a line that is not an address.
QUOTED_CHARS = 80
# Addresses looked up per query: SQLite allows a limited number of parameters.
BATCH = 500

Role = Membership.Role
INVITABLE = (Role.STUDENT, Role.ASSISTANT)
RANK = {Role.STUDENT: 0, Role.ASSISTANT: 1, Role.INSTRUCTOR: 2}
EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address"}

_validate_email = EmailValidator()


class InputRefused(Exception):
    """The list or file as a whole is refused (too large, not UTF-8, no addresses in
    it); nothing was done. ``field`` names the form field at fault: text or file."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


class RosterRefused(Exception):
    """An action the roster does not allow, worded for the instructor."""


class InvitationUsed(Exception):
    """The invitation was already accepted, by another account."""


# Reading a list of addresses --------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One address as written (or, with ``is_address`` false, text with no address in
    it), and where: "line 3" of a pasted list, "row 12" of a file."""

    text: str
    where: str
    is_address: bool = True


# A quoted name, an <address>, a separator, a word, or a stray bracket or quote.
_TOKEN = re.compile(r'"[^"\n]*"|<[^<>\n]*>|[,;]|[^\s,;<>"]+|[<>"]')


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 1] + "…"


def _chunk(tokens: list[str], where: str) -> list[Candidate]:
    """The addresses of one comma- or semicolon-separated piece: "Ada <ada@x.org>",
    a bare address, or a name and an address from a spreadsheet's cells. Words beside an
    address are its name; words alone are reported, since they may be a mistyped one."""
    found, words = [], []
    for token in tokens:
        if len(token) > 1 and token[0] == "<" and token[-1] == ">":
            found.append(token[1:-1].strip())
        elif "@" in token and token[0] != '"':
            found.append(token)
        else:
            words.append(token)
    if found:
        return [Candidate(re.sub(r"^mailto:", "", a, flags=re.IGNORECASE), where) for a in found]
    if words:
        return [Candidate(" ".join(words), where, is_address=False)]
    return []


def _parse_line(line: str, where: str) -> list[Candidate]:
    candidates: list[Candidate] = []
    piece: list[str] = []
    for token in [*_TOKEN.findall(line), ","]:
        if token in (",", ";"):
            candidates += _chunk(piece, where)
            piece = []
        else:
            piece.append(token)
    return candidates


def parse_text(text: str) -> list[Candidate]:
    """Addresses separated by commas, semicolons, spaces or new lines, each bare or in
    the "Name <address>" form of a mail client's address field."""
    candidates = []
    for number, line in enumerate(text.splitlines(), start=1):
        candidates += _parse_line(line, f"line {number}")
    return candidates


def _delimiter(text: str) -> str:
    """The first line's most frequent of comma, semicolon and tab (spreadsheets in many
    locales write semicolons); a comma when it has none."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in ",;\t"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every row with something in it; refused past the limit."""
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    rows = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, cells))
            # One more than a header and the limit: enough to know it is too long.
            if len(rows) > MAX_ADDRESSES + 1:
                break
    except csv.Error as error:
        raise InputRefused(
            f"The file could not be read as CSV (line {reader.line_num}: {error}).", field="file"
        ) from error
    return rows


def _cell(cells: list[str], column: int) -> str:
    return cells[column].strip() if column < len(cells) else ""


def _address_column(rows: list[tuple[int, list[str]]]) -> tuple[int, bool]:
    """(column, whether the first row is a header): the column named email or e-mail,
    else the first one in which most filled cells hold an "@"."""
    header = [cell.strip().casefold() for cell in rows[0][1]]
    for column, name in enumerate(header):
        if name in EMAIL_HEADERS:
            return column, True
    width = max(len(cells) for _, cells in rows)
    for column in range(width):
        filled = [_cell(cells, column) for _, cells in rows if _cell(cells, column)]
        if filled and 2 * sum("@" in cell for cell in filled) > len(filled):
            return column, "@" not in _cell(rows[0][1], column)
    raise InputRefused(
        "No column of e-mail addresses was found in the file. Name the column “email”.",
        field="file",
    )


def parse_csv(data: bytes) -> list[Candidate]:
    """The addresses of a CSV file's email column (see _address_column). Refused whole
    when over 1 MiB or 2,000 rows, or not UTF-8 text."""
    if len(data) > MAX_CSV_BYTES:
        raise InputRefused(
            "The file is over 1 MiB. Split it, or keep only the e-mail column.", field="file"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputRefused(
            "The file is not UTF-8 text. In a spreadsheet, save it as “CSV UTF-8”.",
            field="file",
        ) from error
    if "\x00" in text:
        raise InputRefused(
            "The file holds NUL characters: it is not a CSV text file.", field="file"
        )
    rows = _rows(text)
    if not rows:
        raise InputRefused("The file is empty.", field="file")
    column, has_header = _address_column(rows)
    data_rows = rows[1:] if has_header else rows
    if len(data_rows) > MAX_ADDRESSES:
        raise InputRefused(
            f"The file has more than {MAX_ADDRESSES:,} rows. Split it into smaller files.",
            field="file",
        )
    candidates = []
    for line, cells in data_rows:
        where = f"row {line}"
        found = _parse_line(_cell(cells, column), where)
        candidates += found or [Candidate("", where, is_address=False)]
    return candidates


# Inviting ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    address: str
    message: str
    where: str = ""


def _position(outcome: Outcome) -> tuple[bool, int]:
    kind, _, number = outcome.where.partition(" ")
    return kind == "row", int(number) if number.isdigit() else 0


@dataclass
class InviteReport:
    """What became of each line, in groups the roster page shows under these titles."""

    role: str
    invited: list[Outcome] = field(default_factory=list)
    linked: list[Outcome] = field(default_factory=list)
    duplicates: list[Outcome] = field(default_factory=list)
    invalid: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)

    GROUPS = (
        ("invited", "Invited: e-mailed a join link"),
        ("linked", "Existing accounts added at once"),
        ("duplicates", "Duplicates: nothing done"),
        ("invalid", "Not valid addresses: nothing done"),
        ("failed", "Not sent: nothing saved"),
    )

    def sort(self) -> None:
        """Each group in the order of the input: the list's lines, then the file's rows."""
        for key, _ in self.GROUPS:
            getattr(self, key).sort(key=_position)

    def summary(self) -> str:
        parts = [
            (len(self.invited), "invited"),
            (len(self.linked), "added at once"),
            (len(self.duplicates), "duplicate" if len(self.duplicates) == 1 else "duplicates"),
            (len(self.invalid), "not valid"),
            (len(self.failed), "not sent"),
        ]
        said = [f"{count} {words}" for count, words in parts if count]
        return (", ".join(said) or "No addresses") + "."

    def as_dict(self) -> dict:
        """Plain data for the session, in the page's order of groups."""
        return {
            "role": self.role,
            "summary": self.summary(),
            "groups": [
                {"key": key, "title": title, "items": [asdict(o) for o in getattr(self, key)]}
                for key, title in self.GROUPS
                if getattr(self, key)
            ],
        }


def _problem(candidate: Candidate) -> str:
    """Why a candidate is not an address we can invite; "" when it is."""
    if not candidate.is_address:
        if not candidate.text:
            return "the e-mail cell is empty"
        return "no e-mail address here"
    if len(candidate.text) > MAX_ADDRESS_LENGTH:
        return f"longer than {MAX_ADDRESS_LENGTH} characters"
    try:
        _validate_email(candidate.text)
    except ValidationError:
        return "not a valid e-mail address"
    return ""


def _batches(keys: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(keys), BATCH):
        yield keys[start : start + BATCH]


@dataclass
class _Known:
    """What the database already holds for the list's addresses (lower-cased)."""

    members: dict[str, Membership] = field(default_factory=dict)
    invitations: dict[str, Invitation] = field(default_factory=dict)
    accounts: dict[str, list] = field(default_factory=dict)


def _known(cohort: Cohort, keys: list[str]) -> _Known:
    known = _Known()
    for batch in _batches(keys):
        for membership in (
            Membership.objects.filter(cohort=cohort)
            .annotate(key=Lower("user__email"))
            .filter(key__in=batch)
            .select_related("user")
        ):
            known.members.setdefault(membership.key, membership)
        for invitation in (
            Invitation.objects.filter(cohort=cohort)
            .annotate(key=Lower("email"))
            .filter(key__in=batch)
            .select_related("accepted_by")
        ):
            known.invitations[invitation.key] = invitation
        for user in (
            get_user_model()
            .objects.filter(is_active=True)
            .annotate(key=Lower("email"))
            .filter(key__in=batch)
        ):
            known.accounts.setdefault(user.key, []).append(user)
    return known


def _already(key: str, known: _Known, tz) -> str:
    """Why this address needs nothing done; "" when it does."""
    membership = known.members.get(key)
    if membership is not None:
        who = membership.user.get_username()
        if membership.archived_at is not None:
            return f"{who} is an archived student of this cohort: restore them from the roster"
        return f"already in the cohort as {membership.get_role_display()} ({who})"
    invitation = known.invitations.get(key)
    if invitation is None:
        return ""
    if invitation.accepted_at is not None:
        who = invitation.accepted_by.get_username() if invitation.accepted_by else "an account"
        return f"already invited, and accepted by {who}"
    return (
        f"already invited on {when(invitation.created_at, tz)}; "
        "use “Resend” in the pending invitations to send the link again"
    )


def _message(*, template: str, subject: str, to: str, context: dict, connection):
    return mail.EmailMessage(
        subject=one_line(subject),
        body=render_to_string(template, context),
        to=[to],
        connection=connection,
    )


def _context(cohort: Cohort, invited_by, role: str) -> dict:
    inviter = ""
    if invited_by is not None:
        inviter = invited_by.first_name or invited_by.get_username()
    return {
        "cohort": cohort,
        "course": cohort.course,
        "inviter": inviter,
        "role": Role(role).label,
    }


def _send_invitation(invitation: Invitation, *, link: str, connection) -> None:
    cohort = invitation.cohort
    _message(
        template="teaching/invitation_email.txt",
        subject=f"You are invited to join “{cohort.name}” on Descent",
        to=invitation.email,
        context={**_context(cohort, invitation.invited_by, invitation.role), "link": link},
        connection=connection,
    ).send()


def _link_account(cohort, user, address, *, invited_by, course_url, connection) -> Membership:
    """The membership now, an accepted invitation as its record, and an e-mail."""
    now = timezone.now()
    membership, _ = Membership.objects.get_or_create(
        cohort=cohort, user=user, defaults={"role": Role.STUDENT}
    )
    Invitation.objects.create(
        cohort=cohort,
        email=address,
        role=Role.STUDENT,
        invited_by=invited_by,
        accepted_at=now,
        accepted_by=user,
    )
    _message(
        template="teaching/roster_added_email.txt",
        subject=f"You were added to “{cohort.name}” on Descent",
        to=user.email,
        context={
            **_context(cohort, invited_by, Role.STUDENT),
            "user": user,
            "link": course_url,
        },
        connection=connection,
    ).send()
    return membership


@dataclass
class _Batch:
    cohort: Cohort
    role: str
    invited_by: object
    link_for: Callable[[Invitation], str]
    course_url: str
    connection: object
    report: InviteReport


def _invite_one(batch: _Batch, address: str, where: str, accounts: list) -> None:
    """One address, all or nothing: its rows are rolled back when its e-mail fails."""
    report = batch.report
    try:
        with transaction.atomic():
            if batch.role == Role.STUDENT and len(accounts) == 1:
                user = accounts[0]
                _link_account(
                    batch.cohort,
                    user,
                    address,
                    invited_by=batch.invited_by,
                    course_url=batch.course_url,
                    connection=batch.connection,
                )
                message = f"added as {user.get_username()}, their account here, and told by e-mail"
                report.linked.append(Outcome(address, message, where))
                return
            invitation = Invitation.objects.create(
                cohort=batch.cohort, email=address, role=batch.role, invited_by=batch.invited_by
            )
            _send_invitation(
                invitation, link=batch.link_for(invitation), connection=batch.connection
            )
    except IntegrityError:
        # Someone invited it between our look-up and this insert.
        report.duplicates.append(Outcome(address, "already invited", where))
        return
    except OSError as error:  # smtplib's errors are OSErrors
        report.failed.append(
            Outcome(address, f"the e-mail could not be sent ({error}); try again later", where)
        )
        return
    report.invited.append(Outcome(address, "e-mailed a join link", where))


def invite(
    *,
    cohort: Cohort,
    invited_by,
    link_for: Callable[[Invitation], str],
    course_url: str,
    text: str = "",
    csv_data: bytes | None = None,
    role: str = Role.STUDENT,
) -> InviteReport:
    """Invite the addresses of a pasted list and/or a CSV file to the cohort.

    A new address gets an Invitation and an e-mail with its link (``link_for`` makes the
    absolute URL); a student address that belongs to exactly one account is linked at
    once and its owner told (``course_url``); an address already invited, already a
    member, or repeated in the input is a duplicate; anything else is invalid. Each good
    address goes through on its own, so a bad line spoils nothing. InputRefused, before
    anything is done, for a file or list refused as a whole."""
    if role not in INVITABLE:
        raise ValueError(f"cannot invite as {role}")
    candidates = parse_text(text)
    if csv_data is not None:
        candidates += parse_csv(csv_data)
    at_fault = "file" if csv_data is not None and not text.strip() else "text"
    if not candidates:
        raise InputRefused("No e-mail addresses were found.", field=at_fault)
    if len(candidates) > MAX_ADDRESSES:
        raise InputRefused(
            f"That is more than {MAX_ADDRESSES:,} addresses at once. Send them in parts.",
            field=at_fault,
        )
    report = InviteReport(role=role)
    tz = zone(cohort.time_zone)
    first_seen: dict[str, str] = {}
    fresh: list[tuple[str, str, str]] = []
    for candidate in candidates:
        problem = _problem(candidate)
        if problem:
            report.invalid.append(Outcome(_quoted(candidate.text), problem, candidate.where))
            continue
        # Stored lower-cased, so the one-invitation-per-address rule holds whatever the case.
        address = candidate.text.lower()
        if address in first_seen:
            message = f"repeated in the list (first on {first_seen[address]})"
            report.duplicates.append(Outcome(candidate.text, message, candidate.where))
            continue
        first_seen[address] = candidate.where
        fresh.append((address, candidate.text, candidate.where))
    known = _known(cohort, [address for address, _, _ in fresh])
    with mail.get_connection() as connection:
        batch = _Batch(cohort, role, invited_by, link_for, course_url, connection, report)
        for address, written, where in fresh:
            reason = _already(address, known, tz)
            if reason:
                report.duplicates.append(Outcome(written, reason, where))
            else:
                _invite_one(batch, address, where, known.accounts.get(address, []))
    report.sort()
    return report


# One address is mailed at most this often and this many times in all: "Resend" pressed in
# a loop (or by a script) must not flood someone's inbox from our server.
RESEND_AFTER = timedelta(minutes=10)
MAX_SENDS = 5


def invitation_resend(*, invitation: Invitation, link: str) -> None:
    """The same link again (a pending invitation only, rationed)."""
    if invitation.accepted_at is not None:
        raise RosterRefused("That invitation was already accepted.")
    now = timezone.now()
    if invitation.sends >= MAX_SENDS:
        raise RosterRefused(
            f"The invitation to {invitation.email} has been sent {invitation.sends} times; "
            "cancel it and check the address, or ask them to join with the cohort's code."
        )
    claimed = Invitation.objects.filter(
        pk=invitation.pk, sent_at__lte=now - RESEND_AFTER, sends__lt=MAX_SENDS
    ).update(sent_at=now, sends=F("sends") + 1)
    if not claimed:
        wait = in_words(invitation.sent_at + RESEND_AFTER - now)
        raise RosterRefused(
            f"The invitation to {invitation.email} was sent less than "
            f"{in_words(RESEND_AFTER)} ago; you can send it again in {wait}."
        )
    try:
        with mail.get_connection() as connection:
            _send_invitation(invitation, link=link, connection=connection)
    except Exception:
        # Nothing went: give back the send and the wait this attempt took.
        Invitation.objects.filter(pk=invitation.pk, sent_at=now).update(
            sent_at=invitation.sent_at, sends=F("sends") - 1
        )
        raise


def invitation_cancel(*, invitation: Invitation) -> None:
    """The link stops working at once. An accepted invitation stays as the record of how
    its member came in."""
    if invitation.accepted_at is not None:
        raise RosterRefused("That invitation was already accepted; archive the student instead.")
    invitation.delete()


# Accepting --------------------------------------------------------------------------------


def invitation_get(*, token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("cohort__course", "accepted_by")
        .filter(token=token)
        .first()
    )


def accept(*, token: str, user) -> Membership:
    """The membership an invitation gives, for whichever account opens its link.

    Idempotent for the account that accepted it; InvitationUsed for any other, and
    Invitation.DoesNotExist for an unknown token. Accepting makes the membership in the
    invitation's role, raises a lower role to it (never lowers one: an instructor who
    follows a student link stays instructor), and restores an archived membership."""
    with transaction.atomic():
        # Locked: two accounts opening the same link at once cannot both take it.
        invitation = Invitation.objects.select_for_update().get(token=token)
        if invitation.accepted_at is not None:
            if invitation.accepted_by_id != user.pk:
                raise InvitationUsed
            return Membership.objects.get(cohort_id=invitation.cohort_id, user=user)
        membership, created = Membership.objects.select_for_update().get_or_create(
            cohort_id=invitation.cohort_id, user=user, defaults={"role": invitation.role}
        )
        if not created:
            if RANK[Role(invitation.role)] > RANK[Role(membership.role)]:
                membership.role = invitation.role
            membership.archived_at = None
            membership.save(update_fields=["role", "archived_at"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


# Archiving and roles ----------------------------------------------------------------------


def archive(*, membership: Membership) -> Membership:
    """The student leaves the cohort's pages; every submission, attempt and bit of
    progress stays (they belong to the user, not to the membership)."""
    if membership.role != Role.STUDENT:
        raise RosterRefused("Only students are archived. Make an assistant a student first.")
    if membership.archived_at is None:
        membership.archived_at = timezone.now()
        membership.save(update_fields=["archived_at"])
    return membership


def restore(*, membership: Membership) -> Membership:
    if membership.role != Role.STUDENT:
        raise RosterRefused("Only students are archived and restored.")
    if membership.archived_at is not None:
        membership.archived_at = None
        membership.save(update_fields=["archived_at"])
    return membership


def set_role(*, membership: Membership, role: str) -> Membership:
    """A student made a teaching assistant, or back. The cohort keeps an instructor."""
    if role not in INVITABLE:
        raise RosterRefused("A member can be made a student or a teaching assistant here.")
    if membership.archived_at is not None:
        raise RosterRefused("Restore this student before changing their role.")
    with transaction.atomic():
        if membership.role == Role.INSTRUCTOR:
            # Locked, so two instructors demoting each other at once leave one.
            instructors = list(
                Membership.objects.select_for_update().filter(
                    cohort_id=membership.cohort_id, role=Role.INSTRUCTOR
                )
            )
            if len(instructors) <= 1:
                raise RosterRefused("The cohort's last instructor keeps that role.")
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


# The roster page's reads ------------------------------------------------------------------


@dataclass
class MemberRow:
    membership: Membership
    name: str
    username: str
    role: str
    joined: str
    joined_at: datetime
    archived: str = ""


@dataclass
class PendingRow:
    invitation: Invitation
    role: str
    invited: str
    invited_by: str


@dataclass
class Roster:
    cohort: Cohort
    members: list[MemberRow]
    archived: list[MemberRow]
    pending: list[PendingRow]

    @property
    def students(self) -> int:
        return sum(row.membership.role == Role.STUDENT for row in self.members)

    @property
    def assistants(self) -> int:
        return sum(row.membership.role == Role.ASSISTANT for row in self.members)


def _name(user) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.get_username()


def cohort_roster(*, cohort: Cohort) -> Roster:
    """Members by role (instructors first) then name, archived students, and pending
    invitations, with dates in the cohort's zone. Two queries."""
    tz = zone(cohort.time_zone)
    members, archived = [], []
    for membership in Membership.objects.filter(cohort=cohort).select_related("user"):
        row = MemberRow(
            membership=membership,
            name=_name(membership.user),
            username=membership.user.get_username(),
            role=membership.get_role_display(),
            joined=when(membership.joined_at, tz),
            joined_at=membership.joined_at,
            archived=when(membership.archived_at, tz),
        )
        (archived if membership.archived_at else members).append(row)
    members.sort(key=lambda r: (-RANK[Role(r.membership.role)], r.name.casefold(), r.username))
    archived.sort(key=lambda r: (r.name.casefold(), r.username))
    pending = [
        PendingRow(
            invitation=invitation,
            role=invitation.get_role_display(),
            invited=when(invitation.created_at, tz),
            invited_by=_name(invitation.invited_by) if invitation.invited_by else "",
        )
        for invitation in Invitation.objects.filter(cohort=cohort, accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("email")
    ]
    return Roster(cohort=cohort, members=members, archived=archived, pending=pending)
