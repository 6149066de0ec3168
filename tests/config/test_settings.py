import json

import pytest

from config.env import ImproperlyConfigured, database_from_url, env_bool, env_rate
from tests.helpers import clean_env, run_manage, run_python

SHOW = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'db': settings.DATABASES['default']['ENGINE'], "
    "'db_name': str(settings.DATABASES['default']['NAME']), 'broker': settings.CELERY_BROKER_URL, "
    "'cache': settings.CACHES['default']['BACKEND'], "
    "'cache_dir': settings.CACHES['default'].get('LOCATION', ''), 'debug': settings.DEBUG}))"
)
SETTINGS_ENV = {"DJANGO_SETTINGS_MODULE": "config.settings"}


def show(tmp_path, **env):
    result = run_python(SHOW, clean_env(DESCENT_VAR_DIR=str(tmp_path), **SETTINGS_ENV, **env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_defaults_to_sqlite_and_the_filesystem_broker(tmp_path):
    conf = show(tmp_path, DEBUG="1")
    assert conf["db"] == "django.db.backends.sqlite3"
    assert conf["db_name"].startswith(str(tmp_path))
    assert conf["broker"] == "filesystem://"
    # Files under var/, shared by web, worker and pool children like the embedded broker.
    assert conf["cache"].endswith("FileBasedCache")
    assert conf["cache_dir"].startswith(str(tmp_path))


def test_database_url_switches_to_postgresql_and_redis_url_to_redis(tmp_path):
    conf = show(
        tmp_path,
        DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert conf["db"] == "django.db.backends.postgresql"
    assert conf["db_name"] == "test"
    assert conf["broker"] == "redis://127.0.0.1:6379/3"
    assert conf["cache"].endswith("RedisCache")


def test_it_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path):
    result = run_python(
        SHOW, clean_env(DESCENT_VAR_DIR=str(tmp_path), ALLOWED_HOSTS="x", **SETTINGS_ENV)
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts_when_debug_is_off(tmp_path):
    env = clean_env(DESCENT_VAR_DIR=str(tmp_path), SECRET_KEY="k" * 60, **SETTINGS_ENV)
    result = run_python(SHOW, env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_check_deploy_is_clean_in_production_configuration(tmp_path):
    env = clean_env(
        DESCENT_VAR_DIR=str(tmp_path),
        SECRET_KEY="prod-" + "q8Zr3vXk1LmN0pW7tY2uB5cE9hJ4fG6sD" * 2,
        ALLOWED_HOSTS="descent.example.org",
    )
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_url_parses_credentials_and_options():
    conf = database_from_url("postgresql://u%40x:p%2Fw@db.internal:6543/descent?sslmode=require")
    assert (conf["USER"], conf["PASSWORD"], conf["HOST"], conf["PORT"]) == (
        "u@x",
        "p/w",
        "db.internal",
        "6543",
    )
    assert conf["OPTIONS"] == {"sslmode": "require"}


def test_a_bad_database_url_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://root@localhost/x")


def test_a_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


PROXY = (
    "import django; from django.conf import settings; django.setup(); "
    "print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None), settings.BEHIND_TLS_PROXY)"
)


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "None False"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https') True")]
)
def test_the_tls_proxy_headers_are_trusted_only_when_asked(tmp_path, value, expected):
    env = clean_env(
        DESCENT_VAR_DIR=str(tmp_path),
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="descent.example.org",
        **SETTINGS_ENV,
    )
    env.pop("BEHIND_TLS_PROXY", None)
    if value is not None:
        env["BEHIND_TLS_PROXY"] = value
    result = run_python(PROXY, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_rate_reads_as_count_and_seconds(monkeypatch):
    monkeypatch.setenv("SOME_RATE", "40/hour")
    assert env_rate("SOME_RATE", "1/s") == (40, 3600)
    monkeypatch.delenv("SOME_RATE")
    assert env_rate("SOME_RATE", "5/min") == (5, 60)


@pytest.mark.parametrize("value", ["40", "40/day", "many/hour", "-1/hour"])
def test_a_bad_rate_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("SOME_RATE", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_RATE"):
        env_rate("SOME_RATE", "1/s")


# Each "request" asks for its backend's pid and then closes its connection, as a waiting
# request does (grading/wakeup.py) and as Django does at the end of a request when
# connections are not kept.
BACKENDS = (
    "import json, django; django.setup(); from django.db import connection\n"
    "pids = []\n"
    "for _ in range(6):\n"
    "    with connection.cursor() as cursor:\n"
    "        cursor.execute('SELECT pg_backend_pid()')\n"
    "        pids.append(cursor.fetchone()[0])\n"
    "    connection.close()\n"
    "print(json.dumps(pids))"
)


def test_with_a_pool_a_closed_connection_goes_back_to_it_and_is_used_again(tmp_path):
    def backends(**env):
        env = clean_env(
            DESCENT_VAR_DIR=str(tmp_path),
            DEBUG="1",
            DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
            **SETTINGS_ENV,
            **env,
        )
        result = run_python(BACKENDS, env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    assert len(set(backends(DB_POOL_SIZE="2"))) <= 2  # the pool's two served all six
    assert len(set(backends(DB_POOL_SIZE="0"))) == 6  # a new backend every time


def test_a_negative_pool_size_is_refused(tmp_path):
    env = clean_env(DESCENT_VAR_DIR=str(tmp_path), DEBUG="1", DB_POOL_SIZE="-1", **SETTINGS_ENV)
    result = run_python(SHOW, env)
    assert result.returncode != 0
    assert "DB_POOL_SIZE must be 0 (no pool) or more" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_from_one_task_to_the_next():
    """Celery's Django fixup closes every connection around each task unless
    CELERY_DB_REUSE_MAX is set; a new backend per task cost more than the grading."""
    from types import SimpleNamespace

    from celery.fixups.django import DjangoWorkerFixup
    from django.db import connection

    from config.celery import app

    fixup = DjangoWorkerFixup(app)
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    before = connection.connection
    for _ in range(3):
        fixup.on_task_prerun(task)
        fixup.on_task_postrun(task)
    assert before is not None
    assert connection.connection is before
