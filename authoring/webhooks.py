"""Push webhooks: GitHub and GitLab tell Descent a branch moved, and the source syncs.

POST /hooks/git/<hook id>/ — the id names the source (a random UUID, so the URL is not
guessable), and the sender proves it knows the source's secret:

    GitHub  X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body with the secret>,
            X-GitHub-Event: push (ping is answered), X-GitHub-Delivery: <id>
    GitLab  X-Gitlab-Token: <the secret>, X-Gitlab-Event: Push Hook,
            X-Gitlab-Event-UUID: <id> (older GitLab sends none: the pushed commit is used)

Both compare in constant time. Replays are harmless twice over: a delivery id is acted
on once (WebhookDelivery's unique constraint), and a sync only ever fetches the branch's
current head, so an old payload cannot bring back an old commit. A push to another
branch, or of a commit that is already a version, is answered and ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .models import CourseSource, SyncRun, WebhookDelivery

log = logging.getLogger("descent.authoring")

MAX_BODY = 1024 * 1024


def _answer(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


def _github(request, source: CourseSource, body: bytes) -> tuple[str, str] | JsonResponse:
    signature = request.headers.get("X-Hub-Signature-256", "")
    expected = (
        "sha256=" + hmac.new(source.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    )
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return _answer(403, "signature does not match the source's secret")
    return request.headers.get("X-GitHub-Event", ""), request.headers.get("X-GitHub-Delivery", "")


def _gitlab(request, source: CourseSource) -> tuple[str, str] | JsonResponse:
    token = request.headers.get("X-Gitlab-Token", "")
    if not hmac.compare_digest(token.encode(), source.webhook_secret.encode()):
        return _answer(403, "token does not match the source's secret")
    event = "push" if request.headers.get("X-Gitlab-Event") == "Push Hook" else "other"
    return event, request.headers.get("X-Gitlab-Event-UUID", "")


@csrf_exempt
@require_POST
def push(request, hook_id):
    source = get_object_or_404(CourseSource, hook_id=hook_id)
    length = request.headers.get("Content-Length", "0")
    if not length.isdigit() or int(length) > MAX_BODY:
        return _answer(413, f"the body must be at most {MAX_BODY} bytes")
    body = request.body
    if "X-Hub-Signature-256" in request.headers:
        kind, checked = "github", _github(request, source, body)
    elif "X-Gitlab-Token" in request.headers:
        kind, checked = "gitlab", _gitlab(request, source)
    else:
        return _answer(403, "no X-Hub-Signature-256 or X-Gitlab-Token header")
    if isinstance(checked, JsonResponse):
        log.warning("event=webhook_refused source=%s kind=%s", source.pk, kind)
        return checked
    event, delivery = checked
    if event == "ping":
        return _answer(200, "pong")
    if event != "push":
        return _answer(202, f"ignored: only push events start a sync, not {event or 'this'}")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _answer(400, "the body is not JSON")
    if not isinstance(payload, dict) or not isinstance(payload.get("ref"), str):
        return _answer(400, "a push payload names its ref")
    if payload["ref"] != f"refs/heads/{source.branch}":
        return _answer(202, f"ignored: a push to {payload['ref']}, not to {source.branch}")
    after = payload.get("after") if isinstance(payload.get("after"), str) else ""
    delivery = (delivery or after)[:100]
    if not delivery:
        return _answer(400, "no delivery id and no pushed commit")
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(source=source, delivery=delivery, kind=kind)
    except IntegrityError:
        return _answer(202, "ignored: this delivery was already received")
    if after and source.versions.filter(sha=after).exists():
        return _answer(202, "ignored: that commit is already a version")
    try:
        run = services.sync_start(source=source, trigger=SyncRun.Trigger.WEBHOOK)
    except services.SyncBusy:
        return _answer(409, "a sync of this source is running; push again or press Sync later")
    log.info("event=webhook_sync source=%s kind=%s run=%s", source.pk, kind, run.pk)
    return _answer(202, f"sync {run.pk} started")
