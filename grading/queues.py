"""What crosses the broker: the tasks' names, and sending one by name.

Code that queues work (a service saving a submission, the reaper, a regrade) names the
task instead of importing its module: tasks import services, never the reverse. The
queue each task goes to is settings.CELERY_TASK_ROUTES, keyed by these names.
"""

from celery import current_app

PING = "grading.ping"
GRADE = "grading.grade_submission"
REFINE = "grading.refine_submission"
REAP = "grading.reap_stuck_submissions"
REGRADE_START = "grading.regrade_start"
REGRADE_CHUNK = "grading.regrade_chunk"


def send(task: str, *args) -> None:
    """Publish one message; raises what the broker raises when it cannot take it (after
    the brief retries of CELERY_TASK_PUBLISH_RETRY_POLICY). No result is kept: every
    outcome is in the database, and a result the sender waits on would tie publishing
    to the result store (unreachable with the broker when Redis is down)."""
    current_app.send_task(task, args=args, ignore_result=True)
