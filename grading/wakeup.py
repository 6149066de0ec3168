"""Waking a client that waits for its verdict, without polling the database.

A request of GET /api/v1/submissions/<id>?wait=N waits until the submission moves on
(queued -> running -> done, refining ended, blocked). The grading services call
``notify(ids)`` wherever they move one; on PostgreSQL that is ``pg_notify`` on
CHANNEL, sent when the transaction that moved it commits (never before the change is
visible). Each web process runs one listener thread with one connection of its own that
LISTENs on CHANNEL and sets the events of the requests waiting on those ids. A waiting
request reads the row once when it starts and once per wake-up, and gives its database
connection back while it waits: 500 waiting clients hold 500 threads, not 500
connections, and cost the database a few queries a minute each instead of five a
second. A change no service announces (the reaper giving up a refinement) is seen when
the client asks again, at the latest after SAFETY_S, the longest wait.

Where notifications cannot work (SQLite, the embedded default; WAIT_NOTIFY=0; the
listener's connection lost and not yet back), waiting falls back to reading the row
every POLL_S. When the listener reconnects, every waiting request re-reads its row:
notifications sent while it was away are lost, and this is how nothing waits on them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.db import connection, transaction

log = logging.getLogger("descent.grading")

CHANNEL = "descent_submissions"
POLL_S = 0.2  # the fallback's period
SAFETY_S = 20.0  # a notified wait still re-reads its row this often
# Woken requests of one process that may use the database at once: 500 clients woken by
# one UPDATE would otherwise open 500 connections together (PostgreSQL allows 100).
WOKEN_AT_ONCE = 16
_slots = threading.BoundedSemaphore(WOKEN_AT_ONCE)
# pg_notify's payload is at most 8000 bytes: ids are sent in batches of this many.
IDS_PER_NOTICE = 500


def notify(submission_ids: Iterable[int]) -> None:
    """Announce that these submissions moved on (on commit of the current transaction,
    if any). Never raises: a lost notification costs a waiting client SAFETY_S at most."""
    ids = [int(i) for i in submission_ids]
    if not ids or connection.vendor != "postgresql" or not enabled():
        return
    try:
        # Its own savepoint in a transaction: a failure here must not leave the caller's
        # transaction aborted. Outside one, each statement commits on its own.
        inside = connection.in_atomic_block
        with transaction.atomic() if inside else nullcontext(), connection.cursor() as cursor:
            for start in range(0, len(ids), IDS_PER_NOTICE):
                payload = ",".join(map(str, ids[start : start + IDS_PER_NOTICE]))
                cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, payload])
    except Exception as exc:
        log.warning("event=notify_failed error=%r", str(exc)[:300])


def enabled() -> bool:
    return getattr(settings, "WAIT_NOTIFY", True)


class _Listener:
    """One per process: a thread that LISTENs and wakes the waiting requests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.waiting: dict[int, set[threading.Event]] = defaultdict(set)
        self.ready = threading.Event()  # set while LISTEN is in force
        self.thread: threading.Thread | None = None
        self.stopping = False

    def start(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="wakeup", daemon=True)
                self.thread.start()

    def add(self, submission_id: int) -> threading.Event:
        event = threading.Event()
        with self.lock:
            self.waiting[submission_id].add(event)
        return event

    def remove(self, submission_id: int, event: threading.Event) -> None:
        with self.lock:
            events = self.waiting.get(submission_id)
            if events is not None:
                events.discard(event)
                if not events:
                    del self.waiting[submission_id]

    def wake(self, ids: Iterable[int] | None) -> None:
        """Set the events of these ids (of every waiting request when None)."""
        with self.lock:
            if ids is None:
                events = [e for group in self.waiting.values() for e in group]
            else:
                events = [e for i in ids for e in self.waiting.get(i, ())]
        for event in events:
            event.set()

    def _run(self) -> None:
        backoff = 0.5
        while not self.stopping:
            try:
                self._listen()
                backoff = 0.5
            except Exception as exc:
                log.warning("event=wakeup_listener_lost error=%r", str(exc)[:300])
            self.ready.clear()
            self.wake(None)  # whatever was announced meanwhile is lost: everyone re-reads
            time.sleep(backoff)
            backoff = min(backoff * 2, 10.0)

    def _listen(self) -> None:
        import psycopg  # only PostgreSQL deployments come here

        params = {
            key: value
            for key, value in connection.get_connection_params().items()
            if key not in ("cursor_factory", "context", "prepare_threshold")
        }
        # TCP keepalives: a connection a NAT or a partition silently dropped is found out
        # within a minute (and everyone re-reads), instead of never.
        keepalive = {
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": 30000,
        }
        with psycopg.connect(**params, **keepalive, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.ready.set()
            self.wake(None)  # changes made before LISTEN took effect: re-read
            while not self.stopping:
                for notice in conn.notifies(timeout=5.0):
                    self.wake(_ids(notice.payload))


def _ids(payload: str) -> list[int]:
    return [int(part) for part in payload.split(",") if part.strip().isdigit()]


_listener = _Listener()


def listening() -> bool:
    """Whether waits are woken by notifications in this process (starting the listener
    on first use; a moment after, it is listening)."""
    if connection.vendor != "postgresql" or not enabled():
        return False
    _listener.start()
    return _listener.ready.wait(timeout=1.0)


def wait_for(submission_id: int, changed: Callable[[], bool], seconds: float) -> bool:
    """Wait up to ``seconds`` for ``changed()`` (one read of the row) to become true;
    whether it did. Notified when possible, else polling every POLL_S."""
    deadline = time.monotonic() + seconds
    if not listening():
        while time.monotonic() < deadline:
            time.sleep(POLL_S)
            if changed():
                return True
        return False
    event = _listener.add(submission_id)
    try:
        if changed():  # after registering: a change from now on sets the event
            return True
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                with woken():  # one last look: a change nobody announced
                    return changed()
            _release_connection()
            event.wait(min(left, SAFETY_S))
            event.clear()
            with woken():
                if changed():
                    return True
    finally:
        _listener.remove(submission_id, event)


@contextmanager
def woken():
    """Database work of a request that waited: at most WOKEN_AT_ONCE at a time in this
    process, and its connection closed after (a persistent connection per waiting thread
    is what this module avoids)."""
    with _slots:
        try:
            yield
        finally:
            _release_connection()


def _release_connection() -> None:
    """Give the database connection back while this thread only waits (outside a
    transaction; the next query opens one)."""
    if not transaction.get_connection().in_atomic_block:
        connection.close()
