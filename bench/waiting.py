"""Clients waiting for their verdicts: what they cost the database, polling vs notified.

Starts the web as production does (tests/stack.py: gunicorn with threaded workers on a
throwaway PostgreSQL database, DEBUG off) with enough threads for every client, and no
grading worker, so every submission stays queued. N clients (default 500) each hold
`GET /api/v1/submissions/<id>?wait=20&seen=queued` on a submission of their own. While
they wait, the bench reads PostgreSQL's own counters for the database (pg_stat_database:
transactions committed; pg_stat_activity: connections open) over a window, then marks
every submission graded the way a worker does (one UPDATE and the notification) and
times how long each client takes to get its answer.

It runs twice in one go: with WAIT_NOTIFY=0 (every waiting request reads its row every
200 ms: the design before grading/wakeup.py) and with notifications (LISTEN/NOTIFY),
and prints both side by side.

Run: .venv/bin/python bench/waiting.py [--clients 500] [--window 10]
(PostgreSQL on 127.0.0.1:5432, as tests/stack.py expects.)
"""

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grading.wakeup import CHANNEL, IDS_PER_NOTICE  # noqa: E402 - no Django needed
from tests.stack import Stack  # noqa: E402 - after the path above

SETUP = """
import django; django.setup()
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from courses.models import Exercise
from grading.models import Submission
student = User.objects.create_user("waiter", password="pw-wait-12345")
exercise = Exercise.objects.filter(is_active=True).order_by("id").first()
rows = Submission.objects.bulk_create(
    Submission(student=student, exercise=exercise, source=f"# {i}", source_sha256=f"{i:064d}",
               attempt=i + 1)
    for i in range({count})
)
print(Token.objects.create(user=student).key)
print(" ".join(str(row.uuid) for row in rows))
"""


def grade_all(conn) -> float:
    """Mark every queued submission graded, as a worker's submission_finish does (the
    UPDATE, then the notice for the waiting clients: grading/wakeup.py's channel and
    payload), on a connection opened before the clients came; when it committed."""
    ids = [row[0] for row in conn.execute(
        "UPDATE grading_submission SET state = 'done', verdict = 'passed', score = 1.0, "
        "finished_at = now() WHERE state = 'queued' RETURNING id"
    )]  # fmt: skip
    for start in range(0, len(ids), IDS_PER_NOTICE):
        payload = ",".join(map(str, ids[start : start + IDS_PER_NOTICE]))
        conn.execute("SELECT pg_notify(%s, %s)", [CHANNEL, payload])
    return time.time()


WARM_UP_S = 12


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def database_counters(admin, database: str) -> tuple[int, int]:
    """(transactions committed so far, connections open now) of the database, read on a
    connection opened before the clients came (polling 500 of them can leave PostgreSQL
    with no connection to spare)."""
    admin.execute("SELECT pg_stat_clear_snapshot()")
    committed = admin.execute(
        "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", [database]
    ).fetchone()[0]
    connections = admin.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [database]
    ).fetchone()[0]
    return committed, connections


def run(clients: int, window: float, notify: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="descent-wait-") as workdir:
        stack = Stack(Path(workdir), WAIT_NOTIFY="1" if notify else "0")
        try:
            stack.prepare()
            out = stack.manage(code=SETUP.replace("{count}", str(clients))).split("\n")
            token, ids = out[-3].strip(), out[-2].split()
            # Threads for every client and a few to spare; two processes as on 2 cores.
            stack.start_web(workers=2, threads=clients // 2 + 16)
            answered: dict[str, float] = {}
            statuses: dict[str, int] = {}

            def wait(uuid: str):
                # As the exercise page does: ask again with what it saw until it moves.
                conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=60)
                try:
                    while True:
                        conn.request(
                            "GET",
                            f"/api/v1/submissions/{uuid}?wait=20&seen=queued",
                            headers={"Authorization": f"Token {token}"},
                        )
                        response = conn.getresponse()
                        body = json.loads(response.read() or b"{}")
                        statuses[uuid] = response.status
                        if response.status != 200 or body.get("state") != "queued":
                            break
                except (OSError, ValueError):
                    statuses[uuid] = 0
                finally:
                    answered[uuid] = time.time()
                    conn.close()

            admin = psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True)
            grader = psycopg.connect(stack.env["DATABASE_URL"], autocommit=True)
            threads = [threading.Thread(target=wait, args=(u,)) for u in ids]
            for thread in threads:
                thread.start()
            # Every client connected and waiting, and what they did before waiting counted:
            # an idle PostgreSQL backend reports its counts up to 10 s late.
            time.sleep(WARM_UP_S)
            first, _ = database_counters(admin, stack.database)
            started = time.monotonic()
            time.sleep(window)
            last, connections = database_counters(admin, stack.database)
            elapsed = time.monotonic() - started
            graded_at = grade_all(grader)
            for thread in threads:
                thread.join(40)
            admin.close()
            grader.close()
            late = [
                answered[u] - graded_at for u in ids if u in answered and answered[u] >= graded_at
            ]
            return {
                "mode": "notified (LISTEN/NOTIFY)" if notify else "polling every 200 ms",
                "clients": clients,
                "ok": sum(1 for u in ids if statuses.get(u) == 200),
                "failed": sum(1 for u in ids if statuses.get(u) != 200),
                "tps": (last - first) / elapsed,
                "connections": connections,
                "wake_p50": statistics.median(late) * 1000 if late else float("nan"),
                "wake_p95": percentile(late, 0.95) * 1000 if late else float("nan"),
            }
        finally:
            _retrying(stack.stop)


def settle(timeout: float = 120) -> None:
    """Wait until the server's connections from an earlier run are gone: the polling run
    leaves PostgreSQL full, and the next run would start with none to spare."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres") as conn:
                if conn.execute("SELECT count(*) FROM pg_stat_activity").fetchone()[0] < 30:
                    return
        except psycopg.OperationalError:
            pass
        time.sleep(2)


def _retrying(action, attempts: int = 10):
    """action(), again after a pause while PostgreSQL has no connection to spare."""
    for attempt in range(attempts):
        try:
            return action()
        except Exception:
            if attempt == attempts - 1:
                raise
            time.sleep(3)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--window", type=float, default=10.0, help="seconds measured")
    parser.add_argument(
        "--only", choices=("polling", "notified"), help="one of the two designs (default both)"
    )
    options = parser.parse_args()
    modes = {"polling": [False], "notified": [True], None: [False, True]}[options.only]
    results = []
    for notify in modes:
        settle()
        results.append(run(options.clients, options.window, notify))
    print()
    print(
        f"{'while clients wait':28} {'clients':>7} {'answered':>9} {'failed':>7} "
        f"{'DB xact/s':>10} {'per client':>10} {'DB conns':>9} {'wake p50 ms':>12} "
        f"{'wake p95 ms':>12}"
    )
    for r in results:
        print(
            f"{r['mode']:28} {r['clients']:7} {r['ok']:9} {r['failed']:7} {r['tps']:10.1f} "
            f"{r['tps'] / max(1, r['ok']):10.2f} {r['connections']:9} {r['wake_p50']:12.0f} "
            f"{r['wake_p95']:12.0f}"
        )
    if len(results) == 2:
        before, after = results
        ratio = f"{before['tps'] / after['tps']:.0f}x" if after["tps"] else "no reads at all"
        print(f"\ndatabase transactions per second while waiting, polling / notified: {ratio}")
    print(
        "(DB xact/s: transactions committed per second in the bench's database while the "
        "clients waited, from pg_stat_database; every read outside a transaction is one; per "
        "client: over the clients that were answered, i.e. that could wait at all. "
        "'failed': a request that did not get its 200, e.g. no database connection left.)"
    )


if __name__ == "__main__":
    main()
