"""Assignment and Grade Services: a student's score goes to the LMS's gradebook.

    a launch of a link to an exercise or a checkpoint, with an AGS claim ─▶ LineItemLink:
        the line item the claim names, or, when it names only the course's container,
        one Descent makes there (find-or-create on the first send: matched by the
        resource link and our resource id, "exercise:<slug>" / "quiz:<slug>", so a
        second worker or a lost answer finds it rather than making another)
    grading.signals.score_changed (graded, regraded, score changed by staff) and
    courses.signals.quiz_score_changed (a checkpoint attempt)
        ─▶ ScoreSync.wanted + 1 for each line item of the item in the student's LMS
           courses; lti.push_score queued (nothing else: it runs in the grading worker
           or the request and must not hold it up)
    lti.push_score (background queue) ─▶ push(): claim, compute the score that counts
        under the cohort's policy (best or latest attempt, score changed by staff, late
        penalty), POST it to the line item's /scores with a token from the platform
        (pylti1p3's ServiceConnector over a BoundedSession: this LMS's hosts or public
        addresses only), record it; on failure wait and retry (5 s doubling to an hour);
        lti.sweep_scores (beat) requeues what is due in case a message was lost.

A score is sent as activity "Completed" and grading "FullyGraded", with a timestamp; the
LMS keeps the latest. A change made while a send is under way is sent after it.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from lti_tool.models import LtiUser
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from courses.models import Cohort, Membership, QuizAttempt
from courses.selectors import counted_quiz_score
from grading import queues
from grading.models import Submission
from grading.selectors import counted_score

from .config import BoundedSession
from .deep_linking import TAG
from .models import LineItemLink, ScoreSync

log = logging.getLogger("descent.lti")

PUSH_TASK = "lti.push_score"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
RESOURCE_LINK = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
# A claim older than this is a worker that died mid-send: another may take it.
CLAIM_FOR = timedelta(minutes=2)
FIRST_WAIT_S = 5
LONGEST_WAIT_S = 3600
# Pages of the LMS's line items read while looking for one Descent made before.
MAX_LINE_ITEM_PAGES = 20


def _web_url(value) -> str | None:
    if isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) <= 500:
        return value
    return None


def remember_line_item(*, launch, exercise=None, quiz=None) -> LineItemLink | None:
    """The line item scores of ``exercise`` or ``quiz`` go to, from a launch of a link to
    it: the one the AGS claim names, else one to make in the claim's container. None
    when the LMS lets Descent send no scores there."""
    claim = launch.get_claim(AGS)
    if not isinstance(claim, dict):
        return None
    scopes = claim.get("scope") if isinstance(claim.get("scope"), list) else []
    if SCORE_SCOPE not in scopes:
        return None
    item = {"exercise": exercise} if exercise is not None else {"quiz": quiz}
    url = _web_url(claim.get("lineitem"))
    if url is not None:
        lookup, defaults = {"url": url}, {"context": launch.context, **item}
    else:
        container = _web_url(claim.get("lineitems"))
        link_claim = launch.get_claim(RESOURCE_LINK)
        resource_link = link_claim.get("id") if isinstance(link_claim, dict) else None
        if container is None or LINEITEM_SCOPE not in scopes:
            return None
        if not isinstance(resource_link, str) or not 0 < len(resource_link) <= 255:
            return None
        # Found again by the link, whether or not its line item has been made yet.
        known = LineItemLink.objects.filter(
            context=launch.context, resource_link_id=resource_link, **item
        ).first()
        if known is not None:
            return known
        lookup = {"context": launch.context, "resource_link_id": resource_link, "url": None}
        defaults = {"container_url": container, **item}
    try:
        with transaction.atomic():
            link, _ = LineItemLink.objects.get_or_create(**lookup, defaults=defaults)
    except IntegrityError:
        link = LineItemLink.objects.filter(**lookup).first()
    return link


def wait_s(attempts: int) -> int:
    return min(FIRST_WAIT_S * 2 ** max(attempts - 1, 0), LONGEST_WAIT_S)


def publish(task: str, *args) -> bool:
    """Send a task by name (grading.queues.send); False, and a log line, when the broker
    will not take it: the sweep, or the person pressing again, sends it later."""
    try:
        queues.send(task, *args)
    except Exception as exc:  # the broker's own errors vary by transport
        log.error("event=lti_task_not_queued task=%s args=%r reason=%r", task, args, exc)
        return False
    return True


def queue(sync_id: int) -> None:
    publish(PUSH_TASK, sync_id)


def _want(student_id: int, **item) -> None:
    links = list(
        LineItemLink.objects.filter(
            **item, context__cohort_link__cohort__memberships__user_id=student_id
        ).values_list("id", flat=True)
    )
    for link_id in links:
        sync, _ = ScoreSync.objects.get_or_create(link_id=link_id, user_id=student_id)
        ScoreSync.objects.filter(pk=sync.pk).update(wanted=F("wanted") + 1)
        transaction.on_commit(lambda sync_id=sync.pk: queue(sync_id))


def on_score_changed(*, student_id: int, exercise_id: int, **kwargs) -> None:
    """grading.signals.score_changed: one query when the exercise is in no LMS."""
    _want(student_id, exercise_id=exercise_id)


def on_quiz_score_changed(*, student_id: int, quiz_id: int, **kwargs) -> None:
    """courses.signals.quiz_score_changed: one query when the checkpoint is in no LMS."""
    _want(student_id, quiz_id=quiz_id)


def on_scores_recounted(*, cohort_id: int, **kwargs) -> None:
    """courses.signals.scores_recounted: the cohort counts scores another way now."""
    cohort = Cohort.objects.filter(pk=cohort_id).first()
    if cohort is not None:
        resend(cohort)


def _attempted(link: LineItemLink, user_ids) -> list[int]:
    """Of ``user_ids``, the students with a score on the link's item."""
    if link.exercise_id:
        rows = Submission.objects.filter(
            exercise_id=link.exercise_id, state=Submission.State.DONE, student_id__in=user_ids
        ).values_list("student_id", flat=True)
    else:
        rows = QuizAttempt.objects.filter(quiz_id=link.quiz_id, user_id__in=user_ids).values_list(
            "user_id", flat=True
        )
    return list(rows.order_by().distinct())  # no default ordering to make rows distinct


def resend(cohort: Cohort, links=None) -> int:
    """Ask for a send of every score the cohort's students (those who came from the LMS)
    have in ``links`` (default: every line item of its LMS courses); queued once
    committed. How many."""
    if links is None:
        links = LineItemLink.objects.filter(context__cohort_link__cohort=cohort).select_related(
            "context__deployment"
        )
    students = Membership.objects.filter(cohort=cohort, role=Membership.Role.STUDENT).values(
        "user_id"
    )
    wanted = []
    with transaction.atomic():
        for link in links:
            from_lms = LtiUser.objects.filter(
                registration_id=link.context.deployment.registration_id,
                auth_user_id__in=students,
            ).values("auth_user_id")
            for user_id in _attempted(link, from_lms):
                sync, _ = ScoreSync.objects.get_or_create(link=link, user_id=user_id)
                wanted.append(sync.pk)
        ScoreSync.objects.filter(pk__in=wanted).update(wanted=F("wanted") + 1)
        for sync_id in wanted:
            transaction.on_commit(lambda sync_id=sync_id: queue(sync_id))
    return len(wanted)


def _claim(sync_id: int, now) -> bool:
    return bool(
        ScoreSync.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_FOR),
            pk=sync_id,
            wanted__gt=F("sent"),
        ).update(claimed_at=now)
    )


# One service connector per registration, renewed well inside a token's usual hour: it
# keeps the platform's access token, so a burst of scores asks for one token, not one
# each (pylti1p3 keeps tokens per connector, and never expires them itself).
CONNECTOR_FOR_S = 30 * 60
_connectors: dict[tuple, tuple[float, ServiceConnector]] = {}
_connectors_lock = threading.Lock()


def _connector(registration) -> ServiceConnector:
    # Keyed by what the token depends on: an edited registration gets a new connector.
    key = (registration.pk, registration.client_id, registration.token_url,
           registration.datetime_modified)  # fmt: skip
    now = time.monotonic()
    with _connectors_lock:
        made = _connectors.get(key)
        if made is None or now - made[0] > CONNECTOR_FOR_S:
            connector = ServiceConnector(
                registration.to_registration(), requests_session=BoundedSession(registration)
            )
            made = _connectors[key] = (now, connector)
        return made[1]


def forget_connector(registration_id: int) -> None:
    """After a refusal, ask for a fresh token next time (it may have been revoked)."""
    with _connectors_lock:
        for key in [key for key in _connectors if key[0] == registration_id]:
            del _connectors[key]


def _service(registration, **data) -> AssignmentsGradesService:
    return AssignmentsGradesService(
        _connector(registration), {"scope": [LINEITEM_SCOPE, SCORE_SCOPE], **data}
    )


def _made_line_item(link: LineItemLink, registration) -> str:
    """The URL of the line item Descent keeps for ``link`` in the LMS's container: found
    there (made by an earlier send whose answer was lost) or made now. The row is
    locked meanwhile, so two workers cannot both make one."""
    with transaction.atomic():
        row = LineItemLink.objects.select_for_update().get(pk=link.pk)
        if row.url:
            return row.url
        key = row.item_key
        service = _service(registration, lineitems=row.container_url)
        found = None
        page_url = _with_query(row.container_url, resource_link_id=row.resource_link_id)
        for _ in range(MAX_LINE_ITEM_PAGES):
            items, page_url = service.get_lineitems_page(page_url)
            found = next(
                (
                    entry for entry in items
                    if isinstance(entry, dict) and entry.get("resourceId") == key
                    and entry.get("resourceLinkId") == row.resource_link_id
                ),
                None,
            )  # fmt: skip
            if found is not None or not page_url:
                break
        if found is None:
            title = row.item_title
            found = _connector(registration).make_service_request(
                [LINEITEM_SCOPE, SCORE_SCOPE],
                row.container_url,
                is_post=True,
                data=LineItem()
                .set_label(title[:200])
                .set_score_maximum(row.maximum)
                .set_resource_id(key)
                .set_resource_link_id(row.resource_link_id)
                .set_tag(TAG)
                .get_value(),
                content_type="application/vnd.ims.lis.v2.lineitem+json",
                accept="application/vnd.ims.lis.v2.lineitem+json",
            )["body"]
        url = _web_url(found.get("id") if isinstance(found, dict) else None)
        if url is None:
            raise LtiException("the LMS answered without the new line item's address")
        if not LineItemLink.objects.filter(url=url).exclude(pk=row.pk).exists():
            LineItemLink.objects.filter(pk=row.pk).update(url=url)
        return url


def _with_query(url: str, **params) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))


def _send(sync: ScoreSync, score: float) -> None:
    link = sync.link
    registration = link.context.deployment.registration
    lti_user = LtiUser.objects.filter(registration=registration, auth_user_id=sync.user_id).first()
    if lti_user is None:
        raise LtiException("the student has no account on this LMS")
    url = link.url or _made_line_item(link, registration)
    maximum = link.maximum
    grade = (
        Grade()
        .set_score_given(round(score * maximum, 4))
        .set_score_maximum(maximum)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp(timezone.now().isoformat())
        .set_user_id(lti_user.sub)
    )
    _service(registration, lineitem=url).put_grade(grade)


def _counted(sync: ScoreSync) -> float | None:
    """The score that counts for the student, under their LMS cohort's policy."""
    link = sync.link
    policy = link.context.cohort_link.cohort.score_policy
    if link.exercise_id:
        return counted_score(student_id=sync.user_id, exercise_id=link.exercise_id, policy=policy)
    return counted_quiz_score(student_id=sync.user_id, quiz_id=link.quiz_id, policy=policy)


def push(sync_id: int) -> str:
    """Send one student's score to one line item if it changed since the last send.
    'sent', 'nothing' (up to date, or another worker has it) or 'retry' (failed; the
    row says when to try again)."""
    now = timezone.now()
    if not _claim(sync_id, now):
        return "nothing"
    sync = ScoreSync.objects.select_related(
        "link__exercise", "link__quiz", "link__context__deployment__registration",
        "link__context__cohort_link__cohort",
    ).get(pk=sync_id)  # fmt: skip
    wanted = sync.wanted
    score = _counted(sync)
    try:
        if score is not None:
            _send(sync, score)
    except Exception as exc:  # the LMS down, refusing, slow: the same for the student
        forget_connector(sync.link.context.deployment.registration_id)
        attempts = sync.attempts + 1
        ScoreSync.objects.filter(pk=sync_id).update(
            claimed_at=None,
            attempts=attempts,
            next_attempt_at=timezone.now() + timedelta(seconds=wait_s(attempts)),
            last_error=str(exc)[:500],
        )
        log.warning("event=score_push_failed sync=%s attempts=%d reason=%r", sync_id, attempts, exc)
        return "retry"
    ScoreSync.objects.filter(pk=sync_id).update(
        sent=wanted,
        claimed_at=None,
        attempts=0,
        next_attempt_at=None,
        last_error="",
        sent_score=score,
        sent_at=timezone.now(),
    )
    if ScoreSync.objects.filter(pk=sync_id, wanted__gt=F("sent")).exists():
        queue(sync_id)  # changed while this one was on its way
    return "sent"


def due_syncs(now=None) -> list[int]:
    """Scores waiting to go whose wait is over (for the sweep)."""
    now = now or timezone.now()
    return list(
        ScoreSync.objects.filter(wanted__gt=F("sent"))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_FOR))
        .values_list("id", flat=True)[:1000]
    )
