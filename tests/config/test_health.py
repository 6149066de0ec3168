import pytest

from grading import health


@pytest.mark.django_db
def test_healthz_tells_the_public_only_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_tells_the_public_only_unavailable_when_a_component_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "broker_state", lambda: (False, "redis://secret-host:6379"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@pytest.mark.django_db
def test_healthz_details_are_for_a_monitor_with_the_token(client, settings):
    settings.HEALTHZ_TOKEN = "monitor-secret"
    response = client.get("/healthz", HTTP_AUTHORIZATION="Bearer monitor-secret")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "sandbox"}
    assert body["checks"]["sandbox"] == {"ok": True, "detail": "isolation verified"}


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["Bearer wrong", "Bearer ", "monitor-secret", ""])
def test_healthz_details_are_not_for_a_wrong_token(client, settings, sent):
    settings.HEALTHZ_TOKEN = "monitor-secret"
    assert "checks" not in client.get("/healthz", HTTP_AUTHORIZATION=sent).json()


@pytest.mark.django_db
def test_healthz_with_no_token_configured_gives_no_details_to_an_empty_bearer(client, settings):
    settings.HEALTHZ_TOKEN = ""
    assert "checks" not in client.get("/healthz", HTTP_AUTHORIZATION="Bearer ").json()


@pytest.mark.django_db
def test_healthz_details_are_for_staff(client, instructor, student):
    client.force_login(student)
    assert "checks" not in client.get("/healthz").json()
    client.force_login(instructor)
    assert set(client.get("/healthz").json()["checks"]) == {"database", "broker", "sandbox"}


def test_the_sandbox_state_is_cached_between_probes(monkeypatch):
    first = health.sandbox_state(force=True)
    monkeypatch.setattr(
        "grading.sandbox_pool.shared_sandbox", lambda: pytest.fail("self-test ran again")
    )
    assert health.sandbox_state() == first


@pytest.mark.django_db
def test_healthz_runs_only_the_checks_it_is_configured_for(client, settings, monkeypatch):
    # A production web container cannot build jails: it must not fail its health check
    # on a sandbox it never uses.
    settings.HEALTHZ_CHECKS = ["database", "broker"]
    settings.HEALTHZ_TOKEN = "t"
    monkeypatch.setattr(
        health, "sandbox_state", lambda **_: pytest.fail("the web process ran the sandbox")
    )
    response = client.get("/healthz", HTTP_AUTHORIZATION="Bearer t")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "broker"}


def test_an_unknown_health_check_is_refused_at_start(tmp_path):
    from tests.helpers import clean_env, run_python

    result = run_python(
        "import django; django.setup()",
        clean_env(DEBUG="1", DESCENT_VAR_DIR=str(tmp_path), HEALTHZ_CHECKS="database,disk",
                  DJANGO_SETTINGS_MODULE="config.settings"),
    )  # fmt: skip
    assert result.returncode != 0
    assert "HEALTHZ_CHECKS" in result.stderr
    assert "disk" in result.stderr


DATABASE_AWAY = (
    "import django; django.setup(); from django.test import Client; c = Client(); "
    "r = c.get('/courses/x/'); print(r.status_code, r.get('Retry-After')); "
    "print(r.content.decode().replace(chr(10), ' ')); "
    "a = c.get('/api/v1/submissions/00000000-0000-0000-0000-000000000000', "
    "HTTP_AUTHORIZATION='Token 0123456789abcdef'); "
    "print(a.status_code, a.content.decode())"
)


@pytest.mark.parametrize("debug", ["0", "1"])
def test_pages_answer_a_clear_503_while_the_database_is_away(tmp_path, debug):
    from tests.helpers import clean_env, run_python

    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG=debug,
        SECRET_KEY="test-only",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        DESCENT_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://postgres@127.0.0.1:1/gone?connect_timeout=2",
    )
    result = run_python(DATABASE_AWAY, env)
    lines = result.stdout.strip().splitlines()
    assert len(lines) >= 3, result.stdout + result.stderr
    assert lines[0] == "503 15"
    assert "database is not answering" in lines[1]
    assert "Nothing you" in lines[1]
    assert lines[2].startswith("503")
    assert "database is unavailable" in lines[2]


RECOVERY = """
import sys, time
sys.path.insert(0, "tests/config")
from outage_proxy import Proxy
proxy = Proxy()
import os
os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].replace("PORT", str(proxy.port))
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import close_old_connections
from django.test import Client

# The test client skips the per-request connection housekeeping that a real server
# (gunicorn, runserver) does on request_started/request_finished: do it here.
def get(path):
    close_old_connections()
    try:
        return Client().get(path).status_code
    finally:
        close_old_connections()

print(get("/"))
proxy.cut()
print(get("/"))
proxy.restore()
time.sleep(0.2)
print(get("/"))
"""


@pytest.mark.slow
def test_the_site_recovers_by_itself_when_the_database_comes_back(tmp_path):
    import uuid

    import psycopg

    from tests.helpers import clean_env, run_python

    name = f"descent_outage_{uuid.uuid4().hex[:8]}"
    admin = "postgres://postgres@127.0.0.1:5432/test"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=2) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not running")
    try:
        env = clean_env(
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="1",
            ALLOWED_HOSTS="testserver",
            DESCENT_VAR_DIR=str(tmp_path),
            DATABASE_URL=f"postgres://postgres@127.0.0.1:PORT/{name}?connect_timeout=2",
        )
        result = run_python(RECOVERY, env, timeout=120)
        assert result.stdout.split() == ["200", "503", "200"], result.stdout + result.stderr
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
