"""Per-run memory and process-count limits through cgroups.

The zygote picks a backend once: cgroup v2 if a cgroup with the memory and pids controllers
can be delegated to us, otherwise the v1 memory and pids hierarchies, otherwise none (the jail
then falls back to rlimits and the self-test says so). Run cgroups are created under the
zygote's own cgroup, so whatever limits the host placed on the platform still bound them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from dataclasses import dataclass

from sandbox import linux

CGROUP_ROOT = "/sys/fs/cgroup"


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
    kind = "none"

    def create(self, name: str) -> RunCgroup | None:
        return None

    def bases(self) -> list[str]:
        return []

    def existing(self, name: str) -> RunCgroup | None:
        dirs = [os.path.join(base, name) for base in self.bases()]
        dirs = [d for d in dirs if os.path.isdir(d)]
        return RunCgroup(self.kind, dirs) if dirs else None

    def _create(self, name: str) -> RunCgroup:
        group = RunCgroup(self.kind, [os.path.join(base, name) for base in self.bases()])
        try:
            for d in group.dirs:
                try:
                    os.mkdir(d, 0o700)
                except FileExistsError:
                    # Names carry the jail's host pid, unique among live processes: this
                    # one was left by a dead jail whose pid has come round again.
                    RunCgroup(self.kind, [d]).destroy(patience=1.0)
                    os.mkdir(d, 0o700)
        except BaseException:
            group.destroy()
            raise
        return group


class _V1(Backend):
    kind = "cgroup-v1"

    def __init__(self, memory_base: str, pids_base: str):
        self.memory_base = memory_base
        self.pids_base = pids_base

    def bases(self) -> list[str]:
        return [self.memory_base, self.pids_base]

    def create(self, name: str) -> RunCgroup:
        return self._create(name)


class _V2(Backend):
    kind = "cgroup-v2"

    def __init__(self, base: str):
        self.base = base

    def bases(self) -> list[str]:
        return [self.base]

    def create(self, name: str) -> RunCgroup:
        return self._create(name)


def _try_v2(mounts) -> Backend | None:
    for point, fstype, _ in mounts:
        if fstype != "cgroup2":
            continue
        # A cgroup holding processes cannot hand controllers to children (the "no internal
        # processes" rule) unless it is the root, and the worker itself lives in its own
        # cgroup: so runs hang off the root, and only if the root offers both controllers.
        try:
            if not {"memory", "pids"} <= set(
                linux.read_file(f"{point}/cgroup.controllers").split()
            ):
                continue
            base = os.path.join(point, "descent")
            os.makedirs(base, exist_ok=True)
            linux.write_file(f"{point}/cgroup.subtree_control", "+memory +pids")
            linux.write_file(f"{base}/cgroup.subtree_control", "+memory +pids")
        except OSError:
            continue
        return _V2(base)
    return None


def _try_v1(mounts, own) -> Backend | None:
    bases = {}
    for controller in ("memory", "pids"):
        points = [p for p, fstype, opts in mounts if fstype == "cgroup" and controller in opts]
        if not points:
            return None
        point = points[0]
        candidates = [point]
        own_path = own.get(controller, "/")
        if own_path not in ("/", ""):
            candidates.insert(0, os.path.join(point, own_path.lstrip("/")))
        base = _writable_dir(candidates, "descent")
        if base is None:
            return None
        bases[controller] = base
    return _V1(bases["memory"], bases["pids"])


def detect() -> Backend:
    if os.geteuid() != 0:
        return Backend()
    try:
        mounts, own = _mounts(), _own_cgroup_paths()
    except OSError:
        return Backend()
    return _try_v2(mounts) or _try_v1(mounts, own) or Backend()


class RunCgroup:
    def __init__(self, kind: str, dirs: list[str]):
        self.kind = kind
        self.dirs = dirs

    def apply_limits(self, memory_bytes: int, pids: int) -> None:
        memory = self.dirs[0]
        if self.kind == "cgroup-v1":
            pids_dir = self.dirs[1]
            linux.write_file(f"{memory}/memory.limit_in_bytes", str(memory_bytes))
            # Without a memsw limit a run could push its pages into swap and keep growing.
            if os.path.exists(f"{memory}/memory.memsw.limit_in_bytes"):
                linux.write_file(f"{memory}/memory.memsw.limit_in_bytes", str(memory_bytes))
        else:
            pids_dir = memory
            linux.write_file(f"{memory}/memory.max", str(memory_bytes))
            if os.path.exists(f"{memory}/memory.swap.max"):
                linux.write_file(f"{memory}/memory.swap.max", "0")
        linux.write_file(f"{pids_dir}/pids.max", str(pids))

    def join(self) -> None:
        """Move the calling process in; "0" means "me" even from inside a new pid namespace,
        where our own pid would name some other process on the host."""
        for d in self.dirs:
            linux.write_file(f"{d}/cgroup.procs", "0")

    def stats(self) -> RunStats:
        stats = RunStats()
        memory = self.dirs[0]
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
        remaining = list(self.dirs)
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
