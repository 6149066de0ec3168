"""When a student is flagged: the rules alone, without a database."""

from datetime import UTC, datetime, timedelta

import pytest

from teaching.rules import FAILED_ATTEMPTS_STRUGGLING, idle_reason, struggling_reason

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failed", "passed", "reason"),
    [
        (FAILED_ATTEMPTS_STRUGGLING - 1, False, None),
        (
            FAILED_ATTEMPTS_STRUGGLING,
            False,
            f"{FAILED_ATTEMPTS_STRUGGLING} failed attempts on Adam",
        ),
        (FAILED_ATTEMPTS_STRUGGLING + 9, True, None),
    ],
)
def test_a_student_is_struggling_after_enough_failures_without_a_pass(failed, passed, reason):
    assert struggling_reason(failed=failed, passed=passed, title="Adam") == reason


def test_a_student_active_within_the_window_is_not_idle():
    recent = NOW - timedelta(days=6, hours=23)
    assert idle_reason(last_activity=recent, joined_at=NOW, now=NOW, idle_days=7) is None


def test_a_student_quiet_for_the_window_has_made_no_progress():
    last = NOW - timedelta(days=9)
    reason = idle_reason(
        last_activity=last, joined_at=NOW - timedelta(days=30), now=NOW, idle_days=7
    )
    assert reason == "no progress for 9 days"


def test_a_student_who_never_did_anything_counts_from_joining():
    joined = NOW - timedelta(days=3)
    assert idle_reason(last_activity=None, joined_at=joined, now=NOW, idle_days=7) is None
    assert (
        idle_reason(last_activity=None, joined_at=joined, now=NOW, idle_days=2)
        == "no activity in 3 days"
    )
