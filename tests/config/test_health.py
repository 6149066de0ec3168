import pytest

from grading import health


@pytest.mark.django_db
def test_healthz_is_200_when_database_broker_and_sandbox_are_fine(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "sandbox"}
    assert body["checks"]["sandbox"] == {"ok": True, "detail": "isolation verified"}
    assert response["Cache-Control"].startswith("max-age=0")


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
    monkeypatch.setattr(
        health, "sandbox_state", lambda **_: pytest.fail("the web process ran the sandbox")
    )
    response = client.get("/healthz")
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
    assert "HEALTHZ_CHECKS" in result.stderr and "disk" in result.stderr
