"""Waiting for a verdict without polling (grading/wakeup.py): on PostgreSQL a waiting
request is woken by LISTEN/NOTIFY and reads its row a few times, not five times a
second; elsewhere, or with WAIT_NOTIFY off, it polls."""

import threading
import time

import pytest
from django.db import connection, transaction

from grading import wakeup

pytestmark = pytest.mark.django_db(transaction=True)

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="LISTEN/NOTIFY is PostgreSQL's"
)


class Row:
    """Stands for one submission's progress: changed() is one read of the row."""

    def __init__(self):
        self.moved = False
        self.reads = 0

    def changed(self) -> bool:
        self.reads += 1
        return self.moved


def later(seconds: float, action) -> threading.Thread:
    def run():
        time.sleep(seconds)
        action()
        connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@postgres_only
def test_a_wait_is_woken_by_the_notification_and_reads_its_row_a_few_times():
    row = Row()

    def grade():
        row.moved = True
        wakeup.notify([41])

    started = time.monotonic()
    later(1.5, grade)
    assert wakeup.wait_for(41, row.changed, 10)
    took = time.monotonic() - started
    assert 1.4 < took < 2.5
    # Polling every 0.2 s would have read it about 8 times.
    assert row.reads <= 3


@postgres_only
def test_a_notification_for_another_submission_does_not_end_the_wait():
    row = Row()
    later(0.3, lambda: wakeup.notify([7]))
    started = time.monotonic()
    assert not wakeup.wait_for(8, row.changed, 1.0)
    assert time.monotonic() - started >= 0.95
    assert row.reads <= 3


@postgres_only
def test_a_notification_is_sent_when_the_transaction_commits_not_before():
    # A notice sent before the commit would wake the waiter while the change is not yet
    # visible: it would read the row, find nothing, and sleep to the end of its wait.
    row = Row()
    outcome = []
    committed_at = []

    def grade_in_a_transaction():
        with transaction.atomic():
            wakeup.notify([55])
            time.sleep(0.8)  # still inside: nobody may be woken yet
            row.moved = True
        committed_at.append(time.monotonic())

    def wait():
        outcome.append(wakeup.wait_for(55, row.changed, 5))
        outcome.append(time.monotonic())
        connection.close()

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.3)  # the waiter is registered and has read its row once
    later(0, grade_in_a_transaction).join()
    waiter.join(6)
    assert outcome[0] is True
    assert outcome[1] - committed_at[0] < 1.0
    assert row.reads <= 2  # its first read, and the one the commit's notice caused


@postgres_only
def test_a_waiting_request_gives_its_database_connection_back():
    row = Row()
    seen = []

    def wait():
        connection.ensure_connection()
        wakeup.wait_for(9, row.changed, 1.0)
        seen.append(connection.connection)  # None: closed while it waited
        connection.close()

    thread = threading.Thread(target=wait)
    thread.start()
    thread.join(3)
    assert seen == [None]


def test_without_notifications_it_polls(settings):
    settings.WAIT_NOTIFY = False
    row = Row()
    later(0.7, lambda: setattr(row, "moved", True))
    assert wakeup.wait_for(3, row.changed, 5)
    assert row.reads >= 3  # one read every POLL_S until the change


def test_notify_never_raises_on_ids_it_cannot_send():
    wakeup.notify([])
    wakeup.notify(range(wakeup.IDS_PER_NOTICE * 2 + 3))  # split into several notices
