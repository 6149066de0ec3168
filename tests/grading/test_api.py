"""The JSON API: token or session auth, own submissions only, limits with clear errors."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from grading import queues
from grading.models import Draft, Submission
from tests.grading.factories import GOOD, NO_ABS, make_user, mean_abs_exercise

SUBMIT = "/api/v1/exercises/mean-abs/submissions"


def polls(queries) -> int:
    """How many times a waiting request looked at the submission's progress."""
    return sum(
        1
        for query in queries
        if query["sql"].startswith('SELECT "grading_submission"."state" AS "state", ')
        and '"grading_submission"."refining" AS "refining" FROM' in query["sql"]
    )


@pytest.fixture(autouse=True)
def no_broker(published):
    """The tasks queued, (name, args), instead of sending them to the broker."""
    return published


@pytest.fixture
def exercise(db):
    return mean_abs_exercise()


def token_client(client, user):
    key = Token.objects.get_or_create(user=user)[0].key
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_a_token_submits_and_reads_back_its_submission(
    client, student, exercise, no_broker, django_capture_on_commit_callbacks
):
    api = token_client(client, student)
    with django_capture_on_commit_callbacks(execute=True):
        created = post(api, SUBMIT, {"source": GOOD})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "queued"
    assert body["attempt"] == 1
    assert no_broker == [(queues.GRADE, (Submission.objects.get(uuid=body["id"]).id,))]
    detail = api.get(body["url"])
    assert detail.status_code == 200
    assert detail.json()["source"] == GOOD


def test_a_graded_result_carries_checks_hints_and_output(client, student, exercise):
    api = token_client(client, student)
    body = post(api, SUBMIT, {"source": NO_ABS}).json()
    submission = Submission.objects.get(uuid=body["id"])
    Submission.objects.filter(id=submission.id).update(
        state="done",
        verdict="failed",
        score=0.2,
        result={
            "message": "1 of 2 checks failed",
            "checks": [
                {"name": "matches the reference", "passed": False, "mistake": "no-abs",
                 "mistake_hint": "Take np.abs first.", "failing_input": {"arg1": [-1.0]}},
                {"name": "is never negative", "passed": False, "failing_input": {"arg1": [2.0]},
                 "diagnosis": {"kind": "sign", "label": "opposite sign", "message": "Flip it."}},
            ],
            "diagnosis": {"kind": "known_mistake", "label": "forgot the absolute value",
                          "message": "Take np.abs first.", "mistake": "no-abs"},
            "stdout": "hello\n",
            "timings": {"total_ms": 12.5},
        },
    )  # fmt: skip
    data = api.get(body["url"]).json()
    assert (data["state"], data["verdict"], data["score"]) == ("done", "failed", 0.2)
    assert data["checks"][0]["mistake_hint"] == "Take np.abs first."
    assert data["checks"][1]["diagnosis"]["message"] == "Flip it."
    assert data["diagnosis"]["kind"] == "known_mistake"
    assert data["convention"] is None
    # Named as the statement names the parameter (a result stored with arg1 too).
    assert data["checks"][0]["failing_input"] == {"x": [-1.0]}
    assert data["stdout"] == "hello\n"
    assert data["duration_ms"] == 12.5
    assert data["hints"] == ["Take the absolute value first."]  # one failed attempt


def test_nobody_else_can_read_a_submission(client, student, exercise):
    body = post(token_client(client, student), SUBMIT, {"source": GOOD}).json()
    other = token_client(client, make_user("mallory"))
    assert other.get(body["url"]).status_code == 404
    listing = other.get(SUBMIT).json()
    assert listing["results"] == []


def test_anonymous_requests_are_refused(client, exercise):
    assert post(client, SUBMIT, {"source": GOOD}).status_code in (401, 403)
    assert not Submission.objects.exists()


def test_the_browser_session_needs_its_csrf_token(student, exercise):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(student)
    assert post(browser, SUBMIT, {"source": GOOD}).status_code == 403
    browser.get("/accounts/login/")  # sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    ok = browser.post(
        SUBMIT, json.dumps({"source": GOOD}), content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    assert ok.status_code == 201


def test_an_identical_resubmission_returns_the_earlier_result(
    client, student, exercise, no_broker, django_capture_on_commit_callbacks
):
    api = token_client(client, student)
    with django_capture_on_commit_callbacks(execute=True):
        first = post(api, SUBMIT, {"source": GOOD}).json()
    with django_capture_on_commit_callbacks(execute=True):
        again = post(api, SUBMIT, {"source": GOOD})
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["duplicate"] is True
    assert len(no_broker) == 1


def test_the_rate_limit_answers_429_with_a_clear_message(client, student, exercise, settings):
    api = token_client(client, student)
    for n in range(6):
        assert post(api, SUBMIT, {"source": f"{GOOD}# {n}\n"}).status_code == 201
    refused = post(api, SUBMIT, {"source": f"{GOOD}# 7\n"})
    assert refused.status_code == 429
    detail = refused.json()["detail"]
    assert "6 times a minute per exercise" in detail
    # The wait is said once, in the message, and given to clients in Retry-After.
    assert detail.count("try again in") == 1
    assert "Expected available" not in detail
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert Submission.objects.count() == 6
    # Reading is not limited.
    assert api.get(SUBMIT).status_code == 200


def test_oversized_and_malformed_bodies_get_clear_errors(client, student, exercise):
    api = token_client(client, student)
    big = post(api, SUBMIT, {"source": "#" * (64 * 1024 + 1)})
    assert big.status_code == 400
    assert "64 KiB" in big.json()["detail"]
    wrong = post(api, SUBMIT, {"code": GOOD})
    assert wrong.status_code == 400
    assert "source" in wrong.json()["detail"]
    broken = api.post(SUBMIT, data="{not json", content_type="application/json")
    assert broken.status_code == 400
    assert "JSON" in broken.json()["detail"]
    assert not Submission.objects.exists()


def test_an_unknown_exercise_is_a_404(client, student, exercise):
    api = token_client(client, student)
    assert post(api, "/api/v1/exercises/nope/submissions", {"source": GOOD}).status_code == 404


def test_drafts_are_saved_and_read_back_per_student(client, student, exercise):
    api = token_client(client, student)
    url = "/api/v1/exercises/mean-abs/draft"
    assert api.get(url).json() == {"source": None, "saved_at": None}
    saved = api.put(url, data=json.dumps({"source": "x = 1"}), content_type="application/json")
    assert saved.status_code == 200
    assert saved.json()["saved_at"]
    assert api.get(url).json()["source"] == "x = 1"
    other = token_client(client, make_user("nosy"))
    assert other.get(url).json()["source"] is None
    assert Draft.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_waiting_answers_the_moment_the_submission_changes(client, exercise):
    import threading
    import time

    from django.db import connection

    api = token_client(client, make_user("wa"))
    body = post(api, SUBMIT, {"source": GOOD}).json()

    from grading import wakeup

    def grader():
        time.sleep(0.6)
        graded = Submission.objects.filter(uuid=body["id"])
        graded.update(state="done", verdict="passed", score=1)
        wakeup.notify(graded.values_list("id", flat=True))  # as the grading services do
        connection.close()

    threading.Thread(target=grader).start()
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        answer = api.get(f"{body['url']}?wait=10").json()
    # Queued when asked, graded when answered: the request waited for the change, and
    # was woken by it (not by the end of the wait, nor by reading the row 5 times a second).
    assert (answer["state"], answer["verdict"]) == ("done", "passed")
    assert time.monotonic() - started < 3
    assert 1 <= polls(queries) <= 3


@pytest.mark.django_db(transaction=True)
def test_waiting_gives_up_after_the_wait_and_a_settled_result_does_not_wait(client, exercise):

    api = token_client(client, make_user("wb"))
    body = post(api, SUBMIT, {"source": GOOD}).json()
    with CaptureQueriesContext(connection) as queries:
        assert api.get(f"{body['url']}?wait=0.5").json()["state"] == "queued"
    assert polls(queries) >= 1  # it looked, and gave up when the wait was over
    Submission.objects.filter(uuid=body["id"]).update(state="done", verdict="passed", score=1)
    with CaptureQueriesContext(connection) as queries:
        assert api.get(f"{body['url']}?wait=20").json()["state"] == "done"
    assert polls(queries) == 0


@pytest.mark.parametrize("wait", ["soon", "-1", "21"])
def test_a_bad_wait_is_a_clear_400(client, student, exercise, wait):
    api = token_client(client, student)
    body = post(api, SUBMIT, {"source": GOOD}).json()
    answer = api.get(f"{body['url']}?wait={wait}")
    assert answer.status_code == 400
    assert "wait must be" in answer.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_a_client_that_saw_queued_gets_a_verdict_at_once_while_it_is_refined(client, exercise):

    api = token_client(client, make_user("wc"))
    body = post(api, SUBMIT, {"source": NO_ABS}).json()
    Submission.objects.filter(uuid=body["id"]).update(
        state="done", verdict="failed", score=0.2, refining=True
    )
    with CaptureQueriesContext(connection) as queries:
        answer = api.get(f"{body['url']}?wait=20&seen=queued").json()
    assert polls(queries) == 0
    assert (answer["state"], answer["refining"], answer["progress"]) == ("done", True, "refining")
    # Having seen the verdict, it waits for the refinement to end.
    with CaptureQueriesContext(connection) as queries:
        assert api.get(f"{body['url']}?wait=0.5&seen=refining").json()["progress"] == "refining"
    assert polls(queries) >= 1


def test_an_unknown_seen_is_a_clear_400(client, student, exercise):
    api = token_client(client, student)
    body = post(api, SUBMIT, {"source": GOOD}).json()
    answer = api.get(f"{body['url']}?wait=1&seen=graded")
    assert answer.status_code == 400
    assert "seen must be one of" in answer.json()["detail"]


def _moves_later(pk, *steps):
    """Moves the submission through ``steps`` ((seconds, state)) in another thread, each
    step committed and announced as the grader's are. ``pk`` may be a function that
    finds it: it is asked until it does (for a submission not made yet)."""
    import threading
    import time

    from grading import wakeup

    def run():
        found, give_up = pk, time.monotonic() + 10
        while callable(found) and time.monotonic() < give_up:
            found = pk() or pk  # the function again until the row is there
            if callable(found):
                time.sleep(0.02)
        if not callable(found):
            for seconds, state in steps:
                time.sleep(seconds)
                Submission.objects.filter(pk=found).update(
                    state=state, **({"verdict": "passed", "score": 1} if state == "done" else {})
                )
                wakeup.notify([found])
        connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_client_that_saw_queued_is_woken_once_by_a_quick_verdict(client, exercise):
    api = token_client(client, make_user("wq"))
    body = post(api, SUBMIT, {"source": GOOD}).json()
    pk = Submission.objects.get(uuid=body["id"]).pk
    # Running, then the verdict 0.3 s later: one answer, the verdict, not "running" first.
    mover = _moves_later(pk, (0.3, "running"), (0.3, "done"))
    answer = api.get(f"{body['url']}?wait=20&seen=queued").json()
    mover.join()
    assert answer["progress"] == "done"


@pytest.mark.django_db(transaction=True)
def test_a_slow_grading_shows_running_after_the_grace(client, exercise, monkeypatch):
    import time

    from grading import api as grading_api

    monkeypatch.setattr(grading_api, "RUNNING_GRACE_S", 0.5)
    api = token_client(client, make_user("wr"))
    body = post(api, SUBMIT, {"source": GOOD}).json()
    pk = Submission.objects.get(uuid=body["id"]).pk
    mover = _moves_later(pk, (0.2, "running"))
    started = time.monotonic()
    answer = api.get(f"{body['url']}?wait=20&seen=queued").json()
    took = time.monotonic() - started
    mover.join()
    # Still running when the grace is over: the client hears of it then, not at 20 s.
    assert answer["progress"] == "running"
    assert 0.6 < took < 5


@pytest.mark.django_db(transaction=True)
def test_a_post_that_waits_is_answered_with_the_verdict(client, exercise):
    import time

    student = make_user("pw")
    api = token_client(client, student)
    first = Submission.objects.filter(student=student).values_list("pk", flat=True)
    grader = _moves_later(first.first, (0.4, "done"))
    started = time.monotonic()
    answer = post(api, f"{SUBMIT}?wait=10", {"source": GOOD})
    took = time.monotonic() - started
    grader.join()
    # One request: made (201), then answered when graded, with the whole detail.
    assert answer.status_code == 201
    body = answer.json()
    assert (body["state"], body["verdict"], body["progress"]) == ("done", "passed", "done")
    assert body["url"].endswith(body["id"])
    assert "checks" in body
    assert 0.3 < took < 5
    assert Submission.objects.filter(student=student).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_post_that_waits_gives_up_after_the_wait_as_it_is(client, exercise, published):
    api = token_client(client, make_user("px"))
    answer = post(api, f"{SUBMIT}?wait=0.5", {"source": GOOD})
    assert answer.status_code == 201
    body = answer.json()
    assert (body["state"], body["progress"]) == ("queued", "queued")
    assert not body["verdict"]
    assert len(published) == 1  # queued for grading like any other
    # The same code again is the same submission, answered at once.
    again = post(api, f"{SUBMIT}?wait=20", {"source": GOOD}).json()
    assert again["duplicate"] is True
    assert again["id"] == body["id"]


@pytest.mark.parametrize("wait", ["soon", "-1", "21"])
def test_a_post_with_a_bad_wait_is_refused_and_makes_nothing(client, student, exercise, wait):
    api = token_client(client, student)
    answer = post(api, f"{SUBMIT}?wait={wait}", {"source": GOOD})
    assert answer.status_code == 400
    assert "wait must be" in answer.json()["detail"]
    assert not Submission.objects.filter(student=student).exists()
