"""What a score change tells the apps above (the LMS link), which the apps that record
scores must not import. Sent once the change is committed; receivers run inside the
request or worker that made it, so they must be quick, queue any real work, and cannot
break what sent them (send_robust; their errors are logged).

- ``quiz_score_changed``: a student made a checkpoint attempt (keywords student_id,
  quiz_id). Exercises have grading.signals.score_changed.
- ``scores_recounted``: every score of a cohort may count differently (its policy
  changed: best or latest attempt; keyword cohort_id).
"""

import logging

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger("descent.scores")

quiz_score_changed = Signal()
scores_recounted = Signal()


def announce(signal: Signal, **facts) -> None:
    """Send ``signal`` with ``facts`` after the current transaction commits."""

    def send():
        for receiver, outcome in signal.send_robust(sender=None, **facts):
            if isinstance(outcome, Exception):
                log.error("event=score_receiver_failed receiver=%r reason=%r", receiver, outcome)

    transaction.on_commit(send)


# Sent at once (not after commit), by the services that move a lesson's last_seen_at
# with an UPDATE (which sends no post_save): keywords user_id, course_id, at. The
# cohort pages' standings listen (grading/standings.py).
lesson_seen = Signal()

# Sent after the commit of a sync that changed the course's rows (keyword course_id): the
# items in its path, or a checkpoint's choices, may be others now (grading/standings.py
# recounts what depends on them).
course_synced = Signal()
