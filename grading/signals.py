"""What grading tells the apps above it, which it must not import: a student's score on
an exercise may have changed (a submission graded or regraded, or its score changed by
staff). Sent once the change is committed, as courses.signals explains (checkpoint
attempts have their own signal there)."""

from django.dispatch import Signal

from courses.signals import announce

# Keyword arguments: student_id, exercise_id.
score_changed = Signal()


def announce_score(*, student_id: int, exercise_id: int) -> None:
    announce(score_changed, student_id=student_id, exercise_id=exercise_id)
