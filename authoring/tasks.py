"""The authoring app's Celery tasks, on the regrade queue (config/settings.py): a course
sync and a "Try it" run. Each claims its row (queued -> running, one winner) and needs
this process's sandbox (grading.sandbox_pool): a worker whose isolation self-test fails
refuses, and the sync or try fails with that reason instead of grading unjailed."""

from __future__ import annotations

from celery import shared_task
from django.db import close_old_connections

from grading.sandbox_pool import worker_sandbox

from .services import SYNC_TASK, TRY_TASK, sync_execute
from .tries import try_execute


@shared_task(name=SYNC_TASK, soft_time_limit=900, time_limit=960, acks_late=True)
def sync(run_id: int) -> str | None:
    close_old_connections()
    return sync_execute(run_id=run_id, get_sandbox=worker_sandbox)


@shared_task(name=TRY_TASK, soft_time_limit=300, time_limit=330, acks_late=True)
def try_exercise(try_id: int) -> str | None:
    close_old_connections()
    return try_execute(try_id=try_id, get_sandbox=worker_sandbox)
