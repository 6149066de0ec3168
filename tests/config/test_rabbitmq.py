"""RabbitMQ as the broker (BROKER_URL=amqp://...), on a private node of this module's own
(tests/stack.py's RabbitNode: never the machine's node): the settings it implies, and the
whole pipeline, ping, health check and queue depths running on it without Redis.

The in-process tests that need a broker (health, status page, metrics) run against
RabbitMQ too when the suite is started with BROKER_URL set (scripts/test.sh, CI)."""

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.config.test_boot import boot_on_postgresql, healthz_in_subprocess
from tests.helpers import clean_env, run_python
from tests.stack import RabbitNode, answers, rabbitmq_server

pytestmark = pytest.mark.skipif(not rabbitmq_server(), reason="rabbitmq-server is not installed")

SETTINGS_ENV = {"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
SHOW = """
import django, json; django.setup()
import config.celery
from celery import current_app as app
from django.conf import settings
print(json.dumps({
    "broker": app.conf.broker_url,
    "results": app.conf.result_backend,
    "cache": settings.CACHES["default"]["BACKEND"],
    "options": app.conf.broker_transport_options,
    "prefetch": app.conf.worker_prefetch_multiplier,
    "acks_late": app.conf.task_acks_late,
    "reject_on_worker_lost": app.conf.task_reject_on_worker_lost,
    "routed": sorted({r["queue"] for r in settings.CELERY_TASK_ROUTES.values()}),
    "queues": {
        q.name: [q.exchange.name, q.exchange.type, q.routing_key, q.queue_arguments]
        for q in app.amqp.queues.values()
    },
}))
"""


def app_env(tmp_path, **env: str) -> dict[str, str]:
    """The embedded defaults plus `env`, whatever broker the suite itself runs on."""
    base = {k: v for k, v in clean_env().items() if k != "BROKER_URL"}
    return {**base, "DESCENT_VAR_DIR": str(tmp_path), **SETTINGS_ENV, **env}


def show(tmp_path, **env) -> dict:
    result = run_python(SHOW, app_env(tmp_path, **env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def node():
    workdir = Path(tempfile.mkdtemp(prefix="descent-rabbitmq-"))
    node = RabbitNode(workdir).start()
    try:
        yield node
    finally:
        node.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def test_broker_url_amqp_means_quorum_queues_with_confirms_and_acks_late(tmp_path):
    url = "amqp://guest:guest@rabbitmq.invalid:5672//"
    conf = show(tmp_path, BROKER_URL=url)
    assert conf["broker"] == url
    # Without Redis: the ping's reply comes back over RabbitMQ, the cache is files.
    assert conf["results"] == "rpc://"
    assert conf["cache"].endswith("FileBasedCache")
    assert conf["options"] == {"confirm_publish": True}
    assert (conf["prefetch"], conf["acks_late"], conf["reject_on_worker_lost"]) == (1, True, True)
    # Every queue a task is routed to, and the default one: durable quorum queues with a
    # delivery limit, on a topic exchange (native delayed delivery of retries needs one).
    assert set(conf["queues"]) == {*conf["routed"], "celery"}
    for name, (exchange, kind, key, arguments) in conf["queues"].items():
        assert (exchange, kind, key) == ("descent", "topic", name)
        assert arguments == {"x-queue-type": "quorum", "x-delivery-limit": 10}


def test_with_redis_as_well_rabbitmq_carries_the_tasks_and_redis_the_rest(tmp_path):
    conf = show(
        tmp_path,
        BROKER_URL="amqp://guest:guest@rabbitmq.invalid:5672//",
        REDIS_URL="redis://127.0.0.1:6379/8",
    )
    assert conf["broker"].startswith("amqp://")
    assert conf["results"] == "redis://127.0.0.1:6379/8"
    assert conf["cache"].endswith("RedisCache")


def test_redis_url_alone_is_still_the_broker_the_results_and_the_cache(tmp_path):
    conf = show(tmp_path, REDIS_URL="redis://127.0.0.1:6379/8")
    assert conf["broker"] == conf["results"] == "redis://127.0.0.1:6379/8"
    assert conf["options"] == {"visibility_timeout": 3600}
    assert all("x-queue-type" not in (args or {}) for *_, args in conf["queues"].values())


def test_a_broker_url_of_another_scheme_is_refused(tmp_path):
    result = run_python(SHOW, app_env(tmp_path, BROKER_URL="sqs://key@queue"))
    assert result.returncode != 0
    assert "BROKER_URL must start with amqp://" in result.stderr


PROBE = """
import django, json; django.setup()
import config.celery
from grading import health, queues, status
queues.send(queues.GRADE, -1)
queues.send(queues.GRADE, -2)
probe = {
    "broker": health.broker_state(),
    "depths": status.queue_depths(),
    "workers": status.workers_alive(timeout=0.5),
}
with config.celery.app.connection_for_write() as conn:
    conn.default_channel.queue_purge("grading")
print(json.dumps(probe))
"""


def test_health_queue_depths_and_ping_ask_rabbitmq(node, tmp_path):
    result = run_python(PROBE, app_env(tmp_path, BROKER_URL=node.url))
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["broker"] == [True, "amqp"]
    # A passive declare answers the count of ready messages (no worker consumes them).
    assert probe["depths"]["grading"] == 2
    assert set(probe["depths"]) == {"grading", "feedback", "regrade", "outbound", "celery"}
    assert probe["workers"] == []  # the broadcast ping went out; no worker listens here


POISON = """
import django, time; django.setup()
import config.celery
from grading import queues
with config.celery.app.connection_for_write() as conn:
    # Declared again with this run's limit (an earlier test's has another).
    conn.default_channel.queue_delete("grading")
queues.send(queues.GRADE, -3)
deliveries = 0
with config.celery.app.connection_for_write() as conn:
    channel = conn.default_channel
    for _ in range(50):
        message = channel.basic_get("grading")
        if message is None:
            time.sleep(0.1)
            continue
        deliveries += 1
        channel.basic_reject(message.delivery_tag, requeue=True)  # as a dying worker's
    print(deliveries, channel.queue_declare("grading", passive=True).message_count)
    # Arguments of a quorum queue never change: a later declaration with the default
    # limit would be refused while this one stands.
    channel.queue_delete("grading")
"""


def test_a_message_that_keeps_coming_back_is_dropped_after_the_delivery_limit(node, tmp_path):
    result = run_python(POISON, app_env(tmp_path, BROKER_URL=node.url, BROKER_DELIVERY_LIMIT="2"))
    assert result.returncode == 0, result.stderr
    # Handed out, returned twice, handed out once more, then gone: no endless loop.
    assert result.stdout.split()[-2:] == ["3", "0"]


def test_health_and_depths_say_so_when_rabbitmq_is_down(tmp_path):
    dead = "amqp://guest:guest@127.0.0.1:1//"
    status, body = healthz_in_subprocess(tmp_path, BROKER_URL=dead)
    assert status == "503"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    result = run_python(
        "import django, json; django.setup(); import config.celery; "
        "from grading.status import queue_depths, workers_alive; "
        "print(json.dumps([queue_depths(), workers_alive(timeout=0.5)]))",
        app_env(tmp_path, BROKER_URL=dead),
    )
    assert result.returncode == 0, result.stderr
    depths, workers = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(depths.values()) == {None}
    assert workers is None


@pytest.mark.slow
@pytest.mark.skipif(not answers(5432), reason="PostgreSQL is not running")
def test_it_boots_grades_and_pings_on_postgresql_and_rabbitmq_without_redis(node, tmp_path):
    # HTTP, the ping's reply (rpc://), two verdicts, /healthz
    boot_on_postgresql(tmp_path, BROKER_URL=node.url)
