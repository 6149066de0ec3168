"""docker-compose.yml cannot run here (no Docker engine), so it is checked as a file."""

import yaml

from tests.helpers import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_it_defines_the_production_services():
    assert {"db", "redis", "web", "worker", "beat"} <= set(SERVICES)


def test_web_runs_gunicorn_and_workers_run_celery():
    assert SERVICES["web"]["command"].startswith("gunicorn config.wsgi:application")
    assert "celery -A config worker" in SERVICES["worker"]["command"]
    assert "celery -A config beat" in SERVICES["beat"]["command"]


def test_app_services_take_secrets_from_the_environment_and_run_with_debug_off():
    for name in ("web", "worker", "beat"):
        env = SERVICES[name]["environment"]
        assert env["DEBUG"] == "0"
        assert env["SECRET_KEY"].startswith("${SECRET_KEY")
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")


def test_stateful_and_serving_services_have_health_checks():
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in SERVICES[name], name


def test_the_unprivileged_web_does_not_health_check_the_sandbox():
    assert SERVICES["web"]["environment"]["HEALTHZ_CHECKS"] == "database,broker"
    assert SERVICES["web"]["environment"]["DEBUG"] == "0"
    assert "privileged" not in SERVICES["web"]
    assert SERVICES["worker"]["privileged"] is True


def test_every_queue_a_task_is_routed_to_has_a_worker_that_consumes_it():
    from django.conf import settings

    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    routed.add(settings.CELERY_TASK_DEFAULT_QUEUE)
    consumed = set()
    for service in SERVICES.values():
        words = str(service.get("command", "")).split()
        if "worker" in words and "--queues" in words:
            consumed |= set(words[words.index("--queues") + 1].split(","))
    assert routed <= consumed, routed - consumed


def test_background_work_yields_the_cpu_to_grading():
    background = SERVICES["background"]
    assert "feedback" in background["command"]
    assert "grading" not in background["command"]
    assert background["cpu_shares"] < 1024
    assert background["privileged"] is True
