"""The zygote process and the per-run supervisor (C1) it forks.

Started by `sandbox.client.Sandbox` with a clean environment. It imports numpy and the runner
once, answers "hello", and then serves requests from its worker over a SOCK_SEQPACKET socket:

    spawn {limits} + 5 fds   hand the run to a supervisor (C1); reply {"ok", "pid"}
    kill {pid}               SIGKILL that supervisor (its jail dies with it)
    ping                     liveness

Each C1 is forked one run ahead ("the spare") and builds its whole jail (cgroup, namespaces,
new root, rlimits, dropped privileges, seccomp) before a run is asked for; `spawn` passes the
run's fds and limits to the spare and forks the next one after replying. The two forks and
the mounts, most of the cost of a run, are thereby off the worker's critical path.

A spare is built for limits that can only be tightened later: cgroup limits are rewritten
by C1 (root) at hand-over, and C2 lowers its rlimits to the requested values before it
reads a request. Only a different tmpfs size, or a request for looser rlimits than the
spare has, makes the zygote discard the spare and build one to measure.

It never holds anything about grading: no checks, no reference solutions, no secrets. It
must stay single-threaded, because unshare(CLONE_NEWUSER) refuses multi-threaded callers
and a fork taken while an OpenBLAS worker holds a lock deadlocks the child.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import signal
import socket
import sys
import tempfile
import time
import traceback
from typing import Any

from sandbox import cgroups, jail, linux, runner
from sandbox.limits import Limits

UID_BASE = 200_000
# C2's exit status when the jail could not be built; reported as a setup error only when C2
# also wrote a reason on its lifeline, which student code never holds.
SETUP_FAILED = 120
BACKUP_GRACE_S = 5.0
SPARE_RETRY_S = 2.0
MESSAGE_BYTES = 65536
MiB = 1024 * 1024


def _send(sock: socket.socket, message: dict[str, Any]) -> None:
    sock.send(json.dumps(message).encode())


def _thread_count() -> int:
    for line in linux.read_file("/proc/self/status").splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return -1


class Prepared:
    def __init__(self, use_cgroups: bool = True) -> None:
        os.umask(0o022)
        os.chdir("/")
        import numpy as np
        import numpy.fft  # noqa: F401 - imported once here rather than in every run
        import numpy.random  # noqa: F401

        # Initialise BLAS and the random machinery before any fork, so children inherit
        # them ready-made.
        np.linalg.solve(np.eye(3) * 2.0, np.ones(3))
        np.random.default_rng(0).random(4)
        self.root = os.geteuid() == 0
        self.backend = cgroups.detect() if self.root and use_cgroups else cgroups.Backend()
        self.staging = tempfile.mkdtemp(prefix="descent-jail-")
        self.plan = jail.make_plan(self.staging)
        threads = _thread_count()
        if threads != 1:
            raise RuntimeError(f"zygote must be single-threaded, has {threads} threads")
        self.backend_cleanup()
        jail.relocate_modules(self.plan)
        # Everything allocated so far is shared with every child; keep the collector from
        # walking (and so copying) those pages in each of them.
        gc.collect()
        gc.freeze()

    def backend_cleanup(self) -> None:
        """Remove run cgroups left by zygotes that were killed outright. Only old, empty
        ones: a fresh empty one may belong to another worker's run that is starting."""
        for base in self.backend.bases():
            try:
                entries = os.listdir(base)
            except OSError:
                continue
            for name in entries:
                path = os.path.join(base, name)
                try:
                    if name.startswith("run-") and time.time() - os.stat(path).st_mtime > 3600:
                        os.rmdir(path)
                except OSError:
                    pass

    def hello(self) -> dict[str, Any]:
        return {
            "status": "hello",
            "pid": os.getpid(),
            "root": self.root,
            "backend": self.backend.kind,
            "seccomp_instructions": self.plan.seccomp.instructions if self.plan.seccomp else 0,
        }


# Limits that a waiting spare can still tighten to whatever a run asks for.
LOWERABLE = ("cpu_s", "stack_mb", "open_files", "pids", "memory_mb")


def fits(spare: Limits, wanted: Limits) -> bool:
    return spare.tmpfs_mb == wanted.tmpfs_mb and all(
        getattr(wanted, name) <= getattr(spare, name) for name in LOWERABLE
    )


class _Child:
    def __init__(self, pid: int, limits: Limits, sock: socket.socket):
        self.pid = pid
        self.limits = limits
        self.sock: socket.socket | None = sock  # to a spare; None once it has a run
        self.deadline: float | None = None
        self.pidfd = os.pidfd_open(pid)

    def close_socket(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class Zygote:
    def __init__(self, ctl: socket.socket, prepared: Prepared):
        self.ctl = ctl
        self.prepared = prepared
        self.poller = select.poll()
        self.children: dict[int, _Child] = {}
        self.by_pidfd: dict[int, _Child] = {}
        self.spare: _Child | None = None
        self.spare_limits = Limits()
        self.spare_failed_at = 0.0
        self.leftover: list[cgroups.RunCgroup] = []

    def loop(self) -> None:
        self.poller.register(self.ctl, select.POLLIN)
        self.ensure_spare()
        while True:
            for fd, _ in self.poller.poll(self.next_timeout()):
                if fd == self.ctl.fileno():
                    if not self.serve_one():
                        self.shutdown()
                        return
                elif fd in self.by_pidfd:
                    self.reap(self.by_pidfd[fd])
            self.enforce_backup_deadlines()
            self.leftover = [g for g in self.leftover if not g.destroy(patience=0)]
            self.ensure_spare()

    def next_timeout(self) -> int | None:
        now = time.monotonic()
        waits = [c.deadline - now for c in self.children.values() if c.deadline is not None]
        if self.leftover:
            waits.append(0.05)
        if self.spare is None and self.prepared.root:
            waits.append(self.spare_failed_at + SPARE_RETRY_S - now)
        if not waits:
            return None
        return max(0, int(min(waits) * 1000) + 1)

    def ensure_spare(self, force: bool = False) -> _Child | None:
        if self.spare is not None or not self.prepared.root:
            return self.spare
        # A spare that died unused (say the cgroup tree vanished) is not rebuilt in a tight
        # loop; a spawn still builds one on demand and reports the failure for its run.
        if not force and time.monotonic() < self.spare_failed_at + SPARE_RETRY_S:
            return None
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        limits = self.spare_limits
        zygote_pid = os.getpid()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                ours.close()
                code = supervise(self.prepared, limits, theirs, zygote_pid)
            except BaseException:  # noqa: B036 - a supervisor must never return here
                traceback.print_exc()
            finally:
                os._exit(code)
        theirs.close()
        self.spare = _Child(pid, limits, ours)
        self.children[pid] = self.spare
        self.by_pidfd[self.spare.pidfd] = self.spare
        self.poller.register(self.spare.pidfd, select.POLLIN)
        return self.spare

    def serve_one(self) -> bool:
        try:
            data, fds, _, _ = socket.recv_fds(self.ctl, MESSAGE_BYTES, 8)
        except OSError:
            return False
        if not data:
            return False
        try:
            message = json.loads(data)
            op = message.get("op")
            if op == "spawn":
                reply = self.spawn(message, fds)
            elif op == "kill":
                child = self.children.get(int(message.get("pid", -1)))
                if child is not None and child is not self.spare:
                    os.kill(child.pid, signal.SIGKILL)
                reply = {"ok": True, "known": child is not None}
            elif op == "ping":
                reply = {"ok": True, "children": len(self.children)}
            else:
                reply = {"ok": False, "error": f"unknown op {op!r}"}
        except Exception as exc:
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        finally:
            for fd in fds:
                os.close(fd)
        try:
            _send(self.ctl, reply)
        except OSError:
            return False
        return True

    def spawn(self, message: dict[str, Any], fds: list[int]) -> dict[str, Any]:
        if len(fds) != 5:
            return {"ok": False, "error": f"spawn needs 5 fds, got {len(fds)}"}
        if not self.prepared.root:
            return {"ok": False, "error": "the sandbox needs root (CAP_SYS_ADMIN)"}
        limits = Limits.from_dict(message.get("limits") or {})
        if self.spare is not None and not fits(self.spare.limits, limits):
            self.discard(self.spare)
        if not fits(self.spare_limits, limits):
            # Build spares loose enough for every run seen so far, so alternating exercises
            # keep finding one ready.
            loosest = {n: max(getattr(self.spare_limits, n), getattr(limits, n)) for n in LOWERABLE}
            self.spare_limits = Limits.from_dict({**limits.to_dict(), **loosest})
        payload = json.dumps(limits.to_dict()).encode()
        error = "could not start a supervisor"
        for _ in range(2):
            spare = self.ensure_spare(force=True)
            if spare is None or spare.sock is None:
                break
            self.spare = None
            try:
                socket.send_fds(spare.sock, [payload], fds)
            except OSError as exc:
                # The spare died before it could take the run; try a fresh one.
                error = f"supervisor unreachable: {exc}"
                self.discard(spare)
                continue
            finally:
                spare.close_socket()
            spare.deadline = time.monotonic() + limits.wall_s + BACKUP_GRACE_S
            return {"ok": True, "pid": spare.pid}
        return {"ok": False, "error": error}

    def discard(self, child: _Child) -> None:
        if child is self.spare:
            self.spare = None
        child.close_socket()
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGKILL)

    def reap(self, child: _Child) -> None:
        try:
            _, status = os.waitpid(child.pid, os.WNOHANG)
        except ChildProcessError:
            status = -1
        self.poller.unregister(child.pidfd)
        os.close(child.pidfd)
        del self.by_pidfd[child.pidfd]
        del self.children[child.pid]
        if child is self.spare:
            self.spare = None
            self.spare_failed_at = time.monotonic()
        child.close_socket()
        if status != 0:
            # The supervisor died before tidying up (killed by us or the worker).
            group = self.prepared.backend.existing(run_cgroup_name(child.pid))
            if group is not None and not group.destroy(patience=0):
                self.leftover.append(group)

    def enforce_backup_deadlines(self) -> None:
        now = time.monotonic()
        for child in self.children.values():
            if child.deadline is not None and now > child.deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child.pid, signal.SIGKILL)

    def shutdown(self) -> None:
        for child in self.children.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)
        deadline = time.monotonic() + 2.0
        for child in list(self.children.values()):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child.pid, 0)
            group = self.prepared.backend.existing(run_cgroup_name(child.pid))
            if group is not None:
                group.destroy(patience=max(0.0, deadline - time.monotonic()))
        for group in self.leftover:
            group.destroy(patience=max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(OSError):
            os.rmdir(self.prepared.staging)


def run_cgroup_name(supervisor_pid: int) -> str:
    return f"run-{supervisor_pid}"


# ---------------------------------------------------------------------------------------------
# C1: one per run


def supervise(
    prepared: Prepared, limits: Limits, zygote_sock: socket.socket, zygote_pid: int
) -> int:
    linux.set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != zygote_pid:
        return 1
    linux.close_fds_except({zygote_sock.fileno(), 2})
    pid = os.getpid()
    uid = UID_BASE + pid
    group = None
    lifeline = None
    c2 = None
    prewarm_error = None
    try:
        group = prepared.backend.create(run_cgroup_name(pid))
        if group is not None:
            group.apply_limits(int(limits.memory_mb) * MiB, int(limits.pids))
        linux.unshare(
            linux.CLONE_NEWPID | linux.CLONE_NEWNET | linux.CLONE_NEWIPC | linux.CLONE_NEWUTS
        )
        lifeline, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        c2 = os.fork()
        if c2 == 0:
            lifeline.close()
            zygote_sock.close()
            _jailed(prepared.plan, limits, uid, group, child_end)
        child_end.close()
    except OSError as exc:
        prewarm_error = f"supervisor: {exc}"

    # Idle until the zygote hands over a run (or goes away).
    try:
        data, fds, _, _ = socket.recv_fds(zygote_sock, MESSAGE_BYTES, 5)
    except OSError:
        data, fds = b"", []
    zygote_sock.close()
    if not data or len(fds) != 5:
        for fd in fds:
            os.close(fd)
        _abandon(c2, group)
        return 0
    start = time.monotonic()
    req_r, resp_w, out_w, err_w, status_fd = fds
    status = socket.socket(fileno=status_fd)
    wanted = Limits.from_dict(json.loads(data))
    report: dict[str, Any] = {
        "exit_code": None,
        "signal": None,
        "cpu_ms": 0,
        "wall_ms": 0,
        "max_rss_kb": 0,
        "oom_kills": 0,
        "peak_memory_kb": None,
        "killed_by": None,
        "cpu_exceeded": False,
        "setup_error": prewarm_error,
        "limits_backend": prepared.backend.kind if group is not None else "rlimit",
        "uid": uid,
    }
    try:
        if prewarm_error is None and group is not None:
            if (wanted.memory_mb, wanted.pids) != (limits.memory_mb, limits.pids):
                group.apply_limits(int(wanted.memory_mb) * MiB, int(wanted.pids))
    except OSError as exc:
        report["setup_error"] = f"supervisor: cgroup limits: {exc}"
    if report["setup_error"] or c2 is None or lifeline is None:
        report["setup_error"] = report["setup_error"] or "supervisor: no runner"
        for fd in (req_r, resp_w, out_w, err_w):
            os.close(fd)
        _abandon(c2, group)
        _report(status, report)
        return 0
    # The jail was built before the run: its CPU time is not the student's.
    setup_cpu_s = _cpu_seconds(c2)
    # Only now, with the cgroup limits in place, does the runner get its pipes.
    with contextlib.suppress(OSError):
        socket.send_fds(lifeline, [data], [req_r, out_w, err_w, resp_w])
    for fd in (req_r, resp_w, out_w, err_w):
        os.close(fd)

    setup_error = _watch(c2, status, lifeline, report, start + wanted.wall_s)
    _, wait_status, usage = os.wait4(c2, 0)
    report["wall_ms"] = round((time.monotonic() - start) * 1000, 2)
    if os.WIFSIGNALED(wait_status):
        report["signal"] = os.WTERMSIG(wait_status)
    else:
        report["exit_code"] = os.WEXITSTATUS(wait_status)
    cpu_s = usage.ru_utime + usage.ru_stime
    report["cpu_ms"] = round(max(0.0, cpu_s - setup_cpu_s) * 1000, 1)
    report["max_rss_kb"] = int(usage.ru_maxrss)
    report["cpu_exceeded"] = (
        report["signal"] == signal.SIGKILL and cpu_s >= int(wanted.cpu_s + 0.999) - 0.05
    )
    setup_error += _drain(lifeline)
    if setup_error and report["exit_code"] == SETUP_FAILED:
        report["setup_error"] = setup_error.decode("utf-8", "replace")[:4000]
    if group is not None:
        stats = group.stats()
        report["oom_kills"] = stats.oom_kills
        report["peak_memory_kb"] = stats.peak_kb
    _report(status, report)
    if group is not None:
        group.destroy()
    return 0


def _cpu_seconds(pid: int) -> float:
    try:
        return int(linux.read_file(f"/proc/{pid}/schedstat").split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def _abandon(c2: int | None, group: cgroups.RunCgroup | None) -> None:
    if c2 is not None:
        try:
            os.kill(c2, signal.SIGKILL)
            os.waitpid(c2, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    if group is not None:
        group.destroy()


def _watch(
    c2: int, status: socket.socket, lifeline: socket.socket, report: dict, deadline: float
) -> bytes:
    """Wait for C2 to end, killing it at the wall deadline or when the worker asks (or goes
    away). Returns what C2 wrote on the lifeline: a setup error, if any."""
    pidfd = os.pidfd_open(c2)
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    poller.register(status, select.POLLIN)
    poller.register(lifeline, select.POLLIN)
    setup_error = b""

    def kill(reason: str) -> None:
        if report["killed_by"] is None:
            report["killed_by"] = reason
        try:
            os.kill(c2, signal.SIGKILL)
        except ProcessLookupError:
            pass

    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                kill("deadline")
                timeout = None
            else:
                timeout = int(remaining * 1000) + 1
            for fd, _ in poller.poll(timeout):
                if fd == pidfd:
                    return setup_error
                if fd == status.fileno():
                    try:
                        data = status.recv(64)
                    except OSError:
                        data = b""
                    if not data:
                        poller.unregister(status)
                        kill("worker_gone")
                    elif b"k" in data:
                        kill("worker")
                elif fd == lifeline.fileno():
                    try:
                        data = lifeline.recv(4096)
                    except OSError:
                        data = b""
                    if not data:
                        poller.unregister(lifeline)
                    elif len(setup_error) < 4096:
                        setup_error += data
    finally:
        os.close(pidfd)


def _drain(sock: socket.socket) -> bytes:
    sock.setblocking(False)
    out = b""
    try:
        while len(out) < 4096:
            data = sock.recv(4096)
            if not data:
                break
            out += data
    except OSError:
        pass
    return out


def _report(status: socket.socket, report: dict[str, Any]) -> None:
    try:
        status.send(json.dumps(report).encode())
    except OSError:
        pass


# ---------------------------------------------------------------------------------------------
# C2: pid 1 of the run


def _jailed(
    plan: jail.JailPlan,
    limits: Limits,
    uid: int,
    group: cgroups.RunCgroup | None,
    lifeline: socket.socket,
) -> None:
    """Build the complete jail, wait for the run, then become the runner. Never returns.
    Nothing untrusted runs before the run arrives, so building early is safe."""
    channel = lifeline.fileno()
    try:
        linux.set_parent_death_signal(signal.SIGKILL)
        # The supervisor may have died between fork and prctl; then the lifeline hangs up.
        # (Readable alone means nothing: the run may already be waiting on it.)
        probe = select.poll()
        probe.register(channel, select.POLLIN)
        if any(event & select.POLLHUP for _, event in probe.poll(0)):
            os._exit(SETUP_FAILED)
        linux.close_fds_except({channel})
        jail.prepare(plan, group)
        jail.finish(plan, limits, uid, memory_fallback=group is None)
        runner.warm_up(limits)
        data, fds, _, _ = socket.recv_fds(lifeline, MESSAGE_BYTES, 4)
        if not data or len(fds) != 4:
            raise RuntimeError("no run was handed over")
        wanted = Limits.from_dict(json.loads(data))
        if wanted != limits:
            jail.tighten(wanted, memory_fallback=group is None)
        jail.arrange_fds(tuple(fds), channel)
        channel = jail.LIFELINE_FD
    except BaseException as exc:  # noqa: B036
        with contextlib.suppress(OSError):
            os.write(channel, f"{type(exc).__name__}: {exc}".encode()[:4000])
        os._exit(SETUP_FAILED)
    os.close(jail.LIFELINE_FD)
    try:
        runner.serve(wanted)
    except BaseException:  # noqa: B036 - shown to whoever reads the run's stderr
        traceback.print_exc()
    os._exit(1)


def main(argv: list[str]) -> int:
    ctl = socket.socket(fileno=int(argv[0]))
    try:
        options = argv[1].split(",") if len(argv) > 1 else []
        prepared = Prepared(use_cgroups="no-cgroups" not in options)
    except BaseException as exc:  # noqa: B036 - reported to the worker, which fails closed
        _send(ctl, {"status": "failed", "error": f"{type(exc).__name__}: {exc}"})
        return 1
    _send(ctl, prepared.hello())
    Zygote(ctl, prepared).loop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
