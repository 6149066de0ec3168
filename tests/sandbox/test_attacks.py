"""Hostile submissions. Each test checks what the grader would act on (the outcome status,
the value it gets back) and that nothing outside the run was touched."""

import hashlib
import math
import os
import time
from pathlib import Path
from textwrap import dedent

import numpy as np
import pytest

from sandbox import Handle, Limits, RunEnded
from sandbox.zygote import UID_BASE
from tests.sandbox.conftest import FAST

PROJECT = Path(__file__).resolve().parents[2]
QUICK = Limits(cpu_s=5, wall_s=5, memory_mb=128, pids=16, tmpfs_mb=2, stdout_bytes=10_000)


def src(text: str) -> str:
    return dedent(text).strip() + "\n"


def processes_of(uid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            uids = next(line for line in status.splitlines() if line.startswith("Uid:"))
            if uid in (int(v) for v in uids.split()[1:]):
                found.append(int(entry))
    return found


def gone(uid: int, seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while processes_of(uid):
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
    source = src("""
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
                return children, os.getuid()
    """)
    with sandbox.session(Limits(pids=8, wall_s=10)) as s:
        s.load(source)
        children, uid = s.call("bomb", timeout=5).value
    assert children < 8
    assert s.outcome.status == "ok"
    assert gone(uid)


def test_it_contains_a_thread_bomb(sandbox):
    source = src("""
        import os, threading, time
        def bomb():
            threads = 0
            try:
                while True:
                    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
                    threads += 1
            except RuntimeError:
                return threads, os.getuid()
    """)
    with sandbox.session(Limits(pids=8, wall_s=10)) as s:
        s.load(source)
        threads, uid = s.call("bomb", timeout=5).value
    assert threads < 8
    assert gone(uid)


def test_it_leaves_no_daemon_behind(sandbox, tmp_path):
    source = src("""
        import os, time
        def daemonize():
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(1)
                    for path in ("/work/alive", "/tmp/alive"):
                        try:
                            open(path, "w").write("still here")
                        except OSError:
                            pass
                    time.sleep(60)
                os._exit(0)
            return os.getuid()
    """)
    with sandbox.session(QUICK) as s:
        s.load(source)
        uid = s.call("daemonize").value
    assert uid >= UID_BASE
    assert gone(uid, 0.5)
    time.sleep(1.2)
    assert processes_of(uid) == []


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
    result, _ = run(source, "search", [markers], limits=QUICK, timeout=20)
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
    assert errno in (1, 13, 38)


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
