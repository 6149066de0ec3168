"""The isolation self-test: probes run from inside real jails, the way a submission runs.

Every check is a named boolean and the report is ok only if all of them hold. A worker that
cannot pass it must refuse to grade (`Sandbox.require_isolation`), never grade without a jail.

The report's details say how the sandbox runs: `mode` ("root", or "userns" when the worker
is not root and the zygote built its jails inside a user namespace), `limits_backend` and,
under `limits`, how each limit is enforced. Memory, process count, CPU time, wall clock and
disk are required: each is probed from a jail, and a host where one cannot be enforced (say
user namespaces are disabled, so no jail can be built at all) fails the test with the
reason. A CPU quota is enforced only through a cgroup cpu controller; without one the
report says so in `reason` but stays ok.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import TYPE_CHECKING, Any

from sandbox.limits import ZYGOTE_ENV, Limits
from sandbox.results import RunEnded, SandboxUnavailable, SelfTestReport

if TYPE_CHECKING:
    from sandbox.client import Sandbox

PROBE_LIMITS = Limits(cpu_s=5, wall_s=20, memory_mb=128, pids=16, tmpfs_mb=2, open_files=32)
MEMORY_LIMITS = Limits(cpu_s=5, wall_s=20, memory_mb=64, pids=8, tmpfs_mb=1)

# Runs inside the jail as an ordinary submission. It reports what it observes; the worker
# decides what counts as isolated.
PROBE_SOURCE = r"""
import ctypes
import errno
import os
import resource
import socket

libc = ctypes.CDLL(None, use_errno=True)


def denied(fn):
    try:
        fn()
    except OSError:
        return True
    return False


def denied_libc(result):
    return result == -1 and ctypes.get_errno() in (errno.EPERM, errno.EACCES, errno.ENOSYS)


def status_fields():
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def interfaces():
    with open("/proc/self/net/dev") as f:
        return [line.split(":")[0].strip() for line in f.readlines()[2:]]


def routes():
    with open("/proc/self/net/route") as f:
        return len(f.readlines()[1:])


def can_create(path):
    try:
        with open(path, "w") as f:
            f.write("x")
    except OSError:
        return False
    return True


def fill(path, nbytes):
    try:
        with open(path, "wb") as f:
            for _ in range(nbytes // 65536 + 1):
                f.write(b"\0" * 65536)
    except OSError:
        return False
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    return True


def clone_newuser():
    # clone(CLONE_NEWUSER | SIGCHLD) with no new stack behaves like fork on success.
    pid = libc.syscall(56, 0x10000000 | 17, 0, 0, 0, 0)
    if pid == 0:
        os._exit(0)
    if pid > 0:
        os.waitpid(pid, 0)
        return False
    return ctypes.get_errno() in (errno.EPERM, errno.ENOSYS)


def leave_daemon():
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
        except OSError:
            pass  # denied by the jail; the grandchild is still an orphan of pid 1
        if os.fork() == 0:
            import time
            time.sleep(60)
        os._exit(0)
    os.waitpid(pid, 0)


def probe(paths_that_must_not_exist, worker_env_names, worker_pid, allowed_env):
    checks = {}
    details = {}
    st = status_fields()
    checks["runs_as_unprivileged_user"] = 0 not in os.getresuid() + os.getresgid()
    # Container runtimes (containerd) list the primary group among the supplementary
    # ones; being in one's own primary group grants nothing more.
    checks["has_no_supplementary_groups"] = set(os.getgroups()) <= {os.getegid()}
    caps = {k: st.get(k) for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")}
    checks["has_no_capabilities"] = all(v is not None and int(v, 16) == 0 for v in caps.values())
    checks["no_new_privs_set"] = st.get("NoNewPrivs") == "1"
    checks["seccomp_filter_active"] = st.get("Seccomp") == "2"
    checks["cannot_create_inet_socket"] = denied(lambda: socket.socket(socket.AF_INET))
    checks["cannot_create_inet6_socket"] = denied(lambda: socket.socket(socket.AF_INET6))
    checks["cannot_create_unix_socket"] = denied(lambda: socket.socket(socket.AF_UNIX))
    checks["cannot_create_socketpair"] = denied(lambda: socket.socketpair())
    checks["cannot_connect_to_localhost"] = denied(
        lambda: socket.create_connection(("127.0.0.1", 5432), timeout=0.5)
    )
    details["interfaces"] = interfaces()
    checks["network_namespace_is_empty"] = set(details["interfaces"]) <= {"lo"} and routes() == 0
    hidden = {p: os.path.lexists(p) for p in paths_that_must_not_exist}
    details["visible_paths"] = [p for p, seen in hidden.items() if seen]
    checks["host_paths_invisible"] = not details["visible_paths"]
    pids = sorted(int(n) for n in os.listdir("/proc") if n.isdigit())
    details["pids"] = pids
    checks["proc_shows_only_this_run"] = pids == [1] and os.getpid() == 1
    checks["cannot_signal_outside"] = denied(lambda: os.kill(worker_pid, 0)) or worker_pid == 1
    with open("/proc/self/environ", "rb") as f:
        proc_env = {item.split(b"=", 1)[0].decode() for item in f.read().split(b"\0") if item}
    env_names = set(os.environ) | proc_env
    details["env"] = sorted(env_names)
    checks["environment_is_clean"] = env_names <= set(allowed_env) and not (
        env_names & (set(worker_env_names) - set(allowed_env))
    )
    checks["root_filesystem_read_only"] = bool(os.statvfs("/").f_flag & os.ST_RDONLY)
    outside = ["/probe", "/root/probe", "/usr/lib/probe", "/opt/probe", "/proc/probe"]
    checks["cannot_write_outside_workdir"] = not any(can_create(p) for p in outside)
    checks["workdir_is_writable"] = os.getcwd() == "/work" and can_create("/work/probe")
    checks["workdir_is_size_capped"] = not fill("/work/big", 4 * 1024 * 1024)
    checks["ptrace_denied"] = denied_libc(libc.ptrace(0, 0, None, None))
    checks["unshare_denied"] = denied_libc(libc.unshare(0x10000000))
    checks["mount_denied"] = denied_libc(libc.mount(b"none", b"/work", b"tmpfs", 0, None))
    checks["clone_into_new_namespace_denied"] = clone_newuser()
    limits = {
        "cpu": resource.getrlimit(resource.RLIMIT_CPU),
        "nofile": resource.getrlimit(resource.RLIMIT_NOFILE),
        "nproc": resource.getrlimit(resource.RLIMIT_NPROC),
        "core": resource.getrlimit(resource.RLIMIT_CORE),
        "fsize": resource.getrlimit(resource.RLIMIT_FSIZE),
    }
    details["rlimits"] = {k: list(v) for k, v in limits.items()}
    checks["rlimits_set"] = (
        all(v[1] != resource.RLIM_INFINITY for k, v in limits.items() if k != "core")
        and limits["core"] == (0, 0)
        and limits["nofile"][1] <= 64
    )
    checks["hostname_is_isolated"] = socket.gethostname() == "sandbox"
    import numpy as np
    import numpy.fft
    import numpy.polynomial

    a = np.array([[3.0, 1.0], [1.0, 2.0]])
    x = np.linalg.solve(a, np.array([9.0, 8.0]))
    checks["numpy_works"] = bool(
        np.allclose(x, [2.0, 3.0])
        and np.random.default_rng(0).random(3).shape == (3,)
        and np.allclose(numpy.fft.ifft(numpy.fft.fft([1.0, 2.0])).real, [1.0, 2.0])
        and numpy.polynomial.Polynomial([1, 2])(2.0) == 5.0
    )
    details["uid"] = os.getuid()
    details["pidns"] = os.readlink("/proc/self/ns/pid")
    details["userns"] = os.readlink("/proc/self/ns/user")
    leave_daemon()
    return {"checks": checks, "details": details}


def fork_until_refused(limit):
    children = []
    try:
        while len(children) <= limit:
            pid = os.fork()
            if pid == 0:
                import time
                time.sleep(30)
                os._exit(0)
            children.append(pid)
    except OSError:
        pass
    return len(children)


def allocate(megabytes):
    block = bytearray(megabytes * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    return len(block)
"""


def processes_of_run(pidns: str, uid: int | None = None) -> list[int]:
    """Host pids of the processes still in a run's pid namespace (`pidns` as the run read
    it from /proc/self/ns/pid), or, when `uid` is given, running as that uid (root mode,
    where each run has a uid of its own). A process the caller may not inspect is counted
    only when its uid matches."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.readlink(f"/proc/{entry}/ns/pid") == pidns:
                found.append(int(entry))
                continue
        except OSError:
            pass
        if uid is not None and uid in _uids(entry):
            found.append(int(entry))
    return found


def _uids(pid: str) -> list[int]:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Uid:"):
                    return [int(v) for v in line.split()[1:]]
    except OSError:
        pass
    return []


def run_selftest(sandbox: Sandbox) -> SelfTestReport:
    checks: dict[str, bool] = {}
    details: dict[str, Any] = {}
    try:
        details["zygote"] = hello = sandbox.info()
        details["mode"] = hello.get("mode", "root")
        details["limits"] = dict(hello.get("limits") or {})
        _probe_isolation(sandbox, checks, details)
        _probe_limits(sandbox, checks, details)
    except SandboxUnavailable as exc:
        return SelfTestReport(False, checks, f"sandbox unavailable: {exc.reason}", details)
    except RunEnded as exc:
        return SelfTestReport(False, checks, f"probe run ended: {exc.outcome.detail}", details)
    failed = sorted(name for name, ok in checks.items() if not ok)
    reason = ("isolation checks failed: " + ", ".join(failed)) if failed else _notes(details)
    return SelfTestReport(not failed and bool(checks), checks, reason, details)


def _notes(details: dict[str, Any]) -> str:
    """What a passing report still has to say: the weaker fallbacks in use."""
    notes = []
    if details.get("limits_backend") == "rlimit":
        notes.append(
            "no writable cgroup: memory limited by RLIMIT_DATA and processes by RLIMIT_NPROC"
        )
    cpu = str(details.get("limits", {}).get("cpu_quota", ""))
    if cpu.startswith("not enforced"):
        notes.append(f"CPU quota {cpu}")
    return "; ".join(notes)


def _probe_isolation(sandbox: Sandbox, checks: dict[str, bool], details: dict[str, Any]) -> None:
    project = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    fd, marker = tempfile.mkstemp(prefix="descent-selftest-")
    os.close(fd)
    try:
        hidden = [
            project,
            os.path.join(project, "sandbox", "__init__.py"),
            marker,
            "/root/.ssh",
            "/home",
            "/etc/passwd",
            "/etc/shadow",
            "/var",
            "/sys/fs/cgroup",
            "/dev/shm",
        ]
        with sandbox.session(PROBE_LIMITS) as s:
            loaded = s.load(PROBE_SOURCE, filename="selftest_probe.py")
            if not loaded.ok:
                raise SandboxUnavailable(f"probe did not load: {loaded.error}")
            result = s.call(
                "probe",
                args=[hidden, sorted(os.environ), os.getpid(), sorted(ZYGOTE_ENV)],
                timeout=15.0,
            )
        if not result.ok or type(result.value) is not dict:
            raise SandboxUnavailable(f"probe failed: {result.error}")
        value = result.value
        checks.update({k: v is True for k, v in value["checks"].items()})
        details.update(value["details"])
        outcome = s.outcome
        checks["run_ended_cleanly"] = outcome is not None and outcome.status == "ok"
        details["limits_backend"] = outcome.limits_backend if outcome else ""
        # The probe left a daemon behind; the end of the run must have taken it along.
        pidns, uid = details.get("pidns"), details.get("uid")
        own_uid = uid if details["mode"] == "root" and isinstance(uid, int) else None
        deadline = time.monotonic() + 1.0
        leftovers = processes_of_run(pidns, own_uid) if isinstance(pidns, str) else [-1]
        while isinstance(pidns, str) and leftovers and time.monotonic() < deadline:
            time.sleep(0.02)
            leftovers = processes_of_run(pidns, own_uid)
        checks["no_processes_outlive_the_run"] = not leftovers
    finally:
        os.unlink(marker)


def _probe_limits(sandbox: Sandbox, checks: dict[str, bool], details: dict) -> None:
    with sandbox.session(MEMORY_LIMITS) as s:
        s.load(PROBE_SOURCE, filename="selftest_probe.py")
        forked = s.call("fork_until_refused", args=[MEMORY_LIMITS.pids * 2], timeout=15.0)
        details["pids_probe"] = forked.value if forked.ok else str(forked.error)
        # The runner is one of the run's processes.
        checks["process_limit_enforced"] = (
            forked.ok and type(forked.value) is int and forked.value < MEMORY_LIMITS.pids
        )
        try:
            result = s.call("allocate", args=[MEMORY_LIMITS.memory_mb * 2], timeout=15.0)
            details["memory_probe"] = "allocation succeeded" if result.ok else result.error
        except RunEnded:
            pass
    outcome = s.outcome
    details["memory_probe_outcome"] = outcome.status if outcome else None
    checks["memory_limit_enforced"] = outcome is not None and outcome.status == "memory"
