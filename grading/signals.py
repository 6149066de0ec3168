"""What grading tells the apps above it, which it must not import: a student's score on
an exercise may have changed (a submission graded or regraded, or its score changed by
staff). Sent once the change is committed. Receivers run inside grading (a worker, a
request): they must be quick, queue any real work, and cannot break grading (send_robust;
their errors are logged)."""

import logging

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger("descent.grading")

# Keyword arguments: student_id, exercise_id.
score_changed = Signal()


def announce_score(*, student_id: int, exercise_id: int) -> None:
    def send():
        for receiver, outcome in score_changed.send_robust(
            sender=None, student_id=student_id, exercise_id=exercise_id
        ):
            if isinstance(outcome, Exception):
                log.error("event=score_receiver_failed receiver=%r reason=%r", receiver, outcome)

    transaction.on_commit(send)
