""" "Try it" in the editor grades the reference, the starter, each known mistake and pasted
code in the sandbox, and records no submission."""

import json

import pytest
from django.urls import reverse

from authoring import services, tries
from authoring.models import TryRun
from grading.models import Submission
from sandbox import isolated_sandbox
from tests.conftest import person

from .conftest import run_sync

pytestmark = pytest.mark.django_db(transaction=True)

SUM = "import numpy as np\n\ndef mean_abs(x):\n    return float(np.sum(np.abs(x)))\n"


@pytest.fixture
def source(author, course_repo, published):
    source = services.source_create(user=author, name="Tiny", repo_url=str(course_repo.bare))
    run_sync(services.sync_start(source=source, trigger="button", user=author))
    return source


def test_try_it_grades_every_known_variant_and_pasted_code(client, source, author):
    client.force_login(author)
    response = client.post(
        reverse("authoring:try", args=[source.pk]),
        json.dumps({"exercise": "mean-abs", "code": SUM}),
        content_type="application/json",
    )
    assert response.status_code == 202
    poll = response.json()["poll"]
    assert client.get(poll).json()["state"] == "queued"
    run = TryRun.objects.get()
    assert tries.try_execute(try_id=run.pk, get_sandbox=isolated_sandbox) == "done"
    answer = client.get(poll).json()
    rows = {row["label"]: row for row in answer["runs"]}
    assert list(rows) == [
        "reference",
        "starter",
        "mistake: forgot the absolute value",
        "mistake: sum instead of mean",
        "your code",
    ]
    assert rows["reference"]["verdict"] == "passed"
    assert rows["reference"]["score"] == 1.0
    assert rows["starter"]["score"] < 1.0
    assert rows["mistake: sum instead of mean"]["hint"] == "sum instead of mean"
    assert rows["mistake: forgot the absolute value"]["hint"] == "forgot the absolute value"
    assert rows["your code"]["hint"] == "sum instead of mean"
    assert all(row["ms"] > 0 for row in rows.values())
    assert not Submission.objects.exists()
    # Someone else's try is not theirs to read.
    client.force_login(person("edsger"))
    assert client.get(poll).status_code == 404


def test_try_it_refuses_an_unknown_exercise_and_oversized_code(client, source, author):
    client.force_login(author)
    url = reverse("authoring:try", args=[source.pk])
    missing = client.post(url, json.dumps({"exercise": "nope"}), content_type="application/json")
    assert missing.status_code == 404
    assert "no exercise" in missing.json()["error"]
    big = client.post(
        url,
        json.dumps({"exercise": "mean-abs", "code": "x" * (65 * 1024)}),
        content_type="application/json",
    )
    assert big.status_code == 400
    assert "KiB" in big.json()["error"]
    assert not TryRun.objects.exists()


def test_one_try_at_a_time_per_person(client, source, author):
    client.force_login(author)
    url = reverse("authoring:try", args=[source.pk])
    body = json.dumps({"exercise": "mean-abs"})
    assert client.post(url, body, content_type="application/json").status_code == 202
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 429
    assert "still running" in again.json()["error"]
    TryRun.objects.update(state=TryRun.State.DONE)
    assert client.post(url, body, content_type="application/json").status_code == 202
