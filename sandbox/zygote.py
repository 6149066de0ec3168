"""The zygote process: it forks every run's jail (C2) and supervises it.

Started by `sandbox.client.Sandbox` with a clean environment. It imports numpy and the runner
once, answers "hello", and then serves requests from its worker over a SOCK_SEQPACKET socket:

    spawn {limits} + 5 fds   hand the run to the waiting jail; reply {"ok", "pid"}
    kill {pid}               SIGKILL that jail's pid 1 (its whole pid namespace dies with it)
    ping                     liveness

Each C2 is forked one run ahead ("the spare"), straight into a new pid namespace (the zygote
unshares CLONE_NEWPID for its next child and steps back with setns), and builds its whole
jail (cgroup, the other namespaces, new root, rlimits, dropped privileges, seccomp) before a
run is asked for; `spawn` passes the run's fds and limits to the spare and forks the next one
after replying. The fork and the mounts, most of the cost of a run, are thereby off the
worker's critical path.

The zygote is also every run's supervisor: it enforces the wall-clock deadline, kills on the
worker's request or when the worker goes away, and, when the jail's pid 1 exits, reports
exit status, rusage and cgroup figures on the run's status socket. (An earlier design had a
per-run supervisor process between the two; it cost a fork and two process hops per run.)
Nothing in its loop may block: what can wait on the kernel (cgroup moves, new network
namespaces) is done by C2 itself.

A spare is built for limits that can only be tightened later: cgroup limits are rewritten
by the zygote at hand-over, and C2 lowers its rlimits to the requested values before
it reads a request. Only a different tmpfs size, or a request for looser rlimits than the
spare has, makes the zygote discard the spare and build one to measure.

When the worker is not root the zygote first enters a user namespace of its own (and pid
and mount namespaces, see `_enter_zygote_namespaces`), and each jail a nested one of its
own (`sandbox.jail`): "user-namespace mode".

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
        # Real root builds jails directly; anyone else first becomes root of a user
        # namespace of its own, before numpy is imported (unshare(CLONE_NEWUSER) refuses a
        # multi-threaded caller).
        self.real_root = os.geteuid() == 0
        self.mode = "root" if self.real_root else "userns"
        # The zygote's pid as the worker sees it.
        self.host_pid = os.getpid() if self.real_root else _enter_zygote_namespaces()
        # numpy is loaded here, in the zygote, once its umask and directory are set: every
        # run forks with it imported, which is what makes a run cost milliseconds.
        import numpy as np
        import numpy.fft  # noqa: F401 - imported once here rather than in every run
        import numpy.random  # noqa: F401

        # Initialise BLAS and the random machinery before any fork, so children inherit
        # them ready-made.
        np.linalg.solve(np.eye(3) * 2.0, np.ones(3))
        np.random.default_rng(0).random(4)
        self.backend = cgroups.detect(self.real_root) if use_cgroups else cgroups.Backend()
        self.staging = tempfile.mkdtemp(prefix="descent-jail-")
        self.plan = jail.make_plan(self.staging, userns=not self.real_root)
        self.plan.nice = not self.backend.cpu
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
                    if (
                        name.startswith(cgroups.RUN_PREFIX)
                        and time.time() - os.stat(path).st_mtime > 3600
                    ):
                        os.rmdir(path)
                except OSError:
                    pass

    def hello(self) -> dict[str, Any]:
        return {
            "status": "hello",
            "pid": self.host_pid,
            "root": self.real_root,
            "mode": self.mode,
            "backend": self.backend.kind,
            "limits": self.enforcement(),
            "seccomp_instructions": self.plan.seccomp.instructions if self.plan.seccomp else 0,
        }

    def enforcement(self) -> dict[str, str]:
        """How each limit of a run is enforced, in words, for the self-test's report."""
        kind = self.backend.kind
        group = kind != "none"
        per = "per run uid" if self.mode == "root" else "per run user namespace"
        if self.backend.cpu:
            quota = "cpu.cfs_quota_us" if kind == "cgroup-v1" else "cpu.max"
            cpu = f"{kind} {quota}"
        else:
            cpu = (
                "not enforced: no cgroup cpu controller; runs at nice "
                f"{jail.JAIL_NICE} in a scheduler autogroup of their own, setsid denied"
            )
        return {
            "memory": f"{kind} memory" if group else "RLIMIT_DATA",
            "pids": f"{kind} pids.max" if group else f"RLIMIT_NPROC {per}",
            "cpu_quota": cpu,
            "cpu_time": "RLIMIT_CPU",
            "wall_clock": "zygote deadline",
            "disk": "tmpfs size + RLIMIT_FSIZE",
            "open_files": "RLIMIT_NOFILE",
        }


def userns_unavailable_reason() -> str:
    """Why this kernel or its configuration refuses unprivileged user namespaces, in words,
    or "" when no setting says so."""
    reasons = []
    for path, bad, why in (
        ("/proc/sys/user/max_user_namespaces", "0", "user namespaces are disabled"),
        (
            "/proc/sys/kernel/unprivileged_userns_clone",
            "0",
            "unprivileged user namespaces are disabled",
        ),
        (
            "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
            "1",
            "AppArmor restricts unprivileged user namespaces",
        ),
    ):
        try:
            value = linux.read_file(path).strip()
        except OSError:
            continue
        if value == bad:
            reasons.append(f"{why} ({path} = {value})")
    return "; ".join(reasons)


def _enter_zygote_namespaces() -> int:
    """User-namespace mode: become root of a new user namespace holding just the worker's
    uid and gid, in new pid and mount namespaces of its own with a fresh /proc. Returns the
    zygote's pid as the worker sees it.

    The pid namespace is needed because root of a user namespace may setns only into pid
    namespaces that namespace owns, and the zygote steps back into its own after forking
    each jail into a new one (`Zygote.fork_jail`). The process the worker started stays
    behind as a stub that waits for the zygote and exits with its status; the zygote dies
    with it (parent-death signal), and every jail dies with the zygote, pid 1 of the
    namespace they are all nested in. A host that refuses any of this is reported now, in
    words, rather than by every run."""
    uid, gid = os.getuid(), os.getgid()
    try:
        linux.enter_user_namespace(0, uid, gid)
        linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWPID)
    except OSError as exc:
        why = userns_unavailable_reason() or "see docs/deployment.md"
        raise RuntimeError(
            f"the sandbox needs root or unprivileged user namespaces, and this process "
            f"(uid {uid}) cannot use them: {exc.strerror or exc}; {why}"
        ) from None
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid != 0:
        _stub(pid, ready_w)
    os.close(ready_w)
    linux.set_parent_death_signal(signal.SIGKILL)
    host_pid = os.read(ready_r, 32)
    os.close(ready_r)
    if not host_pid:
        os._exit(1)
    flags = linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC
    try:
        linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
        # The zygote reads /proc/<pid> of its jails by the pids its own namespace gives them.
        linux.mount("proc", "/proc", "proc", flags)
    except OSError as exc:
        why = userns_unavailable_reason() or (
            "a container that masks parts of /proc refuses new proc mounts "
            "(security_opt systempaths=unconfined; see docs/deployment.md)"
        )
        raise RuntimeError(
            f"the zygote cannot build jails in its user namespace: {exc}; {why}"
        ) from None
    return int(host_pid)


def _stub(zygote: int, ready_w: int) -> None:
    """The process the worker started, once the zygote is its child: it holds nothing and
    exits with the zygote's status."""
    linux.close_fds_except({ready_w})
    os.write(ready_w, str(zygote).encode())
    os.close(ready_w)
    while True:
        try:
            _, status = os.waitpid(zygote, 0)
        except ChildProcessError:
            os._exit(1)
        except InterruptedError:
            continue
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


# Limits that a waiting spare can still tighten to whatever a run asks for.
LOWERABLE = ("cpu_s", "stack_mb", "open_files", "pids", "memory_mb")


def fits(spare: Limits, wanted: Limits) -> bool:
    return spare.tmpfs_mb == wanted.tmpfs_mb and all(
        getattr(wanted, name) <= getattr(spare, name) for name in LOWERABLE
    )


class _Jail:
    """One jailed process tree as the zygote sees it: first a spare, then a run."""

    def __init__(self, pid: int, limits: Limits, lifeline: socket.socket, uid: int):
        self.pid = pid
        self.limits = limits
        self.uid = uid
        self.lifeline: socket.socket | None = lifeline
        self.pidfd = os.pidfd_open(pid)
        self.group: cgroups.RunCgroup | None = None
        self.setup_error: str | None = None
        # Set when a run is handed over.
        self.status: socket.socket | None = None
        self.wanted: Limits | None = None
        self.report: dict[str, Any] | None = None
        self.started = 0.0
        self.deadline: float | None = None
        self.setup_cpu_s = 0.0
        self.held_namespaces: list[int] = []
        self.lifeline_bytes = b""

    @property
    def running(self) -> bool:
        return self.status is not None

    def kill(self, reason: str | None = None) -> None:
        if reason is not None and self.report is not None and self.report["killed_by"] is None:
            self.report["killed_by"] = reason
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


class Zygote:
    """The zygote's event loop, and the supervisor of every run it starts.

    A run's process tree is one process, C2, forked straight from the zygote into new pid,
    net, ipc and uts namespaces (the zygote unshares them for its next child and steps back
    into its own with setns). The zygote enforces the run's wall-clock deadline, kills it
    when the worker asks or goes away, collects its exit status, rusage and cgroup figures,
    and reports them on the run's status socket. Everything here is non-blocking: one slow
    run never holds up another.
    """

    def __init__(self, ctl: socket.socket, prepared: Prepared):
        self.ctl = ctl
        self.prepared = prepared
        self.poller = select.poll()
        self.jails: dict[int, _Jail] = {}
        self.by_fd: dict[int, tuple[str, _Jail]] = {}
        self.spare: _Jail | None = None
        self.spare_limits = Limits()
        self.spare_failed_at = 0.0
        self.leftover: list[cgroups.RunCgroup] = []
        self.last_spare_error = "could not start a jail"
        self.own_namespaces = {
            flag: os.open(f"/proc/self/ns/{name}", os.O_RDONLY | os.O_CLOEXEC)
            for name, flag in RUN_NAMESPACES
        }

    def loop(self) -> None:
        self.poller.register(self.ctl, select.POLLIN)
        self.ensure_spare()
        while True:
            for fd, _ in self.poller.poll(self.next_timeout()):
                if fd == self.ctl.fileno():
                    if not self.serve_one():
                        self.shutdown()
                        return
                    continue
                entry = self.by_fd.get(fd)
                if entry is None:
                    continue
                kind, jail_ = entry
                if kind == "pidfd":
                    self.reap(jail_)
                elif kind == "status":
                    self.read_status(jail_)
                elif kind == "lifeline":
                    self.read_lifeline(jail_)
            self.enforce_deadlines()
            self.leftover = [g for g in self.leftover if not g.destroy(patience=0)]
            self.ensure_spare()

    def next_timeout(self) -> int | None:
        now = time.monotonic()
        waits = [j.deadline - now for j in self.jails.values() if j.deadline is not None]
        if self.leftover:
            waits.append(0.05)
        if self.spare is None:
            waits.append(self.spare_failed_at + SPARE_RETRY_S - now)
        if not waits:
            return None
        return max(0, int(min(waits) * 1000) + 1)

    def watch(self, fd: int, kind: str, jail_: _Jail) -> None:
        self.by_fd[fd] = (kind, jail_)
        self.poller.register(fd, select.POLLIN)

    def unwatch(self, fd: int) -> None:
        if self.by_fd.pop(fd, None) is not None:
            self.poller.unregister(fd)

    # -- spares ------------------------------------------------------------------------------

    def ensure_spare(self, force: bool = False) -> _Jail | None:
        if self.spare is not None:
            return self.spare
        # A spare that died unused (say the cgroup tree vanished) is not rebuilt in a tight
        # loop; a spawn still builds one on demand and reports the failure for its run.
        if not force and time.monotonic() < self.spare_failed_at + SPARE_RETRY_S:
            return None
        try:
            self.spare = self.fork_jail(self.spare_limits)
        except OSError as exc:
            self.spare_failed_at = time.monotonic()
            self.last_spare_error = f"could not start a jail: {exc}"
            return None
        _rehearse_spawn(self.spare_limits)
        return self.spare

    def fork_jail(self, limits: Limits) -> _Jail:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        flags = 0
        for _, flag in RUN_NAMESPACES:
            flags |= flag
        try:
            linux.unshare(flags)
            pid = os.fork()
        except BaseException:
            self.restore_namespaces()
            ours.close()
            theirs.close()
            raise
        if pid == 0:
            code = SETUP_FAILED
            try:
                ours.close()
                _jailed(self.prepared.plan, limits, theirs)
            except BaseException:  # noqa: B036 - a jail must never return into the zygote
                traceback.print_exc()
            finally:
                os._exit(code)
        self.restore_namespaces()
        theirs.close()
        uid = UID_BASE + pid if self.prepared.real_root else jail.INNER_UID
        jail_ = _Jail(pid, limits, ours, uid)
        self.jails[pid] = jail_
        self.watch(jail_.pidfd, "pidfd", jail_)
        go: dict[str, Any] = {"uid": jail_.uid, "cgroup": None}
        try:
            jail_.group = self.prepared.backend.create()
            if jail_.group is not None:
                _apply_limits(jail_.group, limits)
                # C2 joins it itself before it allocates anything: moving a process between
                # cgroups can wait for an RCU grace period, which must not stall this loop.
                go["cgroup"] = [jail_.group.kind, jail_.group.dirs]
        except OSError as exc:
            jail_.setup_error = f"cgroup: {exc}"
        with contextlib.suppress(OSError):
            ours.send(json.dumps(go).encode())
        return jail_

    def restore_namespaces(self) -> None:
        """Step back into the zygote's own pid namespace for children. If that fails
        the zygote cannot be trusted to start anything else: it exits, and the worker
        fails closed."""
        try:
            for flag, fd in self.own_namespaces.items():
                linux.setns(fd, flag)
        except OSError:
            traceback.print_exc()
            os._exit(1)

    # -- requests from the worker ---------------------------------------------------------

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
                jail_ = self.jails.get(int(message.get("pid", -1)))
                if jail_ is not None and jail_ is not self.spare:
                    jail_.kill("worker")
                reply = {"ok": True, "known": jail_ is not None}
            elif op == "ping":
                reply = {"ok": True, "children": len(self.jails)}
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
        limits = Limits.from_dict(message.get("limits") or {})
        if self.spare is not None and not fits(self.spare.limits, limits):
            self.discard(self.spare)
        if not fits(self.spare_limits, limits):
            # Build spares loose enough for every run seen so far, so alternating exercises
            # keep finding one ready.
            loosest = {n: max(getattr(self.spare_limits, n), getattr(limits, n)) for n in LOWERABLE}
            self.spare_limits = Limits.from_dict({**limits.to_dict(), **loosest})
        payload = json.dumps(limits.to_dict()).encode()
        error = "could not start a jail"
        for _ in range(2):
            spare = self.ensure_spare(force=True)
            if spare is None or spare.lifeline is None:
                error = self.last_spare_error
                break
            self.spare = None
            if self.hand_over(spare, limits, payload, fds):
                return {"ok": True, "pid": spare.pid}
            # The spare died before it could take the run; try a fresh one.
            error = "jail unreachable"
            spare.kill()
        return {"ok": False, "error": error}

    def hand_over(self, jail_: _Jail, limits: Limits, payload: bytes, fds: list[int]) -> bool:
        req_r, resp_w, out_w, err_w, status_fd = fds
        report = _report_template(jail_, None)
        setup_error = jail_.setup_error
        try:
            if (
                setup_error is None
                and jail_.group is not None
                and _cgroup_limits_differ(limits, jail_.limits)
            ):
                _apply_limits(jail_.group, limits)
        except OSError as exc:
            setup_error = f"cgroup limits: {exc}"
        jail_.status = socket.socket(fileno=os.dup(status_fd))
        jail_.status.setblocking(False)
        jail_.wanted = limits
        jail_.report = report
        jail_.started = time.monotonic()
        jail_.deadline = jail_.started + limits.wall_s
        self.watch(jail_.status.fileno(), "status", jail_)
        if setup_error is not None:
            report["setup_error"] = setup_error
            jail_.kill()
            return True
        # The jail was built before the run: its CPU time is not the student's.
        jail_.setup_cpu_s = _cpu_seconds(jail_.pid)
        # Keep the jail's namespaces referenced until the report is out, so unmounting its
        # tree and freeing its namespaces come after the worker has its answer, not between
        # the runner's exit and the status the worker waits for.
        jail_.held_namespaces = _hold_namespaces(jail_.pid)
        assert jail_.lifeline is not None
        try:
            # Only now, with the cgroup limits in place, does the runner get its pipes.
            socket.send_fds(jail_.lifeline, [payload], [req_r, out_w, err_w, resp_w])
        except OSError:
            self.unwatch(jail_.status.fileno())
            jail_.status.close()
            jail_.status = None
            jail_.deadline = None
            return False
        jail_.lifeline.setblocking(False)
        self.watch(jail_.lifeline.fileno(), "lifeline", jail_)
        return True

    # -- events of a run -----------------------------------------------------------------------

    def read_status(self, jail_: _Jail) -> None:
        assert jail_.status is not None
        try:
            data = jail_.status.recv(64)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.unwatch(jail_.status.fileno())
            jail_.kill("worker_gone")
        elif b"k" in data:
            jail_.kill("worker")

    def read_lifeline(self, jail_: _Jail) -> None:
        """Whatever C2 writes here before it becomes the runner is a setup error."""
        assert jail_.lifeline is not None
        try:
            data = jail_.lifeline.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.unwatch(jail_.lifeline.fileno())
        elif len(jail_.lifeline_bytes) < 4096:
            jail_.lifeline_bytes += data

    def enforce_deadlines(self) -> None:
        now = time.monotonic()
        for jail_ in self.jails.values():
            if jail_.deadline is not None and now > jail_.deadline:
                jail_.kill("deadline")
                # Killed once; the pidfd brings it to `reap`.
                jail_.deadline = None

    def reap(self, jail_: _Jail) -> None:
        try:
            _, wait_status, usage = os.wait4(jail_.pid, os.WNOHANG)
        except ChildProcessError:
            wait_status, usage = -1, None
        self.unwatch(jail_.pidfd)
        os.close(jail_.pidfd)
        del self.jails[jail_.pid]
        if jail_ is self.spare:
            self.spare = None
            self.spare_failed_at = time.monotonic()
        if jail_.running:
            self.finish(jail_, wait_status, usage)
        if jail_.lifeline is not None:
            self.unwatch(jail_.lifeline.fileno())
            jail_.lifeline.close()
            jail_.lifeline = None
        if jail_.group is not None and not jail_.group.destroy(patience=0):
            self.leftover.append(jail_.group)

    def finish(self, jail_: _Jail, wait_status: int, usage: Any) -> None:
        report = jail_.report
        wanted = jail_.wanted
        assert report is not None and wanted is not None and jail_.status is not None
        report["wall_ms"] = round((time.monotonic() - jail_.started) * 1000, 2)
        if wait_status == -1:
            report["signal"] = signal.SIGKILL
        elif os.WIFSIGNALED(wait_status):
            report["signal"] = os.WTERMSIG(wait_status)
        else:
            report["exit_code"] = os.WEXITSTATUS(wait_status)
        if usage is not None:
            cpu_s = usage.ru_utime + usage.ru_stime
            report["cpu_ms"] = round(max(0.0, cpu_s - jail_.setup_cpu_s) * 1000, 1)
            report["max_rss_kb"] = int(usage.ru_maxrss)
            # Nobody here sent that SIGKILL, and pid 1 of a namespace cannot be killed from
            # inside it: the kernel did, at the CPU rlimit (rusage runs a little behind the
            # clock the rlimit is enforced on, hence the margin).
            report["cpu_exceeded"] = (
                report["signal"] == signal.SIGKILL
                and report["killed_by"] is None
                and cpu_s >= 0.9 * int(wanted.cpu_s + 0.999) - 0.05
            )
        if jail_.lifeline is not None:
            jail_.lifeline_bytes += _drain(jail_.lifeline)
        if jail_.lifeline_bytes and report["exit_code"] == SETUP_FAILED:
            report["setup_error"] = jail_.lifeline_bytes.decode("utf-8", "replace")[:4000]
        if jail_.group is not None:
            stats = jail_.group.stats()
            report["oom_kills"] = stats.oom_kills
            report["peak_memory_kb"] = stats.peak_kb
        _report(jail_.status, report)
        self.unwatch(jail_.status.fileno())
        jail_.status.close()
        jail_.status = None
        for fd in jail_.held_namespaces:
            os.close(fd)
        jail_.held_namespaces = []

    def discard(self, jail_: _Jail) -> None:
        if jail_ is self.spare:
            self.spare = None
        jail_.kill()

    def shutdown(self) -> None:
        for jail_ in self.jails.values():
            jail_.kill("worker_gone")
        deadline = time.monotonic() + 2.0
        for jail_ in list(self.jails.values()):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(jail_.pid, 0)
            if jail_.group is not None:
                jail_.group.destroy(patience=max(0.0, deadline - time.monotonic()))
        for group in self.leftover:
            group.destroy(patience=max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(OSError):
            os.rmdir(self.prepared.staging)


# The namespace a run must get at fork: a new pid namespace applies to children only. C2
# unshares the others itself (`jail.prepare`), so a slow one (a new network namespace can
# wait behind the teardown of earlier ones) never stalls the zygote's loop.
RUN_NAMESPACES = (("pid", linux.CLONE_NEWPID),)


def _rehearse_spawn(limits: Limits) -> None:
    """Parse a spawn request once on dummy data. Right after a fork every page is shared
    copy-on-write with the new spare, so the first touch of the parsing code's objects
    costs a page copy each; paying them here keeps them off the next spawn."""
    message = json.loads(json.dumps({"op": "spawn", "limits": limits.to_dict()}))
    parsed = Limits.from_dict(message["limits"])
    fits(limits, parsed)
    json.dumps(parsed.to_dict()).encode()
    json.dumps(_report_template(None, None))


def _apply_limits(group: cgroups.RunCgroup, limits: Limits) -> None:
    group.apply_limits(int(limits.memory_mb) * MiB, int(limits.pids), float(limits.cpus))


def _cgroup_limits_differ(a: Limits, b: Limits) -> bool:
    return (a.memory_mb, a.pids, a.cpus) != (b.memory_mb, b.pids, b.cpus)


def _report_template(jail_: _Jail | None, error: str | None) -> dict[str, Any]:
    group = jail_.group if jail_ is not None else None
    return {
        "exit_code": None,
        "signal": None,
        "cpu_ms": 0,
        "wall_ms": 0,
        "max_rss_kb": 0,
        "oom_kills": 0,
        "peak_memory_kb": None,
        "killed_by": None,
        "cpu_exceeded": False,
        "setup_error": error,
        "limits_backend": group.kind if group is not None else "rlimit",
        "uid": jail_.uid if jail_ is not None else 0,
    }


def _hold_namespaces(pid: int) -> list[int]:
    held = []
    for name in ("mnt", "ipc", "uts", "pid", "net", "cgroup"):
        with contextlib.suppress(OSError):
            held.append(os.open(f"/proc/{pid}/ns/{name}", os.O_RDONLY | os.O_CLOEXEC))
    return held


def _cpu_seconds(pid: int) -> float:
    try:
        return int(linux.read_file(f"/proc/{pid}/schedstat").split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


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
    with contextlib.suppress(OSError):
        status.send(json.dumps(report).encode())


# ---------------------------------------------------------------------------------------------
# C2: pid 1 of the run


def _jailed(plan: jail.JailPlan, limits: Limits, lifeline: socket.socket) -> None:
    """Build the complete jail, wait for the run, then become the runner. Never returns.
    Nothing untrusted runs before the run arrives, so building early is safe."""
    channel = lifeline.fileno()
    try:
        linux.set_parent_death_signal(signal.SIGKILL)
        # The zygote may have died between fork and prctl; then the lifeline hangs up.
        # (Readable alone means nothing: "go" may already be waiting on it.)
        probe = select.poll()
        probe.register(channel, select.POLLIN)
        if any(event & select.POLLHUP for _, event in probe.poll(0)):
            os._exit(SETUP_FAILED)
        linux.close_fds_except({channel})
        # The zygote names our uid and cgroup after our host pid, which only it can see.
        go = json.loads(lifeline.recv(MESSAGE_BYTES) or b"null")
        if type(go) is not dict or type(go.get("uid")) is not int:
            raise RuntimeError("no start signal from the zygote")
        group = cgroups.RunCgroup(*go["cgroup"]) if go.get("cgroup") else None
        memory_fallback = group is None
        jail.prepare(plan, group)
        jail.finish(plan, limits, go["uid"], memory_fallback=memory_fallback)
        runner.warm_up(limits)
        Limits.from_dict(json.loads(json.dumps(limits.to_dict()))) == limits  # noqa: B015 - warm-up
        data, fds, _, _ = socket.recv_fds(lifeline, MESSAGE_BYTES, 4)
        if not data or len(fds) != 4:
            raise RuntimeError("no run was handed over")
        wanted = Limits.from_dict(json.loads(data))
        if wanted != limits:
            jail.tighten(wanted, memory_fallback=memory_fallback)
        jail.arrange_fds((fds[0], fds[1], fds[2], fds[3]), channel)
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
