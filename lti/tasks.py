"""LTI's background work: scores to the LMS (lti/passback.py)."""

from celery import shared_task

from . import passback, roster


@shared_task(name=passback.PUSH_TASK, bind=True, soft_time_limit=60, time_limit=90, acks_late=True)
def push_score(self, sync_id: int) -> str:
    outcome = passback.push(sync_id)
    if outcome == "retry":
        attempts = passback.ScoreSync.objects.filter(pk=sync_id).values_list("attempts", flat=True)
        wait = passback.wait_s(next(iter(attempts), 1))
        # Unlimited: the sweep would send it anyway; the row keeps the count and the error.
        self.retry(countdown=wait, max_retries=None)
    return outcome


@shared_task(name="lti.sweep_scores", soft_time_limit=60, time_limit=90)
def sweep_scores() -> int:
    """Requeue scores whose wait is over: a lost message or a retry that never came."""
    due = passback.due_syncs()
    for sync_id in due:
        passback.queue(sync_id)
    return len(due)


@shared_task(name="lti.sync_roster", soft_time_limit=600, time_limit=660)
def sync_roster(link_id: int) -> str:
    report = roster.sync_recorded(link_id)
    return report.summary if report else "unavailable"


@shared_task(name="lti.sync_rosters", soft_time_limit=3000, time_limit=3300)
def sync_rosters() -> int:
    return roster.sync_all()
