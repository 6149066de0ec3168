"""Turning a freshly forked C2 (pid 1 of new namespaces, still root) into the jail.

`make_plan` runs once in the zygote and precomputes everything that does not depend on the
run (which paths to bind, the compiled seccomp program, the module paths to rewrite), so that
`prepare` and `finish` are a short, fixed list of system calls.

"Root" here is either real root (root mode) or root of the zygote's user namespace
(user-namespace mode, see `sandbox.zygote`). In user-namespace mode every uid of the run maps
to the worker's own uid, so a run cannot be told apart by its uid: `finish` gives it a
nested user namespace of its own instead, in which it is `INNER_UID` and holds no
capability anywhere.
"""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import socket
import sys
from dataclasses import dataclass, field

from sandbox import linux
from sandbox.cgroups import RunCgroup
from sandbox.limits import Limits

HOSTNAME = "sandbox"
WORKDIR = "/work"
# numpy is bound here rather than at its host path: the project (and so the venv) may live
# under /work, which inside the jail is the student's scratch space.
JAIL_SITE = "/opt/descent/site-packages"
DEVICES = ("null", "zero", "urandom", "random")
LIBRARY_DIRS = ("/lib", "/lib64", "/usr/lib", "/usr/lib64")
EXTRA_FILES = ("/etc/ld.so.cache",)
# A run's uid inside its own user namespace (user-namespace mode). It maps onto the zygote's
# namespace root, i.e. the worker's uid on the host; no other uid exists in there.
INNER_UID = 1000
# Scheduler niceness of runs without a cgroup CPU quota: the worker's own work wins.
JAIL_NICE = 19

# Syscalls a numpy grading run never needs and that each open a door out of the jail or into
# the kernel's less-travelled code. Default is allow: a deny-list stays compatible with
# whatever numpy and CPython call internally, and the namespaces, dropped privileges and
# capabilities already refuse most of these; seccomp is the layer that still holds if one of
# those is misconfigured or a kernel bug is reachable through them.
DENIED_SYSCALLS = (
    # network: no sockets at all, not even AF_UNIX (abstract sockets cross mount namespaces)
    "socket",
    "socketpair",
    # looking into or controlling other processes
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "pidfd_getfd",
    "kcmp",
    # namespaces and filesystems
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "open_by_handle_at",
    "name_to_handle_at",
    "quotactl",
    "quotactl_fd",
    # observing the host: mount tables of other namespaces, file events on bound host
    # directories (when graders or other runs touch them), the page cache (mincore and
    # cachestat tell which host files were read recently: a side channel across runs)
    "statmount",
    "listmount",
    "inotify_init",
    "inotify_init1",
    "inotify_add_watch",
    "fanotify_mark",
    "mincore",
    "cachestat",
    # memory the kernel hides even from itself; no use here and a large, young interface
    "memfd_secret",
    # a new session is a new scheduler autogroup, weighted like a whole desktop session:
    # 24 processes in 24 sessions would take 24 shares of the CPU where no cgroup quota holds
    "setsid",
    # large kernel attack surface with no use here
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "personality",
    "modify_ldt",
    "fanotify_init",
    "lookup_dcookie",
    "move_pages",
    "migrate_pages",
    # host administration
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "syslog",
    "vhangup",
    "iopl",
    "ioperm",
    "uselib",
    "ustat",
    "sysfs",
    "_sysctl",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "nfsservctl",
)
# x86_64 numbers of denied syscalls that an older libseccomp cannot resolve by name.
SYSCALL_NUMBERS = {"memfd_secret": 447, "cachestat": 451, "statmount": 457, "listmount": 458}
TIOCSTI = 0x5412
TIOCLINUX = 0x541C


def build_seccomp_program() -> linux.SeccompProgram:
    # Imported where a filter is built (in the zygote, before the spare's jail is
    # finished), so a process that only drives sessions never loads libseccomp.
    import pyseccomp as sc

    flt = sc.SyscallFilter(sc.ALLOW)
    # Syscalls made through another ABI (int 0x80, x32) bypass a filter written for x86_64.
    flt.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    flt.set_attr(sc.Attr.CTL_NNP, 0)
    eperm = sc.ERRNO(errno.EPERM)
    for name in DENIED_SYSCALLS:
        if sc.resolve_syscall(sc.Arch.NATIVE, name) >= 0:
            flt.add_rule(eperm, name)
        elif name in SYSCALL_NUMBERS:
            flt.add_rule(eperm, SYSCALL_NUMBERS[name])
    # clone can create namespaces (unprivileged user namespaces would hand the student a new
    # set of capabilities), so refuse it when any namespace bit is set. clone3 passes its flags
    # in memory seccomp cannot read; ENOSYS makes glibc fall back to clone for threads.
    for bit in range(32):
        flag = 1 << bit
        if flag & linux.NAMESPACE_FLAGS:
            flt.add_rule(eperm, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    flt.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    for request in (TIOCSTI, TIOCLINUX):
        flt.add_rule(eperm, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, request))
    fd = os.memfd_create("seccomp-bpf")
    try:
        with os.fdopen(os.dup(fd), "wb", buffering=0) as f:
            flt.export_bpf(f)
        size = os.lseek(fd, 0, os.SEEK_END)
        bpf = os.pread(fd, size, 0)
    finally:
        os.close(fd)
    return linux.SeccompProgram(bpf)


@dataclass
class Bind:
    source: str
    target: str
    is_file: bool = False
    writable: bool = False


@dataclass
class JailPlan:
    staging: str
    binds: list[Bind] = field(default_factory=list)
    symlinks: list[tuple[str, str]] = field(default_factory=list)
    sys_path: list[str] = field(default_factory=list)
    relocate_from: str = ""
    relocate_to: str = ""
    seccomp: linux.SeccompProgram | None = None
    last_cap: int = 40
    # User-namespace mode: each run gets a nested user namespace (see `finish`).
    userns: bool = False
    # No cgroup CPU quota: runs yield to the worker's own work at JAIL_NICE instead. (With a
    # quota each run is alone in its cpu cgroup, where niceness would change nothing but
    # its standing against unrelated work on a shared host.)
    nice: bool = True


def make_plan(staging: str, userns: bool = False) -> JailPlan:
    # Only for where numpy is installed (bound into the jail); imported here so that
    # importing this module costs nothing in processes that never build a jail.
    import numpy

    if os.uname().machine != "x86_64":
        raise RuntimeError("the jail's seccomp policy is written for x86_64 only")
    plan = JailPlan(staging=staging, userns=userns)
    base = os.path.realpath(sys.base_prefix)
    plan.binds.append(Bind(base, base))

    numpy_dir = os.path.dirname(numpy.__file__)
    site = os.path.dirname(numpy_dir)
    if os.path.realpath(site).startswith(base + os.sep):
        jail_site = site
    else:
        plan.relocate_from, plan.relocate_to = site, JAIL_SITE
        jail_site = JAIL_SITE
        for name in ("numpy", "numpy.libs"):
            host = os.path.join(site, name)
            if os.path.isdir(host):
                plan.binds.append(Bind(os.path.realpath(host), os.path.join(JAIL_SITE, name)))

    for path in LIBRARY_DIRS:
        if os.path.islink(path):
            plan.symlinks.append((path, os.readlink(path)))
        elif os.path.isdir(path):
            plan.binds.append(Bind(path, path))
    for path in EXTRA_FILES:
        if os.path.isfile(path):
            plan.binds.append(Bind(path, path, is_file=True))
    for name in DEVICES:
        path = f"/dev/{name}"
        if os.path.exists(path):
            plan.binds.append(Bind(path, path, is_file=True, writable=True))

    # Only the standard library and numpy stay importable; the project and the rest of the
    # venv are not in the jail at all.
    stdlib_prefixes = (base + os.sep, sys.base_prefix + os.sep)
    plan.sys_path = [p for p in sys.path if p.startswith(stdlib_prefixes)]
    plan.sys_path.append(jail_site)
    plan.seccomp = build_seccomp_program()
    try:
        plan.last_cap = int(linux.read_file("/proc/sys/kernel/cap_last_cap"))
    except (OSError, ValueError):
        plan.last_cap = 63
    return plan


def _mkdirs(root: str, path: str) -> str:
    """Create `path` under `root`, every component 0755: the host's /root is 0700, and the
    dropped user must be able to walk down to the interpreter bound below it."""
    current = root
    for part in path.strip("/").split("/"):
        current = os.path.join(current, part)
        with contextlib.suppress(FileExistsError):
            os.mkdir(current, 0o755)
    return current


# statvfs flags of a mount that a bind remount in a user namespace must keep: the kernel
# locks them on mounts inherited from a more privileged namespace and refuses (EPERM) a
# remount that would clear one.
_LOCKED_FLAGS = (
    (os.ST_RDONLY, linux.MS_RDONLY),
    (os.ST_NOSUID, linux.MS_NOSUID),
    (os.ST_NODEV, linux.MS_NODEV),
    (os.ST_NOEXEC, linux.MS_NOEXEC),
    (os.ST_NOATIME, linux.MS_NOATIME),
    (os.ST_NODIRATIME, linux.MS_NODIRATIME),
    (os.ST_RELATIME, linux.MS_RELATIME),
)


def _kept_flags(path: str) -> int:
    have = os.statvfs(path).f_flag
    flags = 0
    for st_flag, ms_flag in _LOCKED_FLAGS:
        if have & st_flag:
            flags |= ms_flag
    if not flags & (linux.MS_NOATIME | linux.MS_RELATIME):
        # Neither: the source uses strictatime, which must be asked for by name.
        flags |= linux.MS_STRICTATIME
    return flags


def _bind(root: str, bind: Bind) -> None:
    parent = _mkdirs(root, os.path.dirname(bind.target))
    target = os.path.join(parent, os.path.basename(bind.target))
    if bind.is_file:
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
    else:
        _mkdirs(root, bind.target)
    linux.mount(bind.source, target, None, linux.MS_BIND)
    flags = linux.MS_BIND | linux.MS_REMOUNT | linux.MS_NOSUID | _kept_flags(target)
    # The device nodes stay writable (writing to /dev/null is normal) but not executable.
    flags |= linux.MS_NOEXEC if bind.writable else linux.MS_RDONLY | linux.MS_NODEV
    linux.mount(None, target, None, flags)


def _mount_proc(root: str) -> None:
    proc = _mkdirs(root, "/proc")
    proc_flags = linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC
    try:
        # subset=pid leaves out /proc/sys, /proc/kcore and the other system-wide files.
        linux.mount("proc", proc, "proc", proc_flags, "subset=pid")
        return
    except OSError:
        pass
    try:
        linux.mount("proc", proc, "proc", proc_flags)
    except PermissionError:
        # In a user namespace the kernel mounts a new proc only where the existing one is
        # fully visible ("mount_too_revealing"); a container that masks parts of /proc
        # (Docker's default) refuses it. The run must not go without /proc silently: the
        # self-test and the attack suite rely on it showing only the run.
        raise PermissionError(
            errno.EPERM,
            "cannot mount /proc in the jail: the kernel refused a new proc mount because "
            "this /proc is partly masked (containers: security_opt systempaths=unconfined; "
            "see docs/deployment.md)",
        ) from None


def _build_root(plan: JailPlan) -> None:
    root = plan.staging
    nodev = linux.MS_NOSUID | linux.MS_NODEV
    # Private first: nothing mounted from here on may propagate back to the host.
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    linux.mount("tmpfs", root, "tmpfs", nodev, "size=1m,nr_inodes=512,mode=755")
    for bind in plan.binds:
        _bind(root, bind)
    for path, target in plan.symlinks:
        parent = _mkdirs(root, os.path.dirname(path))
        os.symlink(target, os.path.join(parent, os.path.basename(path)))
    _mount_proc(root)
    _mkdirs(root, WORKDIR)
    os.symlink(WORKDIR, os.path.join(root, "tmp"))
    os.chdir(root)
    # pivot_root(".", ".") stacks the old root under the new one; detaching it then leaves
    # no path back to the host filesystem.
    linux.pivot_root(".", ".")
    linux.umount2(".", linux.MNT_DETACH)
    os.chdir("/")
    linux.mount(None, "/", None, linux.MS_BIND | linux.MS_REMOUNT | linux.MS_RDONLY | nodev)


def _mount_workdir(limits: Limits, uid: int) -> None:
    # Mounting over a directory of the read-only root is allowed; writing into it is not.
    linux.mount(
        "tmpfs",
        WORKDIR,
        "tmpfs",
        linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC,
        f"size={int(limits.tmpfs_mb)}m,nr_inodes=4096,mode=700,uid={uid},gid={uid}",
    )
    os.chdir(WORKDIR)


def relocate_modules(plan: JailPlan) -> None:
    """Point the imported numpy modules at the paths numpy is bound to in the jail, so its
    lazily imported submodules still load there. Done once in the zygote, which imports
    nothing more afterwards: per run it would cost milliseconds of copy-on-write faults."""
    sys.path[:] = plan.sys_path
    sys.path_importer_cache.clear()
    old, new = plan.relocate_from, plan.relocate_to
    if not old:
        return
    prefix = old + os.sep
    for module in list(sys.modules.values()):
        # Through __dict__: getattr would run numpy's module-level __getattr__ hooks.
        attrs = getattr(module, "__dict__", {})
        path = attrs.get("__path__")
        if type(path) is list:
            path[:] = [new + p[len(old) :] if p.startswith(prefix) else p for p in path]
        filename = attrs.get("__file__")
        if type(filename) is str and filename.startswith(prefix):
            attrs["__file__"] = new + filename[len(old) :]


def tighten(limits: Limits, memory_fallback: bool) -> None:
    """Lower the rlimits of a jail built for looser ones; allowed without privileges."""
    _set_rlimits(limits, memory_fallback)


def _set_rlimits(limits: Limits, memory_fallback: bool) -> None:
    def cap(which: int, value: int) -> None:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))

    # soft == hard: pid 1 ignores SIGXCPU (no handler), so only the hard limit's SIGKILL acts.
    cap(resource.RLIMIT_CPU, max(1, int(limits.cpu_s + 0.999)))
    cap(resource.RLIMIT_FSIZE, int(limits.tmpfs_mb) * 1024 * 1024)
    cap(resource.RLIMIT_NOFILE, int(limits.open_files))
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_STACK, int(limits.stack_mb) * 1024 * 1024)
    # Counted per real uid within a user namespace, and every run has its own uid (root mode)
    # or its own user namespace (user-namespace mode), so this is a per-run limit.
    cap(resource.RLIMIT_NPROC, int(limits.pids))
    cap(resource.RLIMIT_MEMLOCK, 64 * 1024)
    cap(resource.RLIMIT_MSGQUEUE, 0)
    # No raising of priority back above JAIL_NICE (RLIMIT_NICE 0 means a ceiling of nice 20).
    cap(resource.RLIMIT_NICE, 0)
    if memory_fallback:
        # RLIMIT_DATA, never RLIMIT_AS: OpenBLAS reserves large address ranges it never
        # touches. The inherited data segment is the zygote's, so the allowance goes on top.
        status = linux.read_file("/proc/self/status")
        data_kb = next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmData:")),
            0,
        )
        cap(resource.RLIMIT_DATA, (data_kb * 1024) + int(limits.memory_mb) * 1024 * 1024)


def _enter_run_user_namespace() -> None:
    """User-namespace mode: a user namespace of the run's own, in which it is INNER_UID,
    mapped onto the zygote namespace's root (the one uid that namespace has). Created after
    the root is built and before the rlimits are lowered: the kernel counts RLIMIT_NPROC
    per (user namespace, uid), so the run's processes are counted apart from every other
    run's, and it caps the level above by the RLIMIT_NPROC in force at creation, which must
    not be the run's own (it would count all runs of the zygote together)."""
    linux.enter_user_namespace(INNER_UID, 0, 0)


def _drop_privileges(plan: JailPlan, uid: int) -> None:
    # In a new user namespace the kernel hands out a full bounding set again: dropped here,
    # after `_enter_run_user_namespace`.
    linux.drop_capability_bounding_set(plan.last_cap)
    if not plan.userns:
        # (Refused in a user namespace with setgroups "deny"; the zygote's namespace already
        # has no groups to drop beyond the worker's own, which the self-test checks.)
        os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    linux.clear_capabilities()
    if os.getuid() == 0 or os.geteuid() == 0:
        raise OSError(errno.EPERM, "still root after setresuid")
    # Changing uid cleared "dumpable", which would make /proc/1 root-owned and unreadable to
    # the run itself; nothing in this process is secret from the student.
    linux.set_dumpable(True)
    linux.set_no_new_privs()


LIFELINE_FD = 4


def arrange_fds(fds: tuple[int, int, int, int], lifeline: int) -> None:
    """Requests on 0, student stdout on 1, stderr on 2, responses on 3, the lifeline to the
    zygote on 4, and nothing else: every other fd the zygote held is closed."""
    # Park every fd above the low numbers first, so no dup2 overwrites one still needed.
    parked = [os.dup(fd) for fd in (*fds, lifeline)]
    for target, fd in enumerate(parked[:4]):
        os.dup2(fd, target)
    os.dup2(parked[4], LIFELINE_FD, inheritable=False)
    linux.close_fds_except({0, 1, 2, 3, LIFELINE_FD})


def prepare(plan: JailPlan, cgroup: RunCgroup | None) -> None:
    """Own mount, cgroup, network, ipc and uts namespaces, new root, hostname. Still root
    afterwards."""
    if cgroup is not None:
        cgroup.join()
    linux.write_file("/proc/self/oom_score_adj", "1000")
    if plan.nice:
        os.setpriority(os.PRIO_PROCESS, 0, JAIL_NICE)
    linux.unshare(
        linux.CLONE_NEWNS
        | linux.CLONE_NEWCGROUP
        | linux.CLONE_NEWNET
        | linux.CLONE_NEWIPC
        | linux.CLONE_NEWUTS
    )
    # Its own session: kill(0) and the like reach the run's process group only (in
    # user-namespace mode the run has the worker's host uid), and a scheduler autogroup of
    # its own when autogroups are on, which all its processes share (setsid is denied), so
    # without a cgroup cpu controller a run still weighs as much as one session. (The
    # autogroup's own niceness is left alone: unprivileged, the kernel takes a change only
    # once per 100 ms system-wide, which would make runs unequal at random.)
    os.setsid()
    os.umask(0o022)
    _build_root(plan)
    socket.sethostname(HOSTNAME)


def finish(plan: JailPlan, limits: Limits, uid: int, memory_fallback: bool) -> None:
    """The limit-dependent rest. On return the process runs as `uid` without capabilities,
    under seccomp, in /work, and can only lower its limits further."""
    # In user-namespace mode the tmpfs belongs to the zygote namespace's root, which is what
    # INNER_UID maps onto.
    _mount_workdir(limits, 0 if plan.userns else uid)
    if plan.userns:
        _enter_run_user_namespace()
    _set_rlimits(limits, memory_fallback=memory_fallback)
    _drop_privileges(plan, uid)
    assert plan.seccomp is not None
    plan.seccomp.install()
    os.umask(0o077)
