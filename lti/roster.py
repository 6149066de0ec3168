"""Names and Role Provisioning Services: the LMS course's members brought into its cohort.

"Sync roster" (the cohort's LMS page) and the beat's `lti.sync_rosters` (every six
hours) read the context's membership list from the LMS, page by page (at most
MAX_MEMBERS), check each entry's shape, and then:

- an active member gets their Descent account (made as a launch would make it, found by
  the LMS user) and a membership with their LMS role (never lowered here);
- a student whose LMS membership ended, or who is no longer listed, is archived (their
  work kept, as the roster page's "Archive" does); one who comes back is restored.

Only accounts that came from this LMS are touched: a student who joined with the code is
not archived because the LMS does not list them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from lti_tool.models import LtiUser
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from courses.models import Membership

from .config import BoundedSession
from .models import CohortLink
from .services import clip, join, new_account, role_from

log = logging.getLogger("descent.lti")

MAX_MEMBERS = 10_000
MAX_PAGES = 200


class RosterUnavailable(Exception):
    """The LMS did not give the list (no service, down, refused); nothing was changed."""


@dataclass
class RosterReport:
    added: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    skipped: int = 0  # entries of the wrong shape

    @property
    def summary(self) -> str:
        return (
            f"{len(self.added)} joined, {len(self.returned)} came back, "
            f"{len(self.left)} left"
            + (f", {self.skipped} entries unreadable" if self.skipped else "")
        )


def _members(link: CohortLink) -> list[dict]:
    context = link.context
    if not context.memberships_url:
        raise RosterUnavailable("This LMS course offers no membership list to Descent.")
    service = NamesRolesProvisioningService(
        ServiceConnector(
            context.deployment.registration.to_registration(),
            requests_session=BoundedSession(context.deployment.registration),
        ),
        {"context_memberships_url": context.memberships_url},
    )
    members: list[dict] = []
    url = context.memberships_url
    try:
        for _ in range(MAX_PAGES):
            page, url = service.get_members_page(url)
            members += page if isinstance(page, list) else []
            if not url or len(members) >= MAX_MEMBERS:
                break
    except Exception as exc:  # the LMS down, a refused token, a page that is not JSON
        raise RosterUnavailable(f"The LMS did not give the membership list: {exc}") from None
    return members[:MAX_MEMBERS]


def _readable(member) -> bool:
    return (
        isinstance(member, dict)
        and isinstance(member.get("user_id"), str)
        and 0 < len(member["user_id"]) <= 255
        and isinstance(member.get("roles", []), list)
    )


def sync(link: CohortLink) -> RosterReport:
    """Bring the cohort in step with its LMS course's members. RosterUnavailable (and
    nothing changed) when the list cannot be read."""
    members = _members(link)
    registration = link.context.deployment.registration
    cohort = link.cohort
    report = RosterReport()
    listed: set[int] = set()
    now = timezone.now()
    with transaction.atomic():
        for member in members:
            if not _readable(member):
                report.skipped += 1
                continue
            lti_user, _ = LtiUser.objects.update_or_create(
                registration=registration,
                sub=member["user_id"],
                defaults={
                    "given_name": clip(member.get("given_name"), 150),
                    "family_name": clip(member.get("family_name"), 150),
                    "name": clip(member.get("name"), 150),
                },
            )
            user = lti_user.auth_user or new_account(
                lti_user, registration, member.get("given_name") or member.get("name"),
                member.get("family_name"), member.get("email"),
            )  # fmt: skip
            active = member.get("status", "Active") == "Active"
            if not active:
                continue
            listed.add(user.pk)
            membership = Membership.objects.filter(cohort=cohort, user=user).first()
            if membership is None:
                join(cohort, user, role_from(member.get("roles")))
                report.added.append(user.get_full_name() or user.get_username())
            elif membership.archived_at is not None:
                Membership.objects.filter(pk=membership.pk).update(archived_at=None)
                report.returned.append(user.get_full_name() or user.get_username())
            else:
                join(cohort, user, role_from(member.get("roles")))
        from_this_lms = LtiUser.objects.filter(registration=registration).values("auth_user_id")
        leaving = Membership.objects.filter(
            cohort=cohort,
            role=Membership.Role.STUDENT,
            archived_at__isnull=True,
            user_id__in=from_this_lms,
        ).exclude(user_id__in=listed)
        for membership in leaving.select_related("user"):
            report.left.append(membership.user.get_full_name() or membership.user.get_username())
        leaving.update(archived_at=now)
    log.info("event=lti_roster_synced cohort=%s %s", cohort.uuid, report.summary)
    return report


def sync_recorded(link_id: int) -> RosterReport | None:
    """sync(), with its outcome kept on the link for the cohort's LMS page."""
    link = (
        CohortLink.objects.select_related("cohort", "context__deployment__registration")
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        return None
    now = timezone.now()
    try:
        report = sync(link)
    except RosterUnavailable as exc:
        log.warning("event=lti_roster_unavailable cohort=%s reason=%s", link.cohort.uuid, exc)
        CohortLink.objects.filter(pk=link_id).update(
            roster_synced_at=now, roster_error=str(exc)[:500]
        )
        return None
    CohortLink.objects.filter(pk=link_id).update(
        roster_synced_at=now, roster_report=report.summary[:500], roster_error=""
    )
    return report


def sync_all() -> int:
    """Every linked LMS course that offers its list (the beat's periodic sync)."""
    links = CohortLink.objects.exclude(context__memberships_url="").values_list("pk", flat=True)
    return sum(sync_recorded(pk) is not None for pk in links)
