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
