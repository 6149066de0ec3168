"""Fault injection against the real stack (tests/stack.py): PostgreSQL, a private broker
this suite may kill (a Redis, then a RabbitMQ node: every test runs on both), gunicorn,
beat and Celery workers started as separate process groups. Each test breaks one thing
the way production breaks and checks that every submission ends graded, exactly once:
one `event=graded ... recorded=True` line in all the workers' logs together, and a
finished row.

The reaper runs every 2 s here and its thresholds are short (GRADING_STALE_S=15,
QUEUED_STALE_S=8), so recoveries that take a minute or two in production take seconds.
(The database outage is tested in tests/config/test_health.py.)
"""

from __future__ import annotations

import re
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest

from tests.stack import (
    RabbitNode,
    RedisServer,
    Stack,
    answers,
    children,
    rabbitmq_server,
    wait_for,
)

# The first test of each broker also pays for starting the stack (a broker node,
# migrations, the web, beat: about 45 s with RabbitMQ on two cores).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

RIGHT = """import numpy as np


def mse_loss(y_pred, y_true):
    miss = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return float(np.mean(miss * miss))
"""
WRONG = """import numpy as np


def mse_loss(y_pred, y_true):
    return float(np.sum((np.asarray(y_pred) - np.asarray(y_true)) ** 2))
"""
# Slow but harmless: a grading of it lasts several seconds, long enough to kill its worker.
SLOW = """import time

import numpy as np


def mse_loss(y_pred, y_true):
    time.sleep(0.4)
    miss = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return float(np.mean(miss * miss))
"""


# What a deploy leaves on RabbitMQ before any traffic: every task queue, and the
# exchanges and queues of native delayed delivery (retries with a countdown).
DECLARE_TOPOLOGY = """
import django; django.setup()
from celery import current_app as app
from kombu.transport import native_delayed_delivery as delayed
with app.connection_for_write() as conn:
    delayed.declare_native_delayed_delivery_exchanges_and_queues(conn, "quorum")
    for queue in app.amqp.queues.values():
        queue(conn.default_channel).declare()
        delayed.bind_queue_to_native_delayed_delivery_exchange(conn, queue)
"""


def start_broker(kind: str, workdir: Path) -> tuple[RedisServer | RabbitNode, dict]:
    if kind == "redis":
        if not shutil.which("redis-server"):
            pytest.skip("the fault suite needs redis-server")
        redis = RedisServer(workdir).start()
        return redis, {"redis_url": redis.url}
    if not rabbitmq_server():
        pytest.skip("the fault suite needs rabbitmq-server")
    node = RabbitNode(workdir).start()
    return node, {"broker_url": node.url}


@pytest.fixture(scope="module", params=["redis", "rabbitmq"])
def stack(request):
    if not answers(5432):
        pytest.skip("the fault suite needs PostgreSQL")
    workdir = Path(tempfile.mkdtemp(prefix="descent-faults-"))
    broker, urls = start_broker(request.param, workdir)
    stack = Stack(
        workdir,
        **urls,
        SUBMISSION_RATE="100000/min",
        SUBMISSIONS_IN_FLIGHT="100000",
        REAPER_INTERVAL_S="2",
        GRADING_STALE_S="15",
        QUEUED_STALE_S="8",
        SANDBOX_RETEST_S="5",
    )
    stack.broker = broker
    try:
        stack.prepare()
        if request.param == "rabbitmq":
            stack.manage(code=DECLARE_TOPOLOGY)
            # On RabbitMQ 3.10 a quorum queue declared moments before its node is killed
            # does not come back (the node had not yet written down that it hosts it); a
            # node restarted since the deploy has. The suite kills a node in that state.
            broker.stop()
            broker.start()
        stack.start_web()
        stack.start_beat()
        yield stack
    finally:
        stack.stop()
        broker.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def tagged(source: str, tag: str) -> str:
    # Each submission's source differs, or the service would hand back the earlier one.
    return f"{source}\n# {tag}\n"


def wait_graded(stack: Stack, ids: list[str], timeout: float) -> dict[str, dict]:
    def all_done():
        rows = stack.rows()
        return rows if all(rows.get(i, {}).get("state") == "done" for i in ids) else None

    try:
        return wait_for(all_done, timeout, f"{len(ids)} verdicts", interval=1.0)
    except TimeoutError:
        rows = stack.rows()
        pending = {i: rows.get(i) for i in ids if rows.get(i, {}).get("state") != "done"}
        raise AssertionError(
            f"not graded: {pending}\n--- worker logs ---\n"
            + "\n".join(stack.log(n)[-3000:] for n in ("worker", "healthy", "a", "b", "beat"))
        ) from None


def assert_graded_once(stack: Stack, ids: list[str]) -> list[str]:
    """Exactly one recorded verdict per submission, and no lost claim that wrote one."""
    lines = []
    for sid in ids:
        graded = stack.graded_lines(sid)
        recorded = [line for line in graded if "recorded=True" in line]
        assert len(recorded) == 1, (sid, graded)
        lines += recorded
    return lines


def test_a_worker_killed_mid_grading_is_replaced_and_the_work_graded_once(stack):
    [token] = stack.students(1, "kill")
    a = stack.start_worker("a", concurrency=1)
    wait_for(lambda: "grading=ready" in stack.log("a"), 60, "worker a's sandbox self-test")
    status, created = stack.submit(token, "mse-loss", tagged(SLOW, "kill-9"))
    assert status == 201, created
    sid = created["id"]
    row = wait_for(
        lambda: (r := stack.rows()[sid])["state"] == "running" and r, 30, "grading to start"
    )
    assert row["worker"].split(":", 1)[1].startswith("a@")
    time.sleep(1.0)  # well inside the grading: the sandbox is running the student's code
    [child] = children(a.pid)
    # The machine dies: the worker, its pool process and its sandbox, at once, no goodbye.
    stack.stop_process("a", signal.SIGKILL)
    assert stack.rows()[sid]["state"] == "running"  # it was mid-grading, and nobody knows
    stack.start_worker("b", concurrency=1)
    rows = wait_graded(stack, [sid], timeout=120)
    [line] = assert_graded_once(stack, [sid])
    assert rows[sid]["worker"].split(":")[-1].startswith("b@")
    assert rows[sid]["claims"] == 2
    assert rows[sid]["revivals"] == 1
    assert f"pid={child} " not in line
    assert "event=reaped" in stack.log("beat") + stack.log("b")
    stack.stop_process("b")


def test_a_pool_process_killed_mid_grading_is_graded_once_by_its_replacement(stack):
    [token] = stack.students(1, "pool")
    worker = stack.start_worker("worker", concurrency=1)
    wait_for(lambda: "grading=ready" in stack.log("worker"), 60, "the sandbox self-test")
    status, created = stack.submit(token, "mse-loss", tagged(SLOW, "pool-kill"))
    sid = created["id"]
    wait_for(lambda: stack.rows()[sid]["state"] == "running", 30, "grading to start")
    time.sleep(1.0)
    [child] = children(worker.pid)
    # Only the process that grades dies (the OOM killer's choice): the worker survives,
    # forks a new pool process, and the message comes back (reject on worker lost).
    import os

    os.kill(child, signal.SIGKILL)
    rows = wait_graded(stack, [sid], timeout=120)
    [line] = assert_graded_once(stack, [sid])
    assert f"pid={child} " not in line
    assert rows[sid]["claims"] == 2
    assert "WorkerLostError" in stack.log("worker") or "exited prematurely" in stack.log("worker")
    stack.stop_process("worker")


def test_the_broker_killed_and_restarted_during_a_burst_loses_nothing(stack):
    tokens = stack.students(4, "burst")
    stack.start_worker("worker", concurrency=2)
    wait_for(lambda: "grading=ready" in stack.log("worker"), 60, "the sandbox self-test")
    ids, statuses = [], []

    def burst(label: str, count: int):
        for n in range(count):
            source = tagged(RIGHT if n % 2 else WRONG, f"{label}-{n}")
            status, created = stack.submit(tokens[n % len(tokens)], "mse-loss", source)
            statuses.append(status)
            if status == 201:
                ids.append(created["id"])

    burst("before", 12)
    # The broker dies, no goodbye. Redis loses whatever it held (queued messages, unacked
    # ones, results, the cache); RabbitMQ keeps its quorum queues on disk.
    stack.broker.kill()
    started = time.monotonic()
    burst("during", 8)
    submit_during = time.monotonic() - started
    time.sleep(3)
    # On the same port: an empty Redis, as after a restart without AOF; the same node.
    stack.broker.start()
    burst("after", 8)
    assert statuses == [201] * 28, statuses  # saved while the broker was away, too
    assert submit_during < 8 * 5, f"submitting while the broker was down took {submit_during:.1f} s"
    assert "event=publish_failed" in stack.log("web")
    wait_graded(stack, ids, timeout=180)
    assert_graded_once(stack, ids)
    stack.stop_process("worker")


def test_a_failing_sandbox_self_test_refuses_grading_until_a_healthy_worker_takes_over(stack):
    tokens = stack.students(2, "selftest")
    # Forget what the earlier tests' workers reported: only this test's workers count.
    stack.manage(
        code="import django; django.setup(); from django.core.cache import cache; "
        "from grading.status import REPORTS_KEY; cache.delete(REPORTS_KEY)"
    )
    # A host that lost the privileges the jail needs: no capabilities at all.
    stack.start_worker(
        "broken", concurrency=1, wrapper=("setpriv", "--bounding-set=-all", "--inh-caps=-all")
    )
    wait_for(lambda: "grading=refused" in stack.log("broken"), 60, "the failed self-test")
    ids = []
    for n in range(4):
        status, created = stack.submit(tokens[n % 2], "mse-loss", tagged(RIGHT, f"selftest-{n}"))
        assert status == 201, created
        ids.append(created["id"])
    wait_for(
        lambda: stack.log("broken").count("event=grading_refused") >= len(ids),
        60,
        "the broken worker to refuse each submission",
    )
    # Refused, visibly, and nothing touched: the submissions wait, unclaimed.
    rows = stack.rows()
    assert all(rows[i]["state"] == "queued" and rows[i]["claims"] == 0 for i in ids), rows
    status = stack.status()
    assert status["grading_possible"] is False
    assert status["backlog"]["queued"] >= len(ids)
    refused = [r for r in status["sandbox"] if not r["ok"]]
    assert refused
    assert "sandbox unavailable" in refused[0]["reason"]
    # It keeps refusing on its retest interval, never grading anything.
    time.sleep(6)
    assert "grading=ready" not in stack.log("broken")
    # Recovery: the broken host is taken out, a healthy one starts.
    stack.stop_process("broken")
    stack.start_worker("healthy", concurrency=1)
    rows = wait_graded(stack, ids, timeout=120)
    assert_graded_once(stack, ids)
    assert {rows[i]["verdict"] for i in ids} == {"passed"}
    assert all(rows[i]["worker"].split(":")[-1].startswith("healthy@") for i in ids)
    assert stack.status()["grading_possible"] is True
    assert not re.search(r"event=graded .*recorded=True", stack.log("broken"))
    stack.stop_process("healthy")
