"""Per-run memory, process-count and CPU limits through cgroups.

The zygote picks a backend once:

* cgroup v2 at the hierarchy's root, when the zygote is real root and the root offers the
  memory and pids controllers (runs hang off ``<root>/descent``);
* cgroup v2 delegated: the zygote's own cgroup is writable by it (systemd ``Delegate=yes``,
  or a container given its own cgroup) and offers memory and pids. A cgroup that holds
  processes cannot hand controllers to children, so the processes found there (the worker,
  its zygotes) first move to a leaf ``<own>/supervisor``; runs then hang off ``<own>``;
* the v1 memory and pids hierarchies (and cpu, when mounted), under the zygote's own v1
  cgroups or the hierarchy's root, when they are writable (root);
* none: the jail falls back to rlimits and the self-test says so.

Run cgroups are created under the zygote's own cgroup (or a ``descent`` directory), so
whatever limits the host placed on the platform still bound them. Their names carry a random
token per zygote and a counter, never a pid: two zygotes in different pid namespaces see the
same pids, and a name built from one made the second zygote delete the first one's run.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import secrets
import signal
import time
from dataclasses import dataclass

from sandbox import linux

CGROUP_ROOT = "/sys/fs/cgroup"
RUN_PREFIX = "run-"
SUPERVISOR_LEAF = "supervisor"
CPU_PERIOD_US = 100_000  # the kernel's default cfs period


@dataclass
class RunStats:
    oom_kills: int = 0
    peak_kb: int | None = None


def _own_cgroup_paths() -> dict[str, str]:
    """Map of controller (or "" for v2) to this process's cgroup path."""
    out = {}
    for line in linux.read_file("/proc/self/cgroup").splitlines():
        _, controllers, path = line.split(":", 2)
        for c in controllers.split(",") if controllers else [""]:
            out[c] = path
    return out


def _mounts() -> list[tuple[str, str, set[str]]]:
    """(mount point, fs type, super options) for each cgroup mount."""
    found = []
    for line in linux.read_file("/proc/self/mountinfo").splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(rfields) < 3 or rfields[0] not in ("cgroup", "cgroup2"):
            continue
        found.append((fields[4], rfields[0], set(rfields[2].split(","))))
    return found


def _writable_dir(candidates: list[str], name: str) -> str | None:
    for parent in candidates:
        path = os.path.join(parent, name)
        try:
            os.makedirs(path, exist_ok=True)
        except OSError:
            continue
        if os.access(path, os.W_OK):
            return path
    return None


class Backend:
    """Where run cgroups are made. `controllers` maps each controller ("" for the one v2
    directory) to the directory run cgroups are created in."""

    kind = "none"

    def __init__(self, controllers: dict[str, str] | None = None, cpu: bool = False):
        self.controllers = controllers or {}
        # Whether runs get a CPU quota (cpu controller present and ours to write).
        self.cpu = cpu
        self._token = secrets.token_hex(4)
        self._counter = itertools.count(1)

    def bases(self) -> list[str]:
        return list(self.controllers.values())

    def next_name(self) -> str:
        return f"{RUN_PREFIX}{self._token}-{next(self._counter)}"

    def create(self) -> RunCgroup | None:
        """A new, empty run cgroup under a name no live cgroup has. mkdir is the claim: an
        existing directory (another zygote's, or a dead one's) is never reused or removed
        here; the next name is tried instead."""
        if not self.controllers:
            return None
        for _ in range(16):
            name = self.next_name()
            group = RunCgroup(
                self.kind, {c: os.path.join(base, name) for c, base in self.controllers.items()}
            )
            if self._claim(group):
                return group
            # Several zygotes may share a token only by a 2**-32 chance; the counter moves on.
        raise OSError(errno.EEXIST, "no free run cgroup name after 16 attempts")

    def _claim(self, group: RunCgroup) -> bool:
        made: list[str] = []
        try:
            for d in group.dirs.values():
                os.mkdir(d, 0o700)
                made.append(d)
        except FileExistsError:
            for d in made:
                with contextlib.suppress(OSError):
                    os.rmdir(d)
            return False
        except BaseException:
            RunCgroup(self.kind, dict(zip(group.dirs, made, strict=False))).destroy()
            raise
        return True


class _V1(Backend):
    kind = "cgroup-v1"


class _V2(Backend):
    kind = "cgroup-v2"


def _enable(cgroup: str, controllers: list[str]) -> None:
    """Enable each controller for the children of `cgroup`; memory and pids are required,
    cpu is used when the parent offers it."""
    for controller in controllers:
        try:
            linux.write_file(f"{cgroup}/cgroup.subtree_control", f"+{controller}")
        except OSError:
            if controller != "cpu":
                raise


def _v2_controllers(cgroup: str) -> list[str] | None:
    offered = set(linux.read_file(f"{cgroup}/cgroup.controllers").split())
    if not {"memory", "pids"} <= offered:
        return None
    return ["memory", "pids"] + (["cpu"] if "cpu" in offered else [])


def _v2_backend(base: str) -> _V2:
    enabled = set(linux.read_file(f"{base}/cgroup.subtree_control").split())
    return _V2({"": base}, cpu="cpu" in enabled)


def _try_v2_root(point: str) -> Backend | None:
    # A cgroup holding processes cannot hand controllers to children (the "no internal
    # processes" rule) unless it is the root: as root, runs hang off the root.
    try:
        wanted = _v2_controllers(point)
        if wanted is None:
            return None
        base = os.path.join(point, "descent")
        os.makedirs(base, exist_ok=True)
        _enable(point, wanted)
        _enable(base, wanted)
        return _v2_backend(base)
    except OSError:
        return None


def _try_v2_delegated(point: str, own_path: str) -> Backend | None:
    """The zygote's own cgroup, delegated to its uid. Processes in it move to a leaf
    (`SUPERVISOR_LEAF`) so the cgroup can enable controllers for run cgroups beside it."""
    own = os.path.join(point, own_path.lstrip("/"))
    if os.path.basename(own) == SUPERVISOR_LEAF:
        own = os.path.dirname(own)
    try:
        if not os.access(f"{own}/cgroup.subtree_control", os.W_OK) or not os.access(
            f"{own}/cgroup.procs", os.W_OK
        ):
            return None
        wanted = _v2_controllers(own)
        if wanted is None:
            return None
        leaf = os.path.join(own, SUPERVISOR_LEAF)
        with contextlib.suppress(FileExistsError):
            os.mkdir(leaf, 0o755)
        # Processes may be forked into `own` while they are moved: retry a few times.
        for _ in range(10):
            pids = linux.read_file(f"{own}/cgroup.procs").split()
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(OSError):
                    linux.write_file(f"{leaf}/cgroup.procs", pid)
        _enable(own, wanted)
        return _v2_backend(own)
    except OSError:
        return None


def _try_v2(mounts, own, root: bool) -> Backend | None:
    for point, fstype, _ in mounts:
        if fstype != "cgroup2":
            continue
        found = _try_v2_root(point) if root else None
        if found is None and own.get("", "/") not in ("/", ""):
            found = _try_v2_delegated(point, own[""])
        if found is not None:
            return found
    return None


def _v1_base(mounts, own, controller: str) -> str | None:
    points = [p for p, fstype, opts in mounts if fstype == "cgroup" and controller in opts]
    if not points:
        return None
    point = points[0]
    candidates = [point]
    own_path = own.get(controller, "/")
    if own_path not in ("/", ""):
        candidates.insert(0, os.path.join(point, own_path.lstrip("/")))
    return _writable_dir(candidates, "descent")


def _try_v1(mounts, own) -> Backend | None:
    bases = {}
    for controller in ("memory", "pids"):
        base = _v1_base(mounts, own, controller)
        if base is None:
            return None
        bases[controller] = base
    cpu = _v1_base(mounts, own, "cpu")
    if cpu is not None and os.path.exists(f"{cpu}/cpu.cfs_quota_us"):
        bases["cpu"] = cpu
    return _V1(bases, cpu="cpu" in bases)


def detect(root: bool) -> Backend:
    """The best backend this process can use. `root` says whether it is real root (in the
    initial user namespace); in a user namespace only a delegated v2 cgroup can serve."""
    try:
        mounts, own = _mounts(), _own_cgroup_paths()
    except OSError:
        return Backend()
    found = _try_v2(mounts, own, root)
    if found is None and root:
        found = _try_v1(mounts, own)
    return found or Backend()


class RunCgroup:
    """One run's cgroup: a directory per v1 controller, or the one v2 directory (key "")."""

    def __init__(self, kind: str, dirs: dict[str, str]):
        self.kind = kind
        self.dirs = dirs

    @property
    def _memory(self) -> str:
        return self.dirs.get("memory") or self.dirs[""]

    def apply_limits(self, memory_bytes: int, pids: int, cpus: float) -> None:
        memory = self._memory
        if self.kind == "cgroup-v1":
            linux.write_file(f"{memory}/memory.limit_in_bytes", str(memory_bytes))
            # Without a memsw limit a run could push its pages into swap and keep growing.
            if os.path.exists(f"{memory}/memory.memsw.limit_in_bytes"):
                linux.write_file(f"{memory}/memory.memsw.limit_in_bytes", str(memory_bytes))
            linux.write_file(f"{self.dirs['pids']}/pids.max", str(pids))
            cpu = self.dirs.get("cpu")
            if cpu is not None:
                # A new cgroup's period is the kernel's default, CPU_PERIOD_US: one write
                # fewer on the zygote's loop.
                linux.write_file(f"{cpu}/cpu.cfs_quota_us", str(cpu_quota_us(cpus)))
        else:
            linux.write_file(f"{memory}/memory.max", str(memory_bytes))
            if os.path.exists(f"{memory}/memory.swap.max"):
                linux.write_file(f"{memory}/memory.swap.max", "0")
            linux.write_file(f"{memory}/pids.max", str(pids))
            if os.path.exists(f"{memory}/cpu.max"):
                linux.write_file(f"{memory}/cpu.max", f"{cpu_quota_us(cpus)} {CPU_PERIOD_US}")

    def join(self) -> None:
        """Move the calling process in; "0" means "me" even from inside a new pid namespace,
        where our own pid would name some other process on the host."""
        for d in self.dirs.values():
            linux.write_file(f"{d}/cgroup.procs", "0")

    def stats(self) -> RunStats:
        stats = RunStats()
        memory = self._memory
        try:
            if self.kind == "cgroup-v1":
                control = linux.read_file(f"{memory}/memory.oom_control")
                stats.peak_kb = int(linux.read_file(f"{memory}/memory.max_usage_in_bytes")) // 1024
            else:
                control = linux.read_file(f"{memory}/memory.events")
                if os.path.exists(f"{memory}/memory.peak"):
                    stats.peak_kb = int(linux.read_file(f"{memory}/memory.peak")) // 1024
            for line in control.splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    stats.oom_kills = int(value)
        except (OSError, ValueError):
            pass
        return stats

    def destroy(self, patience: float = 2.0) -> bool:
        """Kill anything left and remove the directories; True when all are gone."""
        deadline = time.monotonic() + patience
        remaining = list(self.dirs.values())
        while remaining:
            for d in list(remaining):
                try:
                    for pid in linux.read_file(f"{d}/cgroup.procs").split():
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(int(pid), signal.SIGKILL)
                    os.rmdir(d)
                    remaining.remove(d)
                except FileNotFoundError:
                    remaining.remove(d)
                except OSError as exc:
                    if exc.errno != errno.EBUSY:
                        remaining.remove(d)
            if remaining:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.005)
        return True


def cpu_quota_us(cpus: float) -> int:
    # The kernel refuses quotas under 1 ms.
    return max(1000, int(cpus * CPU_PERIOD_US))
