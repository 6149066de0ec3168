"""The submission pipeline's state changes, against the real database (and, where a
task grades, the real sandbox)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from grading import queues, tasks
from grading.models import Submission
from grading.services import (
    SubmissionRejected,
    submission_claim,
    submission_create,
    submission_finish,
    submission_release,
    submissions_reap,
)
from tests.grading.factories import GOOD, NO_ABS, make_user, mean_abs_exercise


@pytest.fixture
def exercise(db):
    return mean_abs_exercise()


@pytest.fixture
def queued(monkeypatch):
    """Submission ids queued for grading (and ("refine", id) for refinement), instead of
    sending them to the broker."""
    sent = []

    def send(task, submission_id):
        sent.append(submission_id if task == queues.GRADE else ("refine", submission_id))

    monkeypatch.setattr(queues, "send", send)
    return sent


def test_the_row_is_committed_before_its_id_is_queued(
    student, exercise, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission, created = submission_create(student=student, exercise=exercise, source=GOOD)
        assert created
        assert queued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert queued == [submission.id]
    assert Submission.objects.get(id=submission.id).state == "queued"


def test_attempts_are_numbered_per_student_and_exercise(student, exercise, queued):
    first, _ = submission_create(student=student, exercise=exercise, source=GOOD)
    second, _ = submission_create(student=student, exercise=exercise, source=NO_ABS)
    other, _ = submission_create(student=make_user("bea"), exercise=exercise, source=GOOD)
    assert (first.attempt, second.attempt, other.attempt) == (1, 2, 1)


def test_an_identical_resubmission_returns_the_earlier_one_and_queues_nothing(
    student, exercise, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = submission_create(student=student, exercise=exercise, source=GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        again, created = submission_create(student=student, exercise=exercise, source=GOOD)
    assert not created
    assert again.id == first.id
    assert queued == [first.id]
    assert Submission.objects.count() == 1


def test_it_rejects_source_over_64kb_and_saves_nothing(student, exercise, queued):
    with pytest.raises(SubmissionRejected, match="64 KiB"):
        submission_create(student=student, exercise=exercise, source="#" * (64 * 1024 + 1))
    assert not Submission.objects.exists()


def test_it_rejects_text_that_is_not_utf8(student, exercise, queued):
    with pytest.raises(SubmissionRejected, match="UTF-8"):
        submission_create(student=student, exercise=exercise, source="x = '\ud800'")


def test_only_one_claim_of_a_submission_wins(student, exercise, queued):
    submission, _ = submission_create(student=student, exercise=exercise, source=GOOD)
    assert submission_claim(submission_id=submission.id, worker="a") is not None
    assert submission_claim(submission_id=submission.id, worker="b") is None
    assert Submission.objects.get(id=submission.id).worker == "a"


def test_a_stale_claim_cannot_record_a_verdict(student, exercise, queued):
    submission, _ = submission_create(student=student, exercise=exercise, source=GOOD)
    stale = submission_claim(submission_id=submission.id, worker="a")
    submission_release(submission=stale, error="worker lost")
    fresh = submission_claim(submission_id=submission.id, worker="b")
    from judge.engine import GradeResult

    result = GradeResult("mean-abs", "failed", 0.0)
    assert not submission_finish(submission=stale, result=result, data={})
    assert submission_finish(
        submission=fresh, result=GradeResult("mean-abs", "passed", 1.0), data={}
    )
    row = Submission.objects.get(id=submission.id)
    assert (row.state, row.verdict, row.claims) == ("done", "passed", 2)


def test_the_reaper_requeues_a_running_submission_whose_heartbeat_stopped(
    student, exercise, queued
):
    submission, _ = submission_create(student=student, exercise=exercise, source=GOOD)
    submission_claim(submission_id=submission.id, worker="dead")
    Submission.objects.filter(id=submission.id).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.GRADING_STALE_S + 1)
    )
    queued.clear()
    assert submissions_reap() == {
        "running": 1,
        "queued": 0,
        "blocked": 0,
        "refinements_abandoned": 0,
    }
    assert queued == [submission.id]
    assert Submission.objects.get(id=submission.id).state == "queued"


def test_the_reaper_requeues_a_queued_submission_nobody_claimed(student, exercise, queued):
    submission, _ = submission_create(student=student, exercise=exercise, source=GOOD)
    Submission.objects.filter(id=submission.id).update(
        queued_at=timezone.now() - timedelta(seconds=settings.QUEUED_STALE_S + 1)
    )
    queued.clear()
    assert submissions_reap()["queued"] == 1
    assert queued == [submission.id]


def test_the_reaper_leaves_live_work_alone(student, exercise, queued):
    running, _ = submission_create(student=student, exercise=exercise, source=GOOD)
    submission_claim(submission_id=running.id, worker="alive")
    submission_create(student=student, exercise=exercise, source=NO_ABS)
    queued.clear()
    assert submissions_reap() == {
        "running": 0,
        "queued": 0,
        "blocked": 0,
        "refinements_abandoned": 0,
    }
    assert queued == []


@pytest.mark.django_db(transaction=True)
def test_the_task_grades_a_right_and_a_wrong_solution_in_the_sandbox(queued):
    exercise = mean_abs_exercise()
    student = make_user("cy")
    good, _ = submission_create(student=student, exercise=exercise, source=GOOD)
    wrong, _ = submission_create(student=student, exercise=exercise, source=NO_ABS)
    assert tasks.grade_submission.apply(args=(good.id,)).get() == "passed"
    assert tasks.grade_submission.apply(args=(wrong.id,)).get() == "failed"
    good.refresh_from_db()
    wrong.refresh_from_db()
    assert (good.state, good.score) == ("done", 1.0)
    assert wrong.state == "done"
    assert wrong.score < 1
    hinted = [c for c in wrong.result["checks"] if c["mistake_hint"]]
    assert hinted
    assert "np.abs" in hinted[0]["mistake_hint"]
    # What is stored for the student holds none of the reference's or the checks' code.
    stored = str(wrong.result)
    for name in ("reference.py", "checks.py"):
        code = (exercise.directory / name).read_text()
        lines = [line.strip() for line in code.splitlines() if len(line.strip()) > 20]
        assert lines, name
        assert not any(line in stored for line in lines), name


@pytest.mark.django_db(transaction=True)
def test_a_redelivered_task_does_not_grade_twice(queued):
    exercise = mean_abs_exercise()
    submission, _ = submission_create(student=make_user("di"), exercise=exercise, source=GOOD)
    tasks.grade_submission.apply(args=(submission.id,)).get()
    finished_at = Submission.objects.get(id=submission.id).finished_at
    assert tasks.grade_submission.apply(args=(submission.id,)).get() == "not claimed"
    row = Submission.objects.get(id=submission.id)
    assert (row.claims, row.finished_at) == (1, finished_at)


@pytest.mark.django_db(transaction=True)
def test_an_unavailable_sandbox_is_an_infrastructure_retry_not_a_verdict(queued, monkeypatch):
    from sandbox import SandboxUnavailable

    def broken():
        raise SandboxUnavailable("isolation checks failed: seccomp")

    monkeypatch.setattr(tasks, "worker_sandbox", broken)
    exercise = mean_abs_exercise()
    submission, _ = submission_create(student=make_user("ed"), exercise=exercise, source=GOOD)
    # Retried (eagerly here, with back-off on a real worker), then left for the reaper;
    # refused before the claim, so the row is exactly as the student left it.
    outcome = tasks.grade_submission.apply(args=(submission.id,))
    assert "seccomp" in str(outcome.result)
    row = Submission.objects.get(id=submission.id)
    assert row.state == "queued"
    assert row.verdict == ""
    assert row.score is None
    assert row.claims == 0
    assert row.started_at is None


@pytest.mark.django_db(transaction=True)
def test_a_submission_saved_while_the_broker_is_down_is_kept_for_the_reaper(monkeypatch, caplog):
    from kombu.exceptions import OperationalError

    def broker_down(*_):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(queues, "send", broker_down)
    exercise = mean_abs_exercise()
    with caplog.at_level("ERROR", logger="descent.grading"):
        submission, created = submission_create(
            student=make_user("bd"), exercise=exercise, source=GOOD
        )
    assert created
    assert Submission.objects.get(id=submission.id).state == "queued"
    assert "event=publish_failed" in caplog.text
    assert "Connection refused" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_submission_that_keeps_killing_workers_is_given_up_without_blame(queued):
    exercise = mean_abs_exercise()
    submission, _ = submission_create(student=make_user("fe"), exercise=exercise, source=GOOD)
    Submission.objects.filter(id=submission.id).update(revivals=tasks.MAX_REVIVALS)
    assert tasks.grade_submission.apply(args=(submission.id,)).get() == "gave up"
    row = Submission.objects.get(id=submission.id)
    assert (row.state, row.verdict) == ("done", "error")
    assert "outside your code" in row.result["message"]


def test_a_worker_process_self_tests_the_sandbox_when_it_starts(caplog, fresh_pool):
    from grading.worker import selftest_on_start

    with caplog.at_level("INFO", logger="descent.grading"):
        assert selftest_on_start() is True
    assert "event=sandbox_selftest ok=true" in caplog.text


def test_a_failed_self_test_refuses_then_retests_and_recovers(
    caplog, monkeypatch, settings, fresh_pool
):
    from grading import sandbox_pool
    from sandbox import Sandbox, SandboxUnavailable

    tested = []
    genuine = Sandbox.require_isolation

    def broken(self):
        tested.append(1)
        raise SandboxUnavailable("isolation checks failed: network namespace")

    reports = []
    monkeypatch.setattr(sandbox_pool, "report_sandbox", lambda **kw: reports.append(kw))
    monkeypatch.setattr(Sandbox, "require_isolation", broken)
    settings.SANDBOX_RETEST_S = 3600
    from grading.worker import selftest_on_start

    with caplog.at_level("INFO", logger="descent.grading"):
        assert selftest_on_start() is False
        # Within the retest interval it refuses at once, without another self-test.
        with pytest.raises(SandboxUnavailable, match="network namespace"):
            fresh_pool.worker_sandbox()
        assert len(tested) == 1
        # The fault goes away; once the interval is over the next grading tests again.
        monkeypatch.setattr(Sandbox, "require_isolation", genuine)
        settings.SANDBOX_RETEST_S = 0
        assert fresh_pool.worker_sandbox() is fresh_pool.shared_sandbox()
    assert "grading=refused" in caplog.text
    assert "network namespace" in caplog.text
    assert "grading=ready recovered=true" in caplog.text
    assert [r["ok"] for r in reports] == [False, True]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_keep_the_rate_limit_and_the_numbering_exact(queued):
    import threading

    from django.db import connection

    from grading.services import SubmissionThrottled

    exercise = mean_abs_exercise()
    student = make_user("gil")
    outcomes, barrier = [], threading.Barrier(12)

    def submit(n):
        try:
            barrier.wait()
            submission_create(student=student, exercise=exercise, source=f"{GOOD}# {n}\n")
            outcomes.append("created")
        except SubmissionThrottled:
            outcomes.append("throttled")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created"] * 6 + ["throttled"] * 6
    attempts = sorted(Submission.objects.filter(student=student).values_list("attempt", flat=True))
    assert attempts == [1, 2, 3, 4, 5, 6]


def test_one_student_cannot_fill_the_queue(student, queued, settings):
    from courses.models import Exercise
    from grading.services import SubmissionThrottled

    settings.SUBMISSIONS_IN_FLIGHT = 3
    exercise = mean_abs_exercise()
    others = []
    for n in range(2):
        other = Exercise.objects.get(pk=exercise.pk)
        other.pk, other.slug = None, f"copy-{n}"
        other.save()
        others.append(other)
    for target in [exercise, *others]:
        submission_create(student=student, exercise=target, source=GOOD)
    with pytest.raises(SubmissionThrottled, match="3 submissions waiting"):
        submission_create(student=student, exercise=exercise, source=NO_ABS)
    # Another student is not held back.
    submission_create(student=make_user("hal"), exercise=exercise, source=GOOD)


def graded_wrong(settings, name: str, *, defer: bool) -> Submission:
    """A wrong mean_abs submission from a new student, graded by the task (eagerly)."""
    settings.GRADING_DEFER_SHRINK = defer
    wrong, _ = submission_create(
        student=make_user(name), exercise=mean_abs_exercise(), source=NO_ABS
    )
    assert tasks.grade_submission.apply(args=(wrong.id,)).get() == "failed"
    return wrong


@pytest.mark.django_db(transaction=True)
def test_the_verdict_comes_first_and_the_smallest_failing_input_after_it(queued, settings):
    wrong = graded_wrong(settings, "rf", defer=True)
    row = Submission.objects.get(id=wrong.id)
    pending = [c for c in row.result["checks"] if c["refine"]]
    assert row.refining
    assert pending
    assert not any(c["shrunk"] for c in pending)
    assert queued[-1] == ("refine", wrong.id)
    verdict = (row.verdict, row.score, row.finished_at, row.result["hint"])

    assert tasks.refine_submission.apply(args=(wrong.id,)).get() == "refined"
    row = Submission.objects.get(id=wrong.id)
    assert not row.refining
    refined = [c for c in row.result["checks"] if c["name"] in {p["name"] for p in pending}]
    assert all(c["shrunk"] and not c["refine"] for c in refined)
    # Smaller: the shrunk failing input of mean(x) for mean(|x|) is one short array.
    before = {p["name"]: p["failing_input"] for p in pending}
    for check in refined:
        assert len(str(check["failing_input"])) <= len(str(before[check["name"]]))
    assert (row.verdict, row.score, row.finished_at, row.result["hint"]) == verdict
    # A second delivery finds nothing left to do.
    assert tasks.refine_submission.apply(args=(wrong.id,)).get() == "nothing to refine"


@pytest.mark.django_db(transaction=True)
def test_a_refinement_never_overwrites_a_result_that_was_replaced(queued, settings, monkeypatch):
    wrong = graded_wrong(settings, "rg", defer=True)
    genuine = tasks.refine_source

    def regraded_meanwhile(*args, **kwargs):
        found = genuine(*args, **kwargs)
        row = Submission.objects.get(id=wrong.id)  # an instructor's regrade lands now
        replaced = {**row.result, "seed": row.result["seed"] + 1, "message": "regraded"}
        Submission.objects.filter(id=wrong.id).update(result=replaced)
        return found

    monkeypatch.setattr(tasks, "refine_source", regraded_meanwhile)
    assert tasks.refine_submission.apply(args=(wrong.id,)).get() == "result changed"
    assert Submission.objects.get(id=wrong.id).result["message"] == "regraded"


@pytest.mark.django_db(transaction=True)
def test_a_refinement_that_never_came_is_abandoned_by_the_reaper(queued, settings):
    wrong = graded_wrong(settings, "rh", defer=True)
    assert submissions_reap()["refinements_abandoned"] == 0
    Submission.objects.filter(id=wrong.id).update(
        finished_at=timezone.now() - timedelta(seconds=settings.REFINE_GIVE_UP_S + 1)
    )
    assert submissions_reap()["refinements_abandoned"] == 1
    assert not Submission.objects.get(id=wrong.id).refining


@pytest.mark.django_db(transaction=True)
def test_with_shrinking_inline_the_verdict_carries_the_smallest_input(queued, settings):
    wrong = graded_wrong(settings, "ri", defer=False)
    row = Submission.objects.get(id=wrong.id)
    assert not row.refining
    assert ("refine", wrong.id) not in queued
    assert any(c["shrunk"] for c in row.result["checks"])


@pytest.mark.django_db(transaction=True)
def test_a_refinement_steps_aside_while_submissions_wait_for_a_verdict(
    queued, settings, monkeypatch
):
    wrong = graded_wrong(settings, "rj", defer=True)
    waiting, _ = submission_create(student=wrong.student, exercise=wrong.exercise, source=GOOD)
    asked = []

    class Yielded(Exception):
        pass

    def retry(**kwargs):
        asked.append(kwargs["countdown"])
        raise Yielded

    monkeypatch.setattr(tasks.refine_submission, "retry", retry)
    assert tasks.refine_submission.apply(args=(wrong.id,)).failed()  # it raised Yielded
    # Each time it comes back and still finds someone waiting, it steps aside longer.
    assert tasks.refine_submission.apply(args=(wrong.id,), retries=3).failed()
    assert tasks.refine_submission.apply(args=(wrong.id,), retries=9).failed()
    assert asked == [tasks.REFINE_YIELD_S, 8 * tasks.REFINE_YIELD_S, tasks.REFINE_YIELD_MAX_S]
    # The rounds add up to about five minutes, then it runs whoever waits.
    rounds = sum(tasks._refine_yield_s(n) for n in range(tasks.REFINE_YIELDS))
    assert 240 <= rounds <= 360
    assert Submission.objects.get(id=wrong.id).refining
    # Once nobody waits for a verdict, it runs.
    tasks.grade_submission.apply(args=(waiting.id,)).get()
    assert tasks.refine_submission.apply(args=(wrong.id,)).get() == "refined"


@pytest.mark.django_db(transaction=True)
def test_on_a_worker_that_does_not_grade_a_refinement_waits_in_its_task(
    queued, settings, monkeypatch
):
    """docker-compose's background worker (-Q feedback,regrade) holds its refinement until
    the graders are free instead of going back to the broker."""
    wrong = graded_wrong(settings, "rk", defer=True)
    monkeypatch.setattr(tasks.refine_submission.app.amqp.queues, "_consume_from", {"feedback": 1})
    answers = iter([True, True, True, False])  # a submission waits for two polls, then none
    monkeypatch.setattr(tasks, "_students_waiting", lambda: next(answers))
    monkeypatch.setattr(tasks, "REFINE_POLL_S", 0.05)

    def retry(**kwargs):
        raise AssertionError(f"went back to the broker: {kwargs}")

    monkeypatch.setattr(tasks.refine_submission, "retry", retry)
    assert tasks.refine_submission.apply(args=(wrong.id,)).get() == "refined"
    assert next(answers, "asked until none waited") == "asked until none waited"
    # A worker that also grades would never wait: its process could be grading instead.
    monkeypatch.setattr(tasks.refine_submission.app.amqp.queues, "_consume_from", {"grading": 1})
    assert tasks._grades_here(tasks.refine_submission.app)
    monkeypatch.setattr(tasks.refine_submission.app.amqp.queues, "_consume_from", None)
    assert tasks._grades_here(tasks.refine_submission.app)
