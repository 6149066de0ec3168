import glob
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox import Sandbox
from sandbox.zygote import UID_BASE
from tests.sandbox.conftest import FAST

PROJECT = Path(__file__).resolve().parents[2]


def wait_until(predicate, seconds=2.0):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_it_passes_its_own_self_test(sandbox):
    report = sandbox.selftest()
    assert report.ok, report.reason
    assert all(report.checks.values())
    assert len(report.checks) >= 25


def test_it_offers_the_self_test_on_the_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", "selftest"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True


def test_it_hides_the_workers_environment(monkeypatch):
    monkeypatch.setenv("DESCENT_SECRET_KEY", "hunter2-do-not-leak")
    monkeypatch.setenv("DATABASE_URL", "postgres://grader:hunter2@db/descent")
    source = (
        "import os\n"
        "def look():\n"
        "    seen = [repr(dict(os.environ))]\n"
        "    for pid in os.listdir('/proc'):\n"
        "        try:\n"
        "            seen.append(open(f'/proc/{pid}/environ', 'rb').read().decode())\n"
        "        except (OSError, ValueError):\n"
        "            pass\n"
        "    return '\\n'.join(seen)\n"
    )
    sb = Sandbox()
    try:
        with sb.session(FAST) as s:
            s.load(source)
            seen = s.call("look").value
    finally:
        sb.close()
    assert "hunter2" not in seen
    assert "OPENBLAS_NUM_THREADS" in seen


def test_it_runs_each_run_as_its_own_unprivileged_user(run):
    source = "import os\ndef ids():\n    return os.getresuid() + os.getresgid() + (os.getpid(),)"
    first, _ = run(source, "ids")
    second, _ = run(source, "ids")
    assert first.value[0] >= UID_BASE
    assert len(set(first.value[:6])) == 1
    assert second.value[0] != first.value[0]
    assert first.value[6] == 1


def test_it_shows_only_the_runs_processes(run):
    source = "import os\ndef pids():\n    return sorted(int(p) for p in os.listdir('/proc') if p.isdigit())"
    result, _ = run(source, "pids")
    assert result.value == [1]


def test_it_leaves_no_network_but_loopback(run):
    source = "def net():\n    return open('/proc/self/net/dev').read()"
    result, _ = run(source, "net")
    interfaces = [line.split(":")[0].strip() for line in result.value.splitlines()[2:]]
    assert interfaces == ["lo"]


def test_it_shows_none_of_the_project_or_host_files(run, tmp_path):
    marker = tmp_path / "host-only.txt"
    marker.write_text("host")
    paths = [
        str(PROJECT),
        str(PROJECT / "sandbox"),
        str(marker),
        "/root/.ssh",
        "/home",
        "/etc/passwd",
    ]
    source = "import os\ndef visible(paths):\n    return [p for p in paths if os.path.lexists(p)]\n"
    result, _ = run(source, "visible", [paths])
    assert result.value == []


def test_it_mounts_only_what_python_and_numpy_need(run):
    source = "def tops():\n    import os\n    return sorted(os.listdir('/'))"
    result, _ = run(source, "tops")
    assert set(result.value) <= {
        "dev",
        "etc",
        "lib",
        "lib64",
        "opt",
        "proc",
        "root",
        "tmp",
        "usr",
        "work",
    }


def test_it_removes_the_runs_cgroup_when_it_ends(sandbox):
    with sandbox.session(FAST) as s:
        s.load("import os\ndef uid():\n    return os.getuid()")
        supervisor = s.call("uid").value - UID_BASE
    pattern = f"/sys/fs/cgroup/**/run-{supervisor}"
    assert wait_until(lambda: not glob.glob(pattern, recursive=True))


@pytest.mark.parametrize("limit", [1, 2])
def test_it_caps_the_working_directory(sandbox, limit):
    from sandbox import Limits

    source = (
        "def fill():\n"
        "    written = 0\n"
        "    try:\n"
        "        with open('/work/fill', 'wb') as f:\n"
        "            while True:\n"
        "                f.write(b'x' * 65536)\n"
        "                written += 65536\n"
        "    except OSError as exc:\n"
        "        return written, type(exc).__name__\n"
    )
    with sandbox.session(Limits(tmpfs_mb=limit, wall_s=10)) as s:
        s.load(source)
        written, error = s.call("fill").value
    assert written <= limit * 1024 * 1024
    assert error == "OSError"


def test_the_zygote_stays_in_its_own_namespaces_after_forking_jails():
    # The zygote unshares a pid namespace for each jail it forks and steps back with setns;
    # if it ever stayed behind, the next jail would be born inside the previous run's.
    sb = Sandbox()
    try:
        with sb.session(FAST) as s:
            s.load("import os\ndef where():\n    return os.readlink('/proc/self/ns/net')\n")
            jail_net = s.call("where").value
        zygote = sb._ensure_zygote().proc.pid
        ns = Path(f"/proc/{zygote}/ns")
        assert (ns / "pid").readlink() == (ns / "pid_for_children").readlink()
        for name in ("pid", "net", "ipc", "uts", "mnt"):
            assert (ns / name).readlink() == Path(f"/proc/self/ns/{name}").readlink(), name
        assert jail_net != Path("/proc/self/ns/net").readlink().name
    finally:
        sb.close()


def test_each_run_gets_its_own_network_and_pid_namespace(run):
    source = (
        "import os\n"
        "def ids():\n"
        "    return [os.readlink(f'/proc/self/ns/{n}') for n in ('net', 'ipc', 'uts', 'mnt')]"
        " + [os.getpid()]\n"
    )
    first, _ = run(source, "ids")
    second, _ = run(source, "ids")
    assert first.value[-1] == second.value[-1] == 1
    for a, b in zip(first.value[:-1], second.value[:-1], strict=True):
        assert a != b
