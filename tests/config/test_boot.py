"""Boot the real thing in subprocesses: `manage.py serve` (web + Celery worker) answers
HTTP and a ping task, on the embedded defaults and on PostgreSQL + Redis."""

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.helpers import ROOT, clean_env, run_manage, run_python
from tests.stack import answers, free_port

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test"
HEALTHZ_TOKEN = "boot-monitor-token"


def fetch(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def api(port: int, path: str, key: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def submit_and_await_verdict(port: int, env: dict[str, str]) -> None:
    """The whole pipeline: HTTP API -> committed row -> broker -> worker -> sandbox ->
    verdict, for a right and a wrong solution."""
    made = run_python(
        "import django; django.setup(); from django.contrib.auth.models import User; "
        "from rest_framework.authtoken.models import Token; "
        "u = User.objects.create_user('boot', password='pw-boot-12345'); "
        "print(Token.objects.create(user=u).key)",
        {**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    sources = {
        "passed": "import numpy as np\ndef mean_abs(x):\n    return float(np.mean(np.abs(x)))\n",
        "failed": "import numpy as np\ndef mean_abs(x):\n    return float(np.mean(x))\n",
    }
    for verdict, source in sources.items():
        status, created = api(
            port, "/api/v1/exercises/mean-abs/submissions", key, {"source": source}
        )
        assert status == 201, created
        deadline = time.monotonic() + 90
        while True:
            status, data = api(port, created["url"], key)
            assert status == 200, data
            if data["state"] == "done":
                break
            assert time.monotonic() < deadline, f"no verdict: {data}"
            time.sleep(0.2)
        assert data["verdict"] == verdict, data


def boot_and_probe(env: dict[str, str]) -> None:
    for args in (
        ("migrate", "--noinput"),
        ("sync_course", str(ROOT / "tests/fixtures/course-min")),
    ):
        result = run_manage(*args, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not answers(port):
            assert serve.poll() is None, serve.stdout.read()
            assert time.monotonic() < deadline, "web server never answered"
            time.sleep(0.2)
        status, body = fetch(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert b"Tiny Course" in body
        pong = run_python(
            "import django, json; django.setup(); from grading.tasks import ping; "
            "print(json.dumps(ping.delay().get(timeout=60)))",
            {**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
            timeout=90,
        )
        assert pong.returncode == 0, pong.stderr
        assert json.loads(pong.stdout.strip().splitlines()[-1])["pong"] is True
        submit_and_await_verdict(port, env)
        status, body = fetch(f"http://127.0.0.1:{port}/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, body = fetch(
            f"http://127.0.0.1:{port}/healthz", {"Authorization": f"Bearer {HEALTHZ_TOKEN}"}
        )
        health = json.loads(body)
        assert health["checks"]["database"]["ok"], health
        assert health["checks"]["broker"]["ok"], health
    finally:
        serve.send_signal(signal.SIGINT)
        output, _ = serve.communicate(timeout=30)
    assert serve.returncode == 0, output
    assert "stopped" in output


@pytest.mark.embedded
@pytest.mark.slow
def test_it_boots_on_the_embedded_defaults(tmp_path):
    boot_and_probe(clean_env(DEBUG="1", DESCENT_VAR_DIR=str(tmp_path), HEALTHZ_TOKEN=HEALTHZ_TOKEN))
    assert (tmp_path / "descent.sqlite3").exists()


@pytest.mark.slow
@pytest.mark.skipif(
    not (answers(5432) and answers(6379)), reason="PostgreSQL and Redis are not running"
)
def boot_on_postgresql(tmp_path, **services: str) -> None:
    """boot_and_probe on a PostgreSQL database of its own, with these services besides
    (REDIS_URL, BROKER_URL), dropped after."""
    import psycopg

    name = f"descent_boot_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = clean_env(
            DEBUG="1",
            DESCENT_VAR_DIR=str(tmp_path),
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
            HEALTHZ_TOKEN=HEALTHZ_TOKEN,
            **services,
        )
        boot_and_probe(env)
        assert not (tmp_path / "descent.sqlite3").exists()
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_it_boots_on_postgresql_and_redis(tmp_path):
    boot_on_postgresql(tmp_path, REDIS_URL="redis://127.0.0.1:6379/14")


HEALTHZ = (
    "import django, json; django.setup(); from django.test import Client; "
    "r = Client().get('/healthz', HTTP_AUTHORIZATION='Bearer t'); "
    "print(r.status_code); print(r.content.decode())"
)


def healthz_in_subprocess(tmp_path, **env) -> tuple[str, dict]:
    base = {"DEBUG": "1", "ALLOWED_HOSTS": "testserver", "DESCENT_VAR_DIR": str(tmp_path),
            "HEALTHZ_TOKEN": "t"}  # fmt: skip
    result = run_python(HEALTHZ, clean_env(DJANGO_SETTINGS_MODULE="config.settings", **base, **env))
    lines = result.stdout.strip().splitlines()
    assert len(lines) >= 2, result.stdout + result.stderr
    return lines[0], json.loads(lines[1])


def test_health_answers_503_naming_the_database_when_it_is_unreachable(tmp_path):
    status, body = healthz_in_subprocess(
        tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere?connect_timeout=2"
    )
    assert status == "503"
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False


def test_health_answers_503_naming_the_broker_when_redis_is_unreachable(tmp_path):
    status, body = healthz_in_subprocess(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    assert status == "503"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
