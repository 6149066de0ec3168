"""Hostile submissions. Each test checks what the grader would act on (the outcome status,
the value it gets back) and that nothing outside the run was touched. The last part aims
at the trusted side: answers built to crash a check, to make the grader do unbounded work,
to forge a fact, or to break storage with their text."""

import gc
import hashlib
import json
import math
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

import numpy as np
import pytest

from judge.engine import grade_source, refine_source
from judge.exercise import load_exercise
from sandbox import Handle, Limits, RunEnded
from sandbox.jail import INNER_UID
from sandbox.selftest import processes_of_run
from sandbox.zygote import UID_BASE
from tests.sandbox.conftest import FAST

PROJECT = Path(__file__).resolve().parents[2]
QUICK = Limits(cpu_s=5, wall_s=5, memory_mb=128, pids=16, tmpfs_mb=2, stdout_bytes=10_000)
# A run's own account of who and where it is: its uid and its pid namespace.
IDENTITY = "(os.getuid(), os.readlink('/proc/self/ns/pid'))"


def src(text: str) -> str:
    return dedent(text).strip() + "\n"


def leftovers(sandbox, identity) -> list[int]:
    """Processes of a run that are still alive: those in its pid namespace, and in root
    mode, where every run has a uid of its own, any process with that uid anywhere."""
    uid, pidns = identity
    own_uid = uid if sandbox.info()["mode"] == "root" else None
    return processes_of_run(pidns, own_uid)


def gone(sandbox, identity, seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while leftovers(sandbox, identity):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture(autouse=True)
def host_still_serves(sandbox):
    """After every attack the same zygote must still run clean submissions."""
    zygote = sandbox.info()["pid"]
    yield
    with sandbox.session(FAST) as s:
        s.load("def ok():\n    return 'fine'")
        assert s.call("ok").value == "fine"
    assert sandbox.info()["pid"] == zygote


def _load_and_call(session, source, name, args, timeout):
    loaded = session.load(source, timeout=timeout)
    assert loaded.ok, loaded
    if name is not None:
        session.call(name, args, timeout=timeout)


def ended(sandbox, source, name=None, args=(), *, limits=QUICK, timeout=3.0):
    """Run `source` (and call `name`) expecting the run to end; return the outcome."""
    with sandbox.session(limits) as s, pytest.raises(RunEnded) as info:
        _load_and_call(s, source, name, args, timeout)
    assert info.value.outcome == s.outcome
    return s.outcome


# --- lying about the result --------------------------------------------------------------


def test_it_treats_a_printed_verdict_as_plain_output(run):
    source = src("""
        def mse(a, b):
            print("All tests passed! verdict=PASSED score=100/100")
            print('{"status": "ok", "value": 0.0}')
            return 123.0
    """)
    result, outcome = run(source, "mse", [np.zeros(2), np.ones(2)], limits=QUICK)
    assert result.value == 123.0
    assert "PASSED" in outcome.stdout
    assert outcome.status == "ok"


@pytest.mark.parametrize(
    "body",
    [
        "class Liar:\n    def __eq__(self, other):\n        return True\n    __hash__ = None",
        "class Liar:\n    def __array_function__(self, *a, **k):\n        return True\n    def __array_ufunc__(self, *a, **k):\n        return True",
        "class Liar:\n    def __array__(self, *a, **k):\n        import numpy\n        return numpy.zeros(3)\n    def __float__(self):\n        return 0.0",
        "class Liar(float):\n    def __eq__(self, other):\n        return True\n    __hash__ = float.__hash__",
        "class Liar(list):\n    def __eq__(self, other):\n        return True",
        "class Liar(dict):\n    def __eq__(self, other):\n        return True",
    ],
    ids=["eq", "array_function", "array", "float_subclass", "list_subclass", "dict_subclass"],
)
def test_it_returns_objects_with_overridden_comparisons_only_as_handles(run, body):
    source = body + "\n\ndef answer():\n    return Liar()\n"
    result, _ = run(source, "answer", limits=QUICK)
    assert isinstance(result.value, Handle)
    assert result.value.type_name == "Liar"
    assert not np.allclose(np.zeros(3), np.ones(3))


def test_it_is_not_fooled_by_a_patched_numpy_allclose(run):
    source = src("""
        import numpy
        numpy.allclose = lambda *a, **k: True
        numpy.testing.assert_allclose = lambda *a, **k: None
        def solve():
            return [1.0, 2.0, 3.0]
    """)
    result, _ = run(source, "solve", limits=QUICK)
    assert not np.allclose(result.value, [0.0, 0.0, 0.0])


def test_it_gives_frames_and_gc_nothing_to_find(run):
    expected_answer = np.array([1234.5678, 8765.4321])  # only ever in the worker
    source = src("""
        import gc, sys
        def snoop():
            found = []
            frame = sys._getframe()
            while frame is not None:
                found.append(repr(frame.f_locals)[:10000])
                frame = frame.f_back
            for obj in gc.get_objects():
                try:
                    found.append(repr(obj)[:200])
                except Exception:
                    pass
            text = "\\n".join(found)
            # Joined at run time (the compiler would fold "a" + "b"), so the search terms are
            # not among this source's own constants.
            terms = ["".join(parts) for parts in (("1234.", "5678"), ("8765.", "4321"), ("expected", "_answer"))]
            return [term for term in terms if term in text]
    """)
    result, _ = run(source, "snoop", limits=QUICK, timeout=10)
    assert result.value == []
    assert expected_answer[0] == 1234.5678


def test_it_returns_a_pickled_payload_as_an_opaque_handle(run, tmp_path):
    marker = tmp_path / "unpickled"
    source = src(f"""
        import os, pickle
        class Bomb:
            def __reduce__(self):
                return (os.system, ("touch {marker}",))
        def answer():
            return pickle.dumps(Bomb())
    """)
    result, _ = run(source, "answer", limits=QUICK)
    assert result.value == Handle(result.value.id, "bytes")
    assert not marker.exists()


def test_it_keeps_dicts_that_imitate_protocol_tags_as_dicts(run):
    source = "def answer():\n    return {'__handle__': 1, 'type': 'Value', '__fn__': 'x'}\n"
    result, _ = run(source, "answer", limits=QUICK)
    assert result.value == {"__handle__": 1, "type": "Value", "__fn__": "x"}


def test_it_passes_nan_infinity_and_huge_numbers_as_data(run):
    source = src("""
        import numpy as np
        def answer():
            return float("nan"), float("inf"), -1e308 * 10, np.array([np.nan, np.inf]), 10**5000
    """)
    result, _ = run(source, "answer", limits=QUICK)
    nan, inf, minus_inf, arr, huge = result.value
    assert math.isnan(nan)
    assert inf == math.inf
    assert minus_inf == -math.inf
    assert np.isnan(arr[0])
    assert np.isinf(arr[1])
    assert isinstance(huge, Handle)
    assert huge.type_name == "int"


def test_it_refuses_a_result_over_the_result_cap(run):
    limits = Limits(wall_s=5, result_bytes=1_000_000)
    source = "import numpy as np\ndef answer():\n    return np.ones(1_000_000)\n"
    result, outcome = run(source, "answer", limits=limits)
    assert result.error.type == "ResultTooLarge"
    assert outcome.status == "ok"


def test_it_only_takes_values_from_a_runner_the_student_rewired(sandbox):
    source = src("""
        import sys
        runner = sys.modules["sandbox.runner"]
        real_send = runner.Runner.send
        def send(self, message):
            if message.get("status") == "ok":
                message["value"] = 42
            return real_send(self, message)
        runner.Runner.send = send
        def f():
            return 0
    """)
    with sandbox.session(QUICK) as s:
        s.load(source)
        assert s.call("f").value == 42
        assert s.call("f").value == 42
    assert s.outcome.status == "ok"


# --- forging protocol frames -------------------------------------------------------------


def frame_writer(fd: int, payload: str) -> str:
    return src(f"""
        import json, os, struct
        def forge():
            header = json.dumps({payload}).encode()
            os.write({fd}, struct.pack(">I", len(header)) + header)
            return "honest"
    """)


def test_it_ends_the_run_on_a_forged_frame_with_the_wrong_id(sandbox):
    payload = '{"v": {"__dict__": {"id": 99, "status": "ok", "value": "PASSED"}}, "a": []}'
    outcome = ended(sandbox, frame_writer(3, payload), "forge")
    assert outcome.status == "crashed"
    assert "protocol" in outcome.detail


def test_it_takes_a_forged_frame_with_the_right_id_as_nothing_but_the_answer(sandbox):
    payload = '{"v": {"__dict__": {"id": 2, "status": "ok", "value": "PASSED"}}, "a": []}'
    with sandbox.session(QUICK) as s:
        s.load(frame_writer(3, payload))
        assert s.call("forge").value == "PASSED"
        with pytest.raises(RunEnded):
            s.call("forge")
    assert s.outcome.status == "crashed"
    assert "protocol" in s.outcome.detail


def test_it_ends_the_run_on_garbage_written_to_the_response_pipe(sandbox):
    source = (
        "import os\ndef forge():\n    os.write(3, b'\\x00\\x00\\x00\\x05hello')\n    return 1\n"
    )
    outcome = ended(sandbox, source, "forge")
    assert outcome.status == "crashed"
    assert "protocol" in outcome.detail


def test_it_stops_reading_a_response_that_claims_to_be_gigabytes(sandbox):
    source = "import os, time\ndef forge():\n    os.write(3, b'\\xff\\xff\\xff\\xff')\n    time.sleep(30)\n"
    outcome = ended(sandbox, source, "forge")
    assert outcome.status == "output_limit"


def test_it_treats_frames_written_to_stdout_and_stderr_as_output(run):
    payload = '{"v": {"__dict__": {"id": 2, "status": "ok", "value": "PASSED"}}, "a": []}'
    source = frame_writer(1, payload) + frame_writer(2, payload).replace("def forge", "def forge2")
    result, outcome = run(source, "forge", limits=QUICK)
    assert result.value == "honest"
    assert outcome.status == "ok"


def test_it_cannot_be_fed_fake_requests_through_its_own_stdin(run):
    source = src("""
        import os
        def forge():
            try:
                os.write(0, b"\\x00\\x00\\x00\\x02{}")
            except OSError as exc:
                return type(exc).__name__
            return "written"
    """)
    result, _ = run(source, "forge", limits=QUICK)
    assert result.value == "OSError"


def test_it_ends_the_run_when_the_response_pipe_is_closed(sandbox):
    outcome = ended(sandbox, "import os\ndef f():\n    os.close(3)\n    return 1\n", "f")
    assert outcome.status == "crashed"


def test_it_times_out_a_submission_that_steals_the_next_request(sandbox):
    source = "import os\ndef steal():\n    return os.read(0, 1 << 20)\n"
    outcome = ended(sandbox, source, "steal", timeout=0.5)
    assert outcome.status == "timeout"


# --- exiting and crashing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "exit_code"),
    [("import sys; sys.exit()", 0), ("import os; os._exit(3)", 3), ("raise SystemExit(7)", 7)],
)
def test_it_reports_an_exit_from_a_call_as_a_crash(sandbox, statement, exit_code):
    outcome = ended(sandbox, f"def f():\n    {statement}\n", "f")
    assert outcome.status == "crashed"
    assert outcome.exit_code == exit_code


def test_it_reports_an_exit_while_loading_as_a_crash(sandbox):
    outcome = ended(sandbox, "import sys\nsys.exit('bye')\n")
    assert outcome.status == "crashed"
    assert outcome.exit_code == 1
    assert "bye" in outcome.stderr


@pytest.mark.parametrize("name", ["KeyboardInterrupt", "GeneratorExit", "Escape"])
def test_it_reports_other_base_exceptions_as_student_errors(run, name):
    source = "class Escape(BaseException):\n    pass\n\ndef f():\n    raise " + name + "('x')\n"
    result, outcome = run(source, "f", limits=QUICK)
    assert result.error.type == name
    assert outcome.status == "ok"


def test_it_reports_a_segfault_as_a_crash(sandbox):
    outcome = ended(sandbox, "import ctypes\ndef f():\n    return ctypes.string_at(0)\n", "f")
    assert outcome.status == "crashed"
    assert outcome.signal == 11


def test_it_reports_unbounded_recursion_as_an_error(run):
    source = "def f(n=0):\n    return f(n + 1)\n"
    result, _ = run(source, "f", limits=QUICK)
    assert result.error.type == "RecursionError"
    assert len(result.error.traceback) <= 9000
    assert "Previous line repeated" in result.error.traceback


def test_it_survives_recursion_that_overflows_the_c_stack(sandbox):
    # Python-to-Python calls no longer use the C stack in 3.11; repr of nested lists does.
    source = src("""
        import sys
        sys.setrecursionlimit(10**7)
        def f():
            x = []
            for _ in range(500_000):
                x = [x]
            return repr(x)
    """)
    outcome = ended(sandbox, source, "f", timeout=10)
    assert outcome.status == "crashed"
    assert outcome.signal == 11


def test_it_caps_a_huge_exception_message(run):
    result, _ = run("def f():\n    raise ValueError('x' * 10_000_000)\n", "f", limits=QUICK)
    assert result.error.type == "ValueError"
    assert len(result.error.message) < 2100
    assert len(result.error.traceback) < 9000


def test_it_survives_an_exception_whose_str_raises(run):
    source = "class Bad(Exception):\n    def __str__(self):\n        raise RuntimeError\n\ndef f():\n    raise Bad()\n"
    result, _ = run(source, "f", limits=QUICK)
    assert result.error.type == "Bad"
    assert result.error.message == "<unprintable>"


def test_it_kills_the_run_on_a_foreign_architecture_syscall(sandbox):
    # mov eax, 20 (getpid on i386); int 0x80; ret
    source = src("""
        import ctypes, mmap
        def f():
            code = b"\\xb8\\x14\\x00\\x00\\x00\\xcd\\x80\\xc3"
            buf = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
            buf.write(code)
            addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
            return ctypes.CFUNCTYPE(ctypes.c_int)(addr)()
    """)
    outcome = ended(sandbox, source, "f")
    assert outcome.status == "crashed"
    assert outcome.signal == 31


def test_it_kills_the_run_on_an_x32_syscall(sandbox):
    source = "import ctypes\ndef f():\n    return ctypes.CDLL(None).syscall(0x40000000 + 39)\n"
    outcome = ended(sandbox, source, "f")
    assert outcome.status == "crashed"
    assert outcome.signal == 31


# --- hanging -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "while True:\n        pass",
        "import time\n    time.sleep(3600)",
        "import sys\n    return sys.stdin.read()",
        "import signal\n    for s in (signal.SIGTERM, signal.SIGALRM, signal.SIGINT, signal.SIGHUP):\n        signal.signal(s, signal.SIG_IGN)\n    while True:\n        pass",
    ],
    ids=["busy_loop", "sleep", "stdin", "ignores_signals"],
)
def test_it_times_out_a_call_that_never_returns(sandbox, body):
    outcome = ended(sandbox, f"def f():\n    {body}\n", "f", timeout=0.4)
    assert outcome.status == "timeout"
    # The call's deadline, not the run's CPU or wall-clock limit, ended it.
    assert outcome.detail == "no answer within 0.4 s"


def test_it_enforces_the_cpu_limit_without_a_call_timeout(sandbox):
    limits = Limits(cpu_s=1, wall_s=10)
    outcome = ended(sandbox, "while True:\n    pass\n", limits=limits, timeout=None)
    assert outcome.status == "timeout"
    assert "CPU" in outcome.detail


def test_it_enforces_the_wall_clock_limit_without_a_call_timeout(sandbox):
    limits = Limits(cpu_s=5, wall_s=1)
    outcome = ended(sandbox, "import time\ntime.sleep(3600)\n", limits=limits, timeout=None)
    assert outcome.status == "timeout"
    assert "wall" in outcome.detail


# --- exhausting resources ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "blocks = []\n    while True:\n        blocks.append(bytearray(10**6))",
        "import numpy as np\n    return np.ones(10**11)",
        "import numpy as np\n    a = np.ones(60_000_000)\n    return float(a.sum())",
    ],
    ids=["python_list", "numpy_huge", "numpy_touched"],
)
def test_it_ends_a_memory_bomb_as_memory(sandbox, body):
    limits = Limits(cpu_s=5, wall_s=10, memory_mb=96)
    outcome = ended(sandbox, f"def f():\n    {body}\n", "f", limits=limits, timeout=10)
    assert outcome.status == "memory"


def test_it_contains_a_fork_bomb(sandbox):
    source = src(f"""
        import os, time
        def bomb():
            children = 0
            try:
                while True:
                    if os.fork() == 0:
                        time.sleep(60)
                        os._exit(0)
                    children += 1
            except OSError:
                return children, {IDENTITY}
    """)
    with sandbox.session(Limits(pids=8, wall_s=10)) as s:
        s.load(source)
        children, identity = s.call("bomb", timeout=5).value
    assert children < 8
    assert s.outcome.status == "ok"
    assert gone(sandbox, identity)


def test_a_runs_process_limit_counts_its_own_processes_only(sandbox):
    # Root mode: cgroup pids.max, or RLIMIT_NPROC of a uid per run. User-namespace mode:
    # RLIMIT_NPROC, which the kernel counts per user namespace, and each run has its own.
    source = src("""
        import os, time
        def hold(n):
            for _ in range(n):
                if os.fork() == 0:
                    time.sleep(60)
                    os._exit(0)
            return n
        def bomb():
            children = 0
            try:
                while children < 50:
                    if os.fork() == 0:
                        time.sleep(60)
                        os._exit(0)
                    children += 1
            except OSError:
                pass
            return children
    """)
    limits = Limits(pids=8, wall_s=10)
    with sandbox.session(limits) as first, sandbox.session(limits) as second:
        first.load(source)
        assert first.call("hold", [6]).value == 6
        second.load(source)
        assert second.call("bomb", timeout=5).value == 7
        assert first.call("bomb", timeout=5).value == 1


def test_it_contains_a_thread_bomb(sandbox):
    source = src(f"""
        import os, threading, time
        def bomb():
            threads = 0
            try:
                while True:
                    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
                    threads += 1
            except RuntimeError:
                return threads, {IDENTITY}
    """)
    with sandbox.session(Limits(pids=8, wall_s=10)) as s:
        s.load(source)
        threads, identity = s.call("bomb", timeout=5).value
    assert threads < 8
    assert gone(sandbox, identity)


def test_it_leaves_no_daemon_behind(sandbox, tmp_path):
    source = src(f"""
        import os, time
        def daemonize():
            if os.fork() == 0:
                try:
                    os.setsid()
                except OSError:
                    pass  # denied by the jail's seccomp filter; a double fork still orphans
                if os.fork() == 0:
                    time.sleep(1)
                    for path in ("/work/alive", "/tmp/alive"):
                        try:
                            open(path, "w").write("still here")
                        except OSError:
                            pass
                    time.sleep(60)
                os._exit(0)
            return {IDENTITY}
    """)
    with sandbox.session(QUICK) as s:
        s.load(source)
        identity = s.call("daemonize").value
    uid, _ = identity
    if sandbox.info()["mode"] == "root":
        assert uid >= UID_BASE
    else:
        assert uid == INNER_UID
    assert gone(sandbox, identity, 0.5)
    time.sleep(1.2)
    assert leftovers(sandbox, identity) == []


def test_it_ends_an_output_flood_as_output_limit(sandbox):
    outcome = ended(sandbox, "def f():\n    while True:\n        print('spam ' * 200)\n", "f")
    assert outcome.status == "output_limit"
    assert outcome.stdout_truncated
    assert len(outcome.stdout) <= QUICK.stdout_bytes


def test_it_ends_a_stderr_flood_from_a_thread_as_output_limit(sandbox):
    source = src("""
        import os, threading
        def spam():
            while True:
                os.write(2, b"x" * 65536)
        threading.Thread(target=spam, daemon=True).start()
        def f():
            import time
            time.sleep(5)
    """)
    outcome = ended(sandbox, source, "f")
    assert outcome.status == "output_limit"
    assert outcome.stderr_truncated


def test_it_contains_a_disk_filler_to_its_own_tmpfs(run):
    source = src("""
        def fill():
            total = 0
            for i in range(1000):
                try:
                    with open(f"/work/f{i}", "wb") as f:
                        f.write(b"x" * 1_000_000)
                    total += 1_000_000
                except OSError:
                    break
            return total
    """)
    result, outcome = run(source, "fill", limits=QUICK)
    assert result.value <= QUICK.tmpfs_mb * 1024 * 1024
    assert outcome.status == "ok"


SPINNERS = src("""
    import os
    def spin(n):
        for _ in range(n):
            if os.fork() == 0:
                try:
                    os.setsid()  # a session of its own: a scheduler autogroup of its own
                except OSError:
                    pass
                while True:
                    pass
        return n
""")
WORK = "def work(n):\n    total = 0\n    for i in range(n):\n        total += i * i\n    return total\n"


def timed_work(session, n: int) -> float:
    started = time.perf_counter()
    session.call("work", [n], timeout=25)
    return time.perf_counter() - started


@pytest.mark.slow
def test_a_run_of_spinning_processes_does_not_slow_a_concurrent_grading(sandbox):
    # The issue measured 10.0 s instead of 1.1 s for a grading next to 24 spinners. With a
    # CPU quota of one CPU per run (or, without a cgroup cpu controller, one scheduler
    # autogroup per run and setsid denied) the grading keeps most of a CPU.
    n = 12_000_000  # about half a second alone
    grading = Limits(cpu_s=20, wall_s=30)
    with sandbox.session(grading) as s:
        s.load(WORK)
        s.call("work", [1000])
        baseline = min(timed_work(s, n) for _ in range(2))
    hog_limits = Limits(cpu_s=30, wall_s=30, pids=32)
    with sandbox.session(hog_limits) as hog, sandbox.session(grading) as s:
        hog.load(SPINNERS)
        assert hog.call("spin", [24]).value == 24
        s.load(WORK)
        s.call("work", [1000])
        time.sleep(0.2)
        contended = timed_work(s, n)
    assert contended < 3 * baseline + 0.2, (baseline, contended)


# --- reaching outside --------------------------------------------------------------------


def test_it_finds_no_project_or_course_files_on_disk(run):
    source = src("""
        import os
        def search():
            hits = []
            for root, dirs, files in os.walk("/"):
                if root.startswith("/proc"):
                    dirs[:] = []
                    continue
                for name in files + dirs:
                    path = os.path.join(root, name)
                    if any(marker in path for marker in markers):
                        hits.append(path)
            return hits
    """).replace("def search():", "def search(markers):")
    markers = [
        str(PROJECT),
        "gradient-descent",
        "course-format.md",
        "judge/engine.py",
        "grading/tasks.py",
        "sandbox/zygote.py",
        "/.ssh",
        "/home/",
        "site-packages/django",
    ]
    # Walking the jail's whole tree takes a few seconds on an idle machine: give it
    # room so a busy CI run measures what is visible, not how fast the disk is.
    roomy = Limits(cpu_s=60, wall_s=60, memory_mb=128, pids=16, tmpfs_mb=2, stdout_bytes=10_000)
    result, outcome = run(source, "search", [markers], limits=roomy, timeout=60)
    assert result is not None, outcome
    assert result.value == []


def test_it_shows_no_other_processes_and_no_secrets_in_proc(run):
    source = src("""
        import os
        def scan():
            out = {}
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    out[pid] = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
            return out
    """)
    result, _ = run(source, "scan", limits=QUICK)
    assert list(result.value) == ["1"]
    assert "pytest" not in result.value["1"]


@pytest.mark.parametrize("port", [5432, 6379, 80])
def test_it_cannot_open_network_connections(run, port):
    source = src(f"""
        import socket
        def connect():
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=1)
            except OSError as exc:
                return type(exc).__name__
            return "connected"
    """)
    result, _ = run(source, "connect", limits=QUICK)
    assert result.value == "PermissionError"


def test_it_denies_raw_socket_syscalls(run):
    source = src("""
        import ctypes
        def raw():
            libc = ctypes.CDLL(None, use_errno=True)
            return [libc.syscall(41, family, 1, 0) for family in (1, 2, 10, 16, 17)]
    """)
    result, _ = run(source, "raw", limits=QUICK)
    assert result.value == [-1] * 5


@pytest.mark.parametrize(
    "call",
    [
        "libc.ptrace(16, 1, None, None)",
        "libc.syscall(310, 1, None, 1, None, 1, 0)",
        "libc.unshare(0x10000000)",
        "libc.mount(b'/', b'/work', None, 4096, None)",
        "libc.chroot(b'/work')",
        "libc.setuid(0)",
        "libc.syscall(425, 8, None)",
        "libc.syscall(321, 0, None, 0)",
        "libc.syscall(323, 0)",
        "libc.syscall(250, 0, 0)",
        "libc.syscall(298, None, 0, -1, -1, 0)",
        "libc.syscall(447, 0)",
        "libc.syscall(112)",
        "libc.syscall(27, 0, 4096, None)",
        "libc.syscall(451, 3, 0, 4096, None, 0)",
        "libc.syscall(457, None, None, 0, 0)",
        "libc.syscall(458, None, None, 0, 0)",
        "libc.syscall(301, -1, 0, 0, -100, b'/usr/lib')",
    ],
    ids=[
        "ptrace_attach",
        "process_vm_readv",
        "unshare_user",
        "bind_mount",
        "chroot",
        "setuid_root",
        "io_uring",
        "bpf",
        "userfaultfd",
        "keyctl",
        "perf_event_open",
        "memfd_secret",
        "setsid",
        "mincore",
        "cachestat",
        "statmount",
        "listmount",
        "fanotify_mark",
    ],
)
def test_it_denies_kernel_interfaces_used_for_escapes(run, call):
    source = (
        "import ctypes\ndef f():\n    libc = ctypes.CDLL(None, use_errno=True)\n    return "
        + call
        + ", ctypes.get_errno()\n"
    )
    result, _ = run(source, "f", limits=QUICK)
    value, errno = result.value
    assert value == -1
    # EINVAL: in user-namespace mode uid 0 does not exist in the run's user namespace.
    assert errno in ((1, 13, 38, 22) if "setuid" in call else (1, 13, 38))


def test_it_cannot_watch_bound_host_directories_with_inotify(run):
    # inotify on /usr/lib (bound from the host) would show which files graders and other
    # runs open; both inotify_init variants are refused before any watch can be added.
    source = src("""
        import ctypes, os
        def watch():
            libc = ctypes.CDLL(None, use_errno=True)
            fds = [libc.inotify_init1(0), libc.syscall(253)]
            errors = [ctypes.get_errno()]
            added = libc.inotify_add_watch(0, b"/usr/lib", 0x20)
            errors.append(ctypes.get_errno())
            return fds, added, errors
    """)
    result, _ = run(source, "watch", limits=QUICK)
    fds, added, errors = result.value
    assert fds == [-1, -1]
    assert added == -1
    assert errors == [1, 1]


def test_it_cannot_write_host_files(run, tmp_path):
    host_file = tmp_path / "host.txt"
    host_file.write_text("original")
    own_source = PROJECT / "sandbox" / "runner.py"
    before = hashlib.sha256(own_source.read_bytes()).hexdigest()
    source = src("""
        def write(paths):
            results = []
            for path in paths:
                try:
                    with open(path, "w") as f:
                        f.write("pwned")
                    results.append("written")
                except OSError as exc:
                    results.append(type(exc).__name__)
            return results
    """)
    paths = [str(host_file), str(own_source), "/etc/passwd", "/usr/lib/os-release", "/root/x"]
    result, _ = run(source, "write", [paths], limits=QUICK)
    assert "written" not in result.value
    assert host_file.read_text() == "original"
    assert hashlib.sha256(own_source.read_bytes()).hexdigest() == before


def test_it_cannot_kill_anything_outside_the_run(sandbox):
    source = src("""
        import os, signal
        def kill_all(pids):
            for pid in pids + [-1, os.getppid(), 0, 1]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            return "still running"
    """)
    zygote = sandbox.info()["pid"]
    with sandbox.session(QUICK) as s:
        s.load(source)
        result = s.call("kill_all", [[os.getpid(), zygote, os.getppid()] + list(range(2, 200))])
    assert result.value == "still running"
    assert s.outcome.status == "ok"
    os.kill(zygote, 0)


def test_it_carries_no_state_from_one_run_to_the_next(sandbox):
    first = src("""
        import builtins, os, sys
        STATE = []
        def leave_traces():
            STATE.append(1)
            open("/work/trace.txt", "w").write("left behind")
            builtins.TRACE = True
            sys.modules["trace_module"] = sys
            os.environ["TRACE"] = "1"
            return len(STATE)
    """)
    second = src("""
        import builtins, os, sys
        def look():
            return [
                os.path.exists("/work/trace.txt"),
                hasattr(builtins, "TRACE"),
                "trace_module" in sys.modules,
                "TRACE" in os.environ,
                "STATE" in globals(),
                os.listdir("/work"),
            ]
    """)
    with sandbox.session(QUICK) as s:
        s.load(first)
        assert s.call("leave_traces").value == 1
    with sandbox.session(QUICK) as s:
        s.load(second)
        assert s.call("look").value == [False, False, False, False, False, []]


# --- submissions that are not programs ---------------------------------------------------


def test_it_reports_a_syntax_error(sandbox):
    with sandbox.session(QUICK) as s:
        loaded = s.load("def f(:\n")
    assert loaded.status == "syntax_error"


def test_it_rejects_binary_garbage_before_spawning(sandbox):
    garbage = bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8))
    with sandbox.session(QUICK) as s:
        assert s.load(garbage).status == "rejected"
        assert s._run is None


def test_it_rejects_source_with_nul_bytes_before_spawning(sandbox):
    with sandbox.session(QUICK) as s:
        loaded = s.load("x = 1\0\0\0")
        assert loaded.status == "rejected"
        assert loaded.error.message == "the source contains a NUL character"
        assert s._run is None


def test_it_rejects_oversized_source_before_spawning(sandbox):
    with sandbox.session(QUICK) as s:
        assert s.load("x = 1\n" * 20_000).status == "rejected"
        assert s._run is None
    assert s.outcome is None


# --- the trusted side: answers built against the grader, not the jail -----------------------
#
# Each grades a submission of the shipped course in the real sandbox and asserts its verdict,
# the CPU time and memory this process (the trusted side) spent on it, and that the process
# is as it was: no thread or child left behind, the sandbox still serving.

EXERCISES = PROJECT / "courses" / "content" / "gradient-descent" / "exercises"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def specs():
    cache: dict = {}

    def spec(slug: str):
        if slug not in cache:
            cache[slug] = load_exercise(EXERCISES / slug)
        return cache[slug]

    return spec


@dataclass
class Cost:
    cpu_s: float = 0.0
    peak_mb: float = 0.0


def _children() -> set[str]:
    found: set[str] = set()
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as f:
                found.update(f.read().split())
        except OSError:
            pass
    return found


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith(field + ":"))
    return int(line.split()[1])


@contextmanager
def trusted_side(sandbox):
    """What grading inside the block cost this process (CPU time; peak resident memory
    above what it held before), and a check that it left nothing behind. The jail is
    another process: its CPU and memory are not counted."""
    threads, children = threading.active_count(), _children()
    zygote = sandbox.info()["pid"]
    cost = Cost()
    gc.collect()
    # What the test run built up so far moves out of the collector's sight while the block
    # runs: a worker's heap is small, and a full collection triggered by the answer's many
    # objects would otherwise walk this whole process's heap and charge it to the answer
    # (0.7 s alone became 1.7 s late in a full run).
    gc.freeze()
    # Writing 5 to clear_refs resets the peak (VmHWM) to the current resident size.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    resident = _status_kb("VmRSS")
    started = time.process_time()
    try:
        yield cost
    finally:
        cost.cpu_s = time.process_time() - started
        cost.peak_mb = (_status_kb("VmHWM") - resident) / 1024
        gc.unfreeze()
        print(f"trusted side: {cost.cpu_s:.3f} s CPU, peak +{cost.peak_mb:.1f} MB")
    assert threading.active_count() == threads
    assert _children() <= children | {str(zygote)}
    assert sandbox.info()["pid"] == zygote


def storable(result) -> dict:
    """The result as grading stores it: JSON that encodes as UTF-8 without a NUL."""
    text = json.dumps(result.to_dict())
    text.encode("utf-8")
    assert "\\u0000" not in text
    return json.loads(text)


def graded(sandbox, specs, slug, source, *, defer_shrink=True, cpu_s=1.5, peak_mb=64):
    with trusted_side(sandbox) as cost:
        result = grade_source(source, specs(slug), sandbox, seed=11, defer_shrink=defer_shrink)
    assert cost.cpu_s < cpu_s, cost
    assert cost.peak_mb < peak_mb, cost
    storable(result)
    # A verdict and its score never disagree.
    assert (result.verdict == "passed") == (result.score == 1.0), result
    return result


# --- answers that crashed a check ------------------------------------------------------------


@pytest.mark.parametrize("value", ["10**400", "-(10**400)", "[10**400]", "(1.0, 10**400)"])
def test_an_answer_too_large_for_a_float_fails_its_checks_without_a_crash(sandbox, specs, value):
    source = f"def mse_loss(y_pred, y_true):\n    return {value}\n"
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.verdict == "failed"
    assert result.score == 0.0


def test_a_number_too_large_for_a_float_is_named_by_its_size(sandbox, specs):
    result = graded(
        sandbox, specs, "mse-loss", "def mse_loss(y_pred, y_true):\n    return 10**400\n"
    )
    messages = " ".join(c.message for c in result.checks)
    assert "an integer of about 401 digits" in messages


def test_a_gradient_of_two_to_the_2000_in_a_scenario_fails_without_a_crash(sandbox, specs):
    reference = (EXERCISES / "autodiff-value" / "reference.py").read_text()
    source = reference + src("""
        # Every gradient read back is 2**2000, and writes to it are ignored.
        Value.grad = property(lambda self: 2**2000, lambda self, value: None)
    """)
    result = graded(sandbox, specs, "autodiff-value", source)
    # The student's own arithmetic on 2**2000 raises in the jail too: an error verdict.
    assert result.verdict in ("failed", "error")
    assert result.score < 1
    assert any("digits" in c.message or "OverflowError" in c.message for c in result.checks)


# --- answers built to make the trusted side work ------------------------------------------


def test_an_empty_array_with_a_huge_first_dimension_is_refused_before_any_conversion(
    sandbox, specs
):
    source = src("""
        import numpy as np
        def gradient_descent(grad_fn, x0, lr, steps):
            return np.zeros((2**28, 0))
    """)
    result = graded(sandbox, specs, "gradient-descent", source, defer_shrink=False, cpu_s=3)
    assert result.verdict == "failed"
    figure = next(c.figure for c in result.checks if c.figure)
    assert figure["student"] is None
    assert "numbers" in figure["student_problem"]


def test_a_path_of_a_million_rows_is_refused_and_the_verdict_keeps_its_score(sandbox, specs):
    source = src("""
        import numpy as np
        def gradient_descent(grad_fn, x0, lr, steps):
            x = np.array(x0, dtype=float)
            return np.tile(x, (999_000, 1))
    """)
    result = graded(sandbox, specs, "gradient-descent", source, defer_shrink=False, cpu_s=3)
    # Refused answer by answer, until the run's answers pass what a run may send in all.
    assert result.verdict in ("failed", "output_limit")
    assert "more than 100,000 numbers" in result.checks[0].message


def test_a_correct_path_with_a_huge_figure_is_drawn_from_a_few_hundred_points(sandbox, specs):
    """The figure's scenario gets the student's whole path; what is kept is thinned."""
    reference = (EXERCISES / "gradient-descent" / "reference.py").read_text()
    result = graded(sandbox, specs, "gradient-descent", reference, defer_shrink=False, cpu_s=3)
    assert (result.verdict, result.score) == ("passed", 1.0)
    figure = next(c.figure for c in result.checks if c.figure)
    assert 0 < len(figure["student"]["path"]) <= 400


def test_a_loss_curve_of_a_million_and_a_half_points_is_refused_and_the_result_stays_small(
    sandbox, specs
):
    source = src("""
        import numpy as np
        def fit_linear_regression(X, y, lr, epochs):
            return np.zeros(X.shape[1]), 0.0, np.ones(1_500_000)
    """)
    result = graded(
        sandbox, specs, "linear-regression-gd", source, defer_shrink=False, cpu_s=4, peak_mb=200
    )
    assert result.verdict in ("failed", "output_limit")
    assert "more than 100,000 numbers" in result.checks[0].message
    assert len(json.dumps(result.to_dict())) < 64 * 1024


def test_a_wrong_answer_of_15_mb_per_call_keeps_memory_bounded_while_shrinking(sandbox, specs):
    source = src("""
        import numpy as np
        def mse_loss(y_pred, y_true):
            return np.ones(1_900_000)
    """)
    with trusted_side(sandbox) as cost:
        result = grade_source(source, specs("mse-loss"), sandbox, seed=3, defer_shrink=False)
    assert result.verdict in ("failed", "output_limit")
    assert result.score == 0.0
    assert cost.peak_mb < 120, cost
    assert cost.cpu_s < 6, cost


def test_a_frame_header_of_thousands_of_long_integers_ends_the_run_cheaply(sandbox, specs):
    source = src("""
        import json, os, struct
        def mse_loss(y_pred, y_true):
            header = ('{"v":{"__dict__":{"id":1,"status":"ok","value":['
                      + ",".join(["9" * 4299] * 450) + ']}},"a":[]}').encode()
            os.write(3, struct.pack(">I", len(header)) + header)
            return 0.0
    """)
    result = graded(sandbox, specs, "mse-loss", source, cpu_s=0.5)
    assert result.verdict in ("error", "failed")
    assert result.score == 0.0


def test_a_frame_header_over_the_cap_ends_the_run_before_it_is_read(sandbox, specs):
    source = src("""
        import os, struct
        def mse_loss(y_pred, y_true):
            body = b'{"v":[' + b"0," * 6_000_000 + b'0],"a":[]}'
            os.write(3, struct.pack(">I", len(body)) + body)
            return 0.0
    """)
    result = graded(sandbox, specs, "mse-loss", source, cpu_s=0.5)
    assert result.verdict in ("output_limit", "error", "failed")
    assert result.score == 0.0


def test_an_answer_of_many_small_objects_is_refused(sandbox, specs):
    source = src("""
        def mse_loss(y_pred, y_true):
            return [[] for _ in range(150_000)]
    """)
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.score == 0.0


def test_a_dict_with_a_hundred_thousand_keys_is_refused(sandbox, specs):
    source = (
        "def mse_loss(y_pred, y_true):\n    return {str(i): float(i) for i in range(120_000)}\n"
    )
    result = graded(sandbox, specs, "mse-loss", source, cpu_s=1.5)
    assert result.score == 0.0


def test_a_fifteen_megabyte_string_answer_leaves_short_messages(sandbox, specs):
    source = "def mse_loss(y_pred, y_true):\n    return 'x' * 7_000_000\n"
    result = graded(sandbox, specs, "mse-loss", source, peak_mb=120)
    assert result.score == 0.0
    assert all(len(c.message) <= 1000 for c in result.checks)


def test_an_answer_nested_to_the_protocol_depth_fails_cleanly(sandbox, specs):
    source = src("""
        def mse_loss(y_pred, y_true):
            value = 0.0
            for _ in range(60):
                value = [value]
            return value
    """)
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.verdict == "failed"


# --- forged facts ----------------------------------------------------------------------------

MUTATING_MSE = src("""
    import numpy as np
    def mse_loss(y_pred, y_true):
        loss = float(np.mean((y_pred - y_true) ** 2))
        y_pred -= y_true
        return loss
""")

FORGED_REPORT = src("""
    import sys
    runner = sys.modules["sandbox.runner"]
    _real_send = runner.Runner.send
    def send(self, message):
        # Claim every argument came back untouched: the trusted side's own copies.
        message.pop("args", None)
        return _real_send(self, message)
    runner.Runner.send = send
""")


def test_a_mutation_report_forged_inside_the_jail_earns_nothing_more(sandbox, specs):
    honest = graded(sandbox, specs, "mse-loss", MUTATING_MSE)
    forged = graded(sandbox, specs, "mse-loss", MUTATING_MSE + FORGED_REPORT)
    assert forged.score == honest.score
    note = next(c for c in honest.checks if c.name.startswith("does not modify"))
    assert (note.passed, note.points, note.earned) == (False, 0.0, 0.0)
    assert "modified in place" in note.message
    assert honest.verdict == "passed"
    assert "note" in honest.message


def test_infinity_everywhere_satisfies_no_property(sandbox, specs):
    source = "def mse_loss(y_pred, y_true):\n    return float('inf')\n"
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.score == 0.0
    assert any("non-finite" in c.message for c in result.checks)


def test_nan_where_the_reference_is_finite_fails(sandbox, specs):
    source = "def mse_loss(y_pred, y_true):\n    return float('nan')\n"
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.score == 0.0


# --- text that broke storage and pages ------------------------------------------------------


def test_nul_bytes_and_escapes_in_stdout_are_stored_as_clean_text(sandbox, specs):
    source = src("""
        import sys
        def mse_loss(y_pred, y_true):
            sys.stdout.write("a\\x00b\\x1b[2J")
            sys.stdout.buffer.write(b"\\xff\\xfe")
            return 0.0
    """)
    result = graded(sandbox, specs, "mse-loss", source)
    assert "\x00" not in result.stdout
    assert "\x1b" not in result.stdout
    assert "a\ufffdb" in result.stdout


def test_a_lone_surrogate_in_an_exception_message_is_stored_as_clean_text(sandbox, specs):
    source = "def mse_loss(y_pred, y_true):\n    raise ValueError('bad \\ud800 \\x00 text')\n"
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.verdict == "error"
    data = storable(result)
    errors = [c["error"] for c in data["checks"] if c["error"]]
    assert errors
    assert all("\ufffd" in e["message"] for e in errors)


def test_a_lone_surrogate_in_a_returned_string_and_key_is_stored_as_clean_text(sandbox, specs):
    source = "def mse_loss(y_pred, y_true):\n    return {'\\ud800\\x00': '\\udfff'}\n"
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.score == 0.0


def test_a_lone_surrogate_in_the_name_of_a_returned_class_is_clean(sandbox, specs):
    source = src("""
        Weird = type("W\\ud800\\x00", (), {})
        def mse_loss(y_pred, y_true):
            return Weird()
    """)
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.score == 0.0


# --- the refinement after a verdict -------------------------------------------------------


def test_refining_a_huge_wrong_answer_stays_bounded(sandbox, specs):
    source = "import numpy as np\ndef mse_loss(y_pred, y_true):\n    return np.ones(1_900_000)\n"
    spec = specs("mse-loss")
    first = grade_source(source, spec, sandbox, seed=5, defer_shrink=True)
    names = {c.name for c in first.checks if c.refine}
    with trusted_side(sandbox) as cost:
        refine_source(source, spec, sandbox, seed=5, names=names)
    assert cost.peak_mb < 120, cost
    assert cost.cpu_s < 6, cost
