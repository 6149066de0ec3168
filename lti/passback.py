"""Assignment and Grade Services: a student's score goes to the LMS's gradebook.

    launch of a link to an exercise, with an AGS line item ─▶ LineItemLink
    grading.signals.score_changed (graded, regraded, score changed by staff)
        ─▶ on_score_changed: ScoreSync.wanted + 1 for each line item of the exercise in
           the student's LMS courses; lti.push_score queued (nothing else: it runs in
           the grading worker and must not hold it up)
    lti.push_score (background queue) ─▶ push(): claim, compute the score that counts
        (best attempt, score changed by staff, late penalty), POST it to the line item's
        /scores with a token from the platform (pylti1p3's ServiceConnector), record it;
        on failure wait and retry (5 s doubling to an hour); lti.sweep_scores (beat)
        requeues what is due in case a message was lost.

A score is sent as activity "Completed" and grading "FullyGraded", with a timestamp; the
LMS keeps the latest. A change made while a send is under way is sent after it.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from lti_tool.models import LtiUser
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector

from courses.models import Exercise
from grading import queues
from grading.selectors import counted_score

from .config import BoundedSession
from .models import LineItemLink, ScoreSync

log = logging.getLogger("descent.lti")

PUSH_TASK = "lti.push_score"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
# A claim older than this is a worker that died mid-send: another may take it.
CLAIM_FOR = timedelta(minutes=2)
FIRST_WAIT_S = 5
LONGEST_WAIT_S = 3600


def remember_line_item(*, launch, exercise: Exercise) -> LineItemLink | None:
    """The line item a launch of a link to ``exercise`` carries, if the LMS gave one."""
    claim = launch.get_claim(AGS) or {}
    url = claim.get("lineitem")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")) or len(url) > 500:
        return None
    if SCORE_SCOPE not in (claim.get("scope") or []):
        return None
    try:
        with transaction.atomic():
            link, _ = LineItemLink.objects.get_or_create(
                url=url, defaults={"context": launch.context, "exercise": exercise}
            )
    except IntegrityError:
        link = LineItemLink.objects.filter(url=url).first()
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


def on_score_changed(*, student_id: int, exercise_id: int, **kwargs) -> None:
    """grading.signals.score_changed: one query when the exercise is in no LMS."""
    links = list(
        LineItemLink.objects.filter(
            exercise_id=exercise_id,
            context__cohort_link__cohort__memberships__user_id=student_id,
        ).values_list("id", flat=True)
    )
    for link_id in links:
        sync, _ = ScoreSync.objects.get_or_create(link_id=link_id, user_id=student_id)
        ScoreSync.objects.filter(pk=sync.pk).update(wanted=F("wanted") + 1)
        transaction.on_commit(lambda sync_id=sync.pk: queue(sync_id))


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
                registration.to_registration(), requests_session=BoundedSession()
            )
            made = _connectors[key] = (now, connector)
        return made[1]


def forget_connector(registration_id: int) -> None:
    """After a refusal, ask for a fresh token next time (it may have been revoked)."""
    with _connectors_lock:
        for key in [key for key in _connectors if key[0] == registration_id]:
            del _connectors[key]


def _send(sync: ScoreSync, score: float) -> None:
    link = sync.link
    registration = link.context.deployment.registration
    lti_user = LtiUser.objects.filter(registration=registration, auth_user_id=sync.user_id).first()
    if lti_user is None:
        raise LtiException("the student has no account on this LMS")
    maximum = float(link.exercise.points)
    grade = (
        Grade()
        .set_score_given(round(score * maximum, 4))
        .set_score_maximum(maximum)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp(timezone.now().isoformat())
        .set_user_id(lti_user.sub)
    )
    connector = _connector(registration)
    service = AssignmentsGradesService(connector, {"scope": [SCORE_SCOPE], "lineitem": link.url})
    service.put_grade(grade)


def push(sync_id: int) -> str:
    """Send one student's score to one line item if it changed since the last send.
    'sent', 'nothing' (up to date, or another worker has it) or 'retry' (failed; the
    row says when to try again)."""
    now = timezone.now()
    if not _claim(sync_id, now):
        return "nothing"
    sync = ScoreSync.objects.select_related(
        "link__exercise", "link__context__deployment__registration"
    ).get(pk=sync_id)
    wanted = sync.wanted
    score = counted_score(student_id=sync.user_id, exercise_id=sync.link.exercise_id)
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
