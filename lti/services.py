"""A validated launch, made into Descent facts: the nonce spent, the LMS user's account,
their cohort and role, and the page to open. See the package docstring for the shape."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db import DataError, IntegrityError, transaction
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from lti_tool.models import LtiContext, LtiLaunch, LtiUser
from lti_tool.utils import sync_data_from_launch

from courses.models import Cohort, Course, Exercise, Membership, Quiz
from courses.services import cohort_create

from . import passback
from .models import CohortLink, UsedNonce

Role = Membership.Role
# A launch's id_token lives minutes; a spent nonce is kept a day, then forgotten.
NONCE_KEPT = timedelta(days=1)
NAME_MAX = 150


class LaunchRefused(Exception):
    """A launch Descent will not act on; the message is shown as it is."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Landing:
    """Where a launch leads: a page (``url``), or the course picker for an instructor
    whose LMS course is new here (``context`` set, ``url`` empty), or the waiting page
    for a learner in that case (``waiting``)."""

    user: object
    url: str = ""
    context: LtiContext | None = None
    waiting: bool = False
    # A deep-linking request: its launch id (pylti1p3 keeps the launch in the cache).
    deep_link: str = ""


_INSTRUCTOR = ("membership#Instructor", "membership#Administrator", "person#Administrator")
_ASSISTANT = ("Instructor#TeachingAssistant", "membership#Mentor", "Instructor#Grader")


def role_from(roles) -> str:
    """An LMS's role URIs as a Descent role (the strongest they carry)."""
    roles = [str(role) for role in roles or [] if isinstance(role, str)]
    if any(role.endswith(_ASSISTANT) for role in roles):
        # Checked first: "…/membership/Instructor#TeachingAssistant" names Instructor too.
        return Role.ASSISTANT
    if any(role.endswith(_INSTRUCTOR) for role in roles):
        return Role.INSTRUCTOR
    return Role.STUDENT


def _spend_nonce(launch: LtiLaunch) -> None:
    nonce = str(launch.get_claim("nonce") or "")[:255]
    issuer = str(launch.get_claim("iss") or "")[:255]
    now = timezone.now()
    UsedNonce.objects.filter(used_at__lt=now - NONCE_KEPT).delete()
    try:
        with transaction.atomic():
            UsedNonce.objects.create(issuer=issuer, nonce=nonce, used_at=now)
    except IntegrityError:
        raise LaunchRefused(
            "This launch was already used. Open the link in your LMS again."
        ) from None


def clip(value, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def new_account(lti_user: LtiUser, registration, given, family, email):
    """A Descent account for an LMS user seen for the first time (a launch, a roster
    sync). Linked to them by their LMS id only: the address is copied for mail when no
    other account has it, and never used to find one."""
    users = get_user_model().objects
    seed = f"{registration.uuid}:{lti_user.sub}".encode()
    username = "lti-" + hashlib.sha256(seed).hexdigest()[:20]
    email = clip(email, 254)
    if email and users.filter(email__iexact=email).exists():
        email = ""
    # The username is derived from the LMS user alone: an account left by an earlier
    # link to them (say, the LtiUser row deleted in the admin) is theirs again.
    user = users.filter(username=username).first()
    if user is None:
        user = users.create_user(
            username=username,
            email=email,
            first_name=clip(given, NAME_MAX),
            last_name=clip(family, NAME_MAX),
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    lti_user.auth_user = user
    lti_user.save(update_fields=["auth_user"])
    return user


def _account(launch: LtiLaunch):
    """The Descent account of the launch's LMS user, made on their first launch."""
    lti_user = launch.user
    if lti_user.auth_user_id is not None:
        return lti_user.auth_user
    return new_account(
        lti_user,
        launch.registration,
        launch.get_claim("given_name") or launch.get_claim("name"),
        launch.get_claim("family_name"),
        launch.get_claim("email"),
    )


_RANK = {Role.STUDENT: 0, Role.ASSISTANT: 1, Role.INSTRUCTOR: 2}


def join(cohort: Cohort, user, role: str) -> Membership:
    """The membership with the LMS's role; an LMS never lowers a role given here."""
    membership, created = Membership.objects.get_or_create(
        cohort=cohort, user=user, defaults={"role": role}
    )
    if not created and _RANK[role] > _RANK.get(membership.role, 0):
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def _target(launch: LtiLaunch, course: Course, host: str) -> tuple[str, dict]:
    """The launch's target when it is a page of this site in the cohort's course (as the
    deep links Descent makes are), else the course home; and the graded item it shows
    ({"exercise": ...} or {"quiz": ...}, a lesson's checkpoint being its page with
    #checkpoint), if any."""
    home = reverse("courses:course", args=[course.slug]), {}
    claim = launch.get_claim("https://purl.imsglobal.org/spec/lti/claim/target_link_uri")
    target = urlsplit(str(claim or ""))
    if (target.netloc and target.netloc != host) or not target.path.startswith("/"):
        return home
    if target.path.startswith("//"):  # a path that a browser reads as another host
        return home
    try:
        match = resolve(target.path or "/")
    except Resolver404:
        return home
    if match.kwargs.get("course_slug") != course.slug:
        return home
    query = f"?{target.query}" if target.query else ""
    fragment = f"#{target.fragment}" if target.fragment else ""
    graded = {}
    if match.view_name == "grading:exercise":
        exercise = Exercise.objects.filter(
            course=course, slug=match.kwargs.get("exercise_slug"), is_active=True
        ).first()
        graded = {"exercise": exercise} if exercise else {}
    elif match.view_name == "courses:lesson" and target.fragment == "checkpoint":
        quiz = Quiz.objects.filter(
            lesson__course=course, lesson__slug=match.kwargs.get("lesson_slug"), is_active=True
        ).first()
        graded = {"quiz": quiz} if quiz else {}
    return target.path + query + fragment, graded


def land(launch: LtiLaunch, *, host: str) -> Landing:
    """Act on a launch pylti1p3 has validated. Writes nothing when refused."""
    deep_link = launch.is_deep_link_launch
    if not (launch.is_resource_launch or deep_link):
        raise LaunchRefused("Descent takes resource-link and deep-linking launches only.")
    if deep_link and role_from(launch.roles_claim) != Role.INSTRUCTOR:
        raise LaunchRefused("Only instructors of the course add Descent items to it.", status=403)
    if not launch.deployment.is_active:
        raise LaunchRefused(
            "This LMS deployment is registered but not switched on. Ask the site's "
            "administrator to activate it.",
            status=403,
        )
    _spend_nonce(launch)
    try:
        with transaction.atomic():
            sync_data_from_launch(launch)
            user = _account(launch)
            link = (
                CohortLink.objects.select_related("cohort__course")
                .filter(context=launch.context)
                .first()
            )
            role = role_from(launch.roles_claim)
            launch_id = launch.get_launch_id() if deep_link else ""
            if link is None:
                if role == Role.INSTRUCTOR:
                    return Landing(user=user, context=launch.context, deep_link=launch_id)
                return Landing(user=user, waiting=True)
            join(link.cohort, user, role)
            if deep_link:
                return Landing(user=user, deep_link=launch_id)
            url, graded = _target(launch, link.cohort.course, host)
            if graded:
                passback.remember_line_item(launch=launch, **graded)
            return Landing(user=user, url=url)
    except DataError:
        raise LaunchRefused("The LMS sent a value too long to keep (a name or title).") from None


def cohort_of(context: LtiContext) -> Cohort | None:
    link = CohortLink.objects.select_related("cohort__course").filter(context=context).first()
    return link.cohort if link else None


def link_context(*, context: LtiContext, course: Course, instructor) -> Cohort:
    """The instructor's choice for a new LMS course: a cohort of ``course`` opened for it
    (named after the LMS course), with them as its instructor. A context already linked
    (another instructor was quicker) keeps its cohort."""
    with transaction.atomic():
        existing = CohortLink.objects.select_for_update().filter(context=context).first()
        if existing is not None:
            join(existing.cohort, instructor, Role.INSTRUCTOR)
            return existing.cohort
        name = clip(context.title or context.label or "LMS course", 200)
        cohort = cohort_create(course=course, name=name, created_by=instructor)
        CohortLink.objects.create(context=context, cohort=cohort, created_by=instructor)
        return cohort
