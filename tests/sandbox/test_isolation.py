import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox import Limits, RunEnded, Sandbox, cgroups
from sandbox.jail import INNER_UID
from sandbox.selftest import processes_of_run
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


def test_it_reports_its_mode_and_how_each_limit_is_enforced(sandbox):
    report = sandbox.selftest()
    details = report.details
    assert details["mode"] == ("root" if os.geteuid() == 0 else "userns")
    assert set(details["limits"]) >= {"memory", "pids", "cpu_quota", "cpu_time", "wall_clock"}
    if details["limits_backend"] == "rlimit":
        assert details["limits"]["memory"] == "RLIMIT_DATA"
        assert details["limits"]["pids"].startswith("RLIMIT_NPROC")
    else:
        assert details["limits"]["memory"].startswith(details["limits_backend"])
    if details["limits"]["cpu_quota"].startswith("not enforced"):
        assert "CPU quota not enforced" in report.reason
    else:
        assert "CPU" not in report.reason
    assert report.checks["process_limit_enforced"] is True
    assert report.checks["memory_limit_enforced"] is True


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


def test_it_runs_each_run_as_its_own_unprivileged_user(run, sandbox):
    source = (
        "import os\ndef ids():\n"
        "    return os.getresuid() + os.getresgid() + (os.getpid(), os.readlink('/proc/self/ns/user'))"
    )
    first, _ = run(source, "ids")
    second, _ = run(source, "ids")
    assert len(set(first.value[:6])) == 1
    assert first.value[6] == 1
    if sandbox.info()["mode"] == "root":
        assert first.value[0] >= UID_BASE
        assert second.value[0] != first.value[0]
    else:
        # One uid inside, but a user namespace of its own per run, apart from the worker's.
        assert first.value[0] == second.value[0] == INNER_UID
        assert first.value[7] != second.value[7]
        assert first.value[7] != os.readlink("/proc/self/ns/user")


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


def run_cgroups(sandbox, session) -> list[Path]:
    """The cgroup directories holding the session's running jail, found from the host."""
    session.load("import os\ndef ns():\n    return os.readlink('/proc/self/ns/pid')\n")
    pids = {str(p) for p in processes_of_run(session.call("ns").value)}
    found = []
    for procs in Path(cgroups.CGROUP_ROOT).glob("**/run-*/cgroup.procs"):
        if pids & set(procs.read_text().split()):
            found.append(procs.parent)
    return found


def needs_run_cgroups(sandbox):
    if sandbox.info()["backend"] == "none":
        pytest.skip("no writable cgroup here: runs are limited by rlimits (see the self-test)")


def test_it_removes_the_runs_cgroup_when_it_ends(sandbox):
    needs_run_cgroups(sandbox)
    with sandbox.session(FAST) as s:
        dirs = run_cgroups(sandbox, s)
    assert dirs
    assert wait_until(lambda: not any(d.exists() for d in dirs))


@pytest.mark.parametrize("cpus", [1.0, 0.5])
def test_it_gives_each_run_a_cpu_quota(sandbox, cpus):
    needs_run_cgroups(sandbox)
    if not sandbox.info()["limits"]["cpu_quota"].startswith("cgroup"):
        pytest.skip("no cgroup cpu controller here")
    with sandbox.session(Limits(cpus=cpus, wall_s=10)) as s:
        dirs = run_cgroups(sandbox, s)
        quotas = []
        for d in dirs:
            if (d / "cpu.cfs_quota_us").exists():
                quotas.append(int((d / "cpu.cfs_quota_us").read_text()))
            elif (d / "cpu.max").exists():
                quotas.append(int((d / "cpu.max").read_text().split()[0]))
    assert quotas == [int(cpus * 100_000)]


def test_run_cgroup_names_never_collide_between_zygotes_in_different_pid_namespaces():
    # Each zygote in a pid namespace of its own forks its jails with the same pids; names
    # built from those made the second zygote remove the first one's run cgroup, killing it.
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare(1) to start zygotes in pid namespaces")
    wrapper = ("unshare", "--pid", "--fork", "--mount-proc", "--kill-child")
    first, second = Sandbox(zygote_wrapper=wrapper), Sandbox(zygote_wrapper=wrapper)
    try:
        if first.info()["backend"] == "none":
            pytest.skip("no writable cgroup here")
        source = "import os\ndef pid():\n    return os.getpid()\n"
        with first.session(FAST) as a:
            a.load(source)
            assert a.call("pid").value == 1
            with second.session(FAST) as b:
                b.load(source)
                assert b.call("pid").value == 1
            assert a.call("pid").value == 1
        assert a.outcome.status == b.outcome.status == "ok"
    finally:
        first.close()
        second.close()


def test_cgroup_v2_delegated_subtree_limits_a_run():
    mounts = [m for m in cgroups._mounts() if m[1] == "cgroup2"]
    own = cgroups._own_cgroup_paths().get("", "/")
    usable = [
        point
        for point, _, _ in mounts
        if {"memory", "pids"}
        <= set(Path(point, own.lstrip("/"), "cgroup.controllers").read_text().split())
    ]
    if not usable:
        pytest.skip("no cgroup v2 hierarchy with memory+pids delegated")
    sb = Sandbox()
    try:
        assert sb.info()["backend"] == "cgroup-v2"
        with sb.session(Limits(memory_mb=64, wall_s=10)) as s:
            s.load("def hog():\n    return len(bytearray(200 * 1024 * 1024))")
            with pytest.raises(RunEnded):
                s.call("hog")
        assert s.outcome.status == "memory"
    finally:
        sb.close()


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
        ns = Path(f"/proc/{sb.info()['pid']}/ns")
        names = ("pid", "net", "ipc", "uts", "mnt", "user")
        before = {name: (ns / name).readlink() for name in names}
        with sb.session(FAST) as s:
            s.load("import os\ndef where():\n    return os.readlink('/proc/self/ns/net')\n")
            jail_net = s.call("where").value
        assert (ns / "pid").readlink() == (ns / "pid_for_children").readlink()
        assert {name: (ns / name).readlink() for name in names} == before
        if sb.info()["mode"] == "root":
            for name in names:
                assert before[name] == Path(f"/proc/self/ns/{name}").readlink(), name
        assert jail_net != before["net"].name
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
