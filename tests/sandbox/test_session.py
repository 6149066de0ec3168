import os
import signal
import threading
import time

import numpy as np
import pytest

from sandbox import Handle, Limits, RunEnded, Sandbox, SandboxUnavailable, SelfTestReport, testfns
from tests.sandbox.conftest import FAST

VALUE_CLASS = """
import math

class Value:
    def __init__(self, data, children=()):
        self.data = float(data)
        self.grad = 0.0
        self._children = children
        self._backward = lambda: None

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))
        def backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = backward
        return out

    __radd__ = __add__

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))
        def backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = backward
        return out

    __rmul__ = __mul__

    def __rsub__(self, other):
        return Value(other - self.data)

    def backward(self):
        self.grad = 1.0
        order, seen = [], set()
        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for c in v._children:
                    visit(c)
                order.append(v)
        visit(self)
        for v in reversed(order):
            v._backward()
"""


def test_it_reports_top_level_names_with_kinds_and_parameters(sandbox):
    source = "import numpy as np\nCONST = 3\ndef step(w, grad, lr=0.1, *args, **kw):\n    pass\nclass Model:\n    def __init__(self, size):\n        pass\n"
    with sandbox.session(FAST) as s:
        loaded = s.load(source)
    assert loaded.ok
    assert loaded.names["step"].kind == "function"
    assert loaded.names["step"].params == ("w", "grad", "lr=0.1", "*args", "**kw")
    assert loaded.names["step"].param_names == ("w", "grad", "lr", "args", "kw")
    assert loaded.names["Model"].kind == "class"
    assert loaded.names["Model"].param_names == ("size",)
    assert loaded.names["CONST"].kind == "other"
    assert loaded.names["CONST"].params is None
    assert s.outcome.status == "ok"


def test_it_calls_a_function_with_arrays_and_returns_plain_data(run):
    source = "import numpy as np\ndef mse(a, b):\n    return float(np.mean((a - b) ** 2)), (a - b).astype(np.float32)"
    result, outcome = run(source, "mse", [np.array([1.0, 2.0]), np.array([0.0, 0.0])])
    assert result.ok
    loss, diff = result.value
    assert loss == 2.5
    assert diff.dtype == np.float64
    assert diff.tolist() == [1.0, 2.0]
    assert outcome.status == "ok"


def test_it_passes_keyword_arguments(run):
    result, _ = run("def f(a, *, scale=1):\n    return a * scale", "f", [2], kwargs={"scale": 5})
    assert result.value == 10


def test_it_keeps_objects_as_handles_and_drives_them(sandbox):
    with sandbox.session(FAST) as s:
        s.load(VALUE_CLASS)
        a = s.call("Value", [2.0]).value
        b = s.call("Value", [-3.0]).value
        assert isinstance(a, Handle)
        assert a.type_name == "Value"
        c = s.op("mul", a, b).value
        d = s.op("radd", c, 10.0).value
        e = s.op("rsub", d, 1.0).value
        assert s.getattr(d, "data").value == 4.0
        assert s.getattr(e, "data").value == -3.0
        assert s.method(d, "backward").ok
        assert s.getattr(a, "grad").value == -3.0
        assert s.getattr(b, "grad").value == 2.0
        assert s.call(d, method="backward").ok


def test_it_returns_plain_results_as_handles_when_asked_to_keep_them(sandbox):
    with sandbox.session(FAST) as s:
        s.load("def make():\n    return [1, 2]\n")
        kept = s.call("make", keep=True).value
        assert isinstance(kept, Handle)
        assert kept.type_name == "list"
        s.method(kept, "append", [3])
        assert s.call(kept, method="copy").value == [1, 2, 3]


def test_it_refuses_handles_from_another_session(sandbox):
    with sandbox.session(FAST) as s:
        s.load(VALUE_CLASS)
        h = s.call("Value", [1.0]).value
    with sandbox.session(FAST) as s2:
        s2.load(VALUE_CLASS)
        with pytest.raises(ValueError, match="does not belong to this session"):
            s2.getattr(h, "data")
        with pytest.raises(ValueError, match="does not belong to this session"):
            s2.getattr(Handle(999), "data")


def test_it_returns_the_post_call_state_of_arguments_when_asked(run):
    source = "def scale_(x, k):\n    x *= k\n    return None"
    x = np.array([1.0, 2.0])
    result, _ = run(source, "scale_", [x, 2], return_args=True)
    assert result.ok
    assert result.args[0].tolist() == [2.0, 4.0]
    assert result.args[1] == 2
    assert x.tolist() == [1.0, 2.0]


def test_it_counts_test_function_evaluations(run):
    source = "def descend(grad, x, lr, steps):\n    for _ in range(steps):\n        x = x - lr * grad(x)\n    return x"
    grad = testfns.ref("narrow_valley.grad", scale=10.0)
    result, _ = run(source, "descend", [grad, np.array([1.0, 1.0]), 0.01, 7])
    assert result.fn_calls == {"narrow_valley.grad": {"grad": 7}}
    reference = np.array([1.0, 1.0])
    local = testfns.build(grad)
    for _ in range(7):
        reference = reference - 0.01 * local(reference)
    assert np.array_equal(result.value, reference)


def test_it_validates_test_function_parameters_before_sending(sandbox):
    with sandbox.session(FAST) as s:
        s.load("def f(fn):\n    return fn([0.0])\n")
        with pytest.raises(ValueError, match="A and b disagree in size"):
            s.call("f", [testfns.ref("quadratic", A=np.eye(2), b=np.ones(3))])
        assert s.call("f", [testfns.ref("sum_of_squares")]).value == 0.0


def test_it_reports_student_exceptions_with_only_their_frames(run):
    source = "import numpy as np\n\ndef inner(x):\n    return np.linalg.inv(x)\n\ndef outer(x):\n    return inner(x)\n"
    result, outcome = run(source, "outer", [np.zeros((2, 2))])
    assert not result.ok
    assert result.error.type == "LinAlgError"
    assert 'File "submission.py", line 7, in outer' in result.error.traceback
    assert 'File "submission.py", line 4, in inner' in result.error.traceback
    assert "runner.py" not in result.error.traceback
    assert "numpy" not in result.error.traceback.split("\n")[-3]
    assert outcome.status == "ok"


def test_it_reports_a_missing_function_as_a_name_error(run):
    result, _ = run("x = 1", "nope")
    assert result.error.type == "NameError"


def test_it_reports_syntax_errors_with_their_position(sandbox):
    with sandbox.session(FAST) as s:
        loaded = s.load("def f(:\n    pass\n")
    assert loaded.status == "syntax_error"
    assert loaded.error.line == 1
    assert loaded.error.offset is not None


def test_it_reports_exceptions_raised_while_loading(sandbox):
    with sandbox.session(FAST) as s:
        loaded = s.load("x = 1\nraise ValueError('bad import')\n")
    assert loaded.status == "error"
    assert loaded.error.type == "ValueError"
    assert "line 2" in loaded.error.traceback


def test_it_rejects_oversized_source_without_spawning(sandbox):
    with sandbox.session(FAST) as s:
        loaded = s.load("#" * (64 * 1024 + 1))
        assert loaded.status == "rejected"
        assert s._run is None
    assert s.outcome is None


def test_it_rejects_source_that_is_not_utf8_without_spawning(sandbox):
    with sandbox.session(FAST) as s:
        loaded = s.load(b"\xff\xfe def f(): pass")
        assert loaded.status == "rejected"
        assert s._run is None


def test_it_ends_the_run_when_a_call_times_out(sandbox):
    with sandbox.session(FAST) as s:
        s.load("def spin():\n    while True:\n        pass\n")
        with pytest.raises(RunEnded) as ended:
            s.call("spin", timeout=0.3)
        assert ended.value.outcome.status == "timeout"
        # The call's own deadline ended it, long before the run's CPU limit (5 s).
        assert ended.value.outcome.detail == "no answer within 0.3 s"
        with pytest.raises(RunEnded):
            s.call("spin")
    assert s.outcome.status == "timeout"


def test_it_captures_stdout_and_stderr(run):
    source = (
        "import sys\ndef f():\n    print('out')\n    print('err', file=sys.stderr)\n    return 1"
    )
    result, outcome = run(source, "f")
    assert result.value == 1
    assert outcome.stdout == "out\n"
    assert outcome.stderr == "err\n"


def test_it_reports_resource_use(run):
    source = "import numpy as np\ndef f():\n    a = np.ones(4_000_000)\n    return float(a.sum())"
    result, outcome = run(source, "f")
    assert result.value == 4_000_000.0
    assert outcome.max_rss_kb > 30_000
    assert outcome.cpu_ms > 0
    assert outcome.wall_ms > 0
    assert outcome.limits_backend in ("cgroup-v1", "cgroup-v2", "rlimit")


def test_it_runs_sessions_with_different_limits_back_to_back(sandbox):
    for tmpfs_mb in (1, 3, 1):
        limits = Limits(cpu_s=5, wall_s=10, memory_mb=64, pids=8, tmpfs_mb=tmpfs_mb)
        source = "import os\ndef size():\n    s = os.statvfs('/work')\n    return s.f_blocks * s.f_frsize"
        with sandbox.session(limits) as s:
            s.load(source)
            assert s.call("size").value == tmpfs_mb * 1024 * 1024


def test_it_serves_sessions_from_several_threads(sandbox):
    errors = []

    def work(i):
        try:
            for j in range(3):
                with sandbox.session(FAST) as s:
                    s.load(f"def f():\n    return {i * 10 + j}")
                    assert s.call("f").value == i * 10 + j
        except Exception as exc:  # noqa: BLE001 - collected for the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_it_restarts_a_zygote_that_died():
    sb = Sandbox()
    try:
        with sb.session(FAST) as s:
            s.load("pass")
        os.kill(sb.info()["pid"], signal.SIGKILL)
        time.sleep(0.1)
        with sb.session(FAST) as s:
            s.load("def f():\n    return 5")
            assert s.call("f").value == 5
    finally:
        sb.close()


def test_it_refuses_to_grade_when_the_self_test_fails(monkeypatch):
    import sandbox.client

    sb = Sandbox()
    try:
        failing = SelfTestReport(False, {"seccomp_filter_active": False}, "isolation checks failed")
        monkeypatch.setattr(sandbox.client, "run_selftest", lambda _: failing)
        with pytest.raises(SandboxUnavailable, match="isolation checks failed"):
            sb.require_isolation()
    finally:
        sb.close()


def test_it_measures_the_overhead_of_an_empty_run(sandbox):
    from sandbox.bench import empty_run_overhead

    timing = empty_run_overhead(10, sandbox=sandbox)
    assert timing.runs == 10
    assert 0 < timing.min_ms <= timing.median_ms <= timing.p95_ms <= timing.max_ms


def test_it_tightens_a_spare_built_for_looser_limits(sandbox):
    source = "import resource\ndef limits():\n    return [resource.getrlimit(r)[1] for r in (resource.RLIMIT_CPU, resource.RLIMIT_NOFILE, resource.RLIMIT_NPROC)]"
    loose = Limits(cpu_s=9, wall_s=10, open_files=60, pids=20, memory_mb=200)
    tight = Limits(cpu_s=2, wall_s=10, open_files=20, pids=6, memory_mb=64)
    with sandbox.session(loose) as s:
        s.load(source)
        assert s.call("limits").value == [9, 60, 20]
    with sandbox.session(tight) as s:
        s.load(source + "\ndef hog():\n    return bytearray(100 * 1024 * 1024)[::4096].count(0)")
        assert s.call("limits").value == [2, 20, 6]
        with pytest.raises(RunEnded):
            s.call("hog")
    assert s.outcome.status == "memory"


def test_it_falls_back_to_rlimits_without_cgroups():
    sb = Sandbox(use_cgroups=False)
    try:
        report = sb.selftest()
        assert report.ok, report.reason
        assert report.details["limits_backend"] == "rlimit"
        assert "RLIMIT_DATA" in report.reason
        with sb.session(Limits(memory_mb=64, wall_s=10)) as s:
            s.load("def hog():\n    return len(bytearray(200 * 1024 * 1024))")
            with pytest.raises(RunEnded):
                s.call("hog")
        assert s.outcome.status == "memory"
    finally:
        sb.close()


BATCHED = (
    "import numpy as np\n"
    "calls = []\n"
    "def f(x, scale=1.0):\n"
    "    calls.append(1)\n"
    "    if x.size == 0:\n"
    "        raise ValueError('empty')\n"
    "    x *= 0\n"
    "    return float(len(calls)) * scale\n"
    "def big(n):\n"
    "    return np.zeros(n)\n"
)


def test_call_many_answers_each_call_in_order_in_one_round_trip(sandbox):
    with sandbox.session(FAST) as s:
        s.load(BATCHED)
        sent = []
        original = s._run.request
        s._run.request = lambda message, timeout: (
            sent.append(message["op"]) or original(message, timeout)
        )
        results = s.call_many(
            "f", [([np.ones(2)], {}), ([np.ones(3)], {"scale": 10.0}), ([np.ones(1)], {})]
        )
    assert [r.value for r in results] == [1.0, 20.0, 3.0]
    assert sent == ["call_many"]


def test_call_many_keeps_each_calls_error_to_itself(sandbox):
    with sandbox.session(FAST) as s:
        s.load(BATCHED)
        results = s.call_many("f", [([np.ones(2)], {}), ([np.zeros(0)], {}), ([np.ones(2)], {})])
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error.type == "ValueError"
    assert results[2].value == 3.0


def test_call_many_returns_the_arguments_after_each_call_when_asked(sandbox):
    with sandbox.session(FAST) as s:
        s.load(BATCHED)
        results = s.call_many("f", [([np.ones(2)], {})] * 2, return_args=True)
    assert all(np.array_equal(r.args[0], np.zeros(2)) for r in results)


def test_call_many_splits_answers_that_would_outgrow_the_frame_cap(sandbox):
    limits = Limits(cpu_s=5, wall_s=10, memory_mb=256, tmpfs_mb=4, result_bytes=1_000_000)
    with sandbox.session(limits) as s:
        s.load(BATCHED)
        sent = []
        original = s._run.request
        s._run.request = lambda message, timeout: (
            sent.append(message["op"]) or original(message, timeout)
        )
        # 10 answers of 80 kB each: 800 kB in all, more than a quarter of the 1 MB cap.
        results = s.call_many("big", [([10_000], {})] * 10)
    assert [r.value.shape for r in results] == [(10_000,)] * 10
    assert len(sent) > 1


def test_call_many_refuses_test_functions(sandbox):
    with sandbox.session(FAST) as s:
        s.load(BATCHED)
        with pytest.raises(ValueError, match="test functions"):
            s.call_many("f", [([testfns.ref("sum_of_squares")], {})] * 2)
