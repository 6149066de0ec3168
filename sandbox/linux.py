"""Thin wrappers over the Linux calls Python 3.11's `os` module lacks.

Every symbol is resolved when this module is imported, which happens in the zygote: a jailed
child must not need to open any shared library after its root has been replaced.
"""

from __future__ import annotations

import ctypes
import os
import struct

_libc = ctypes.CDLL(None, use_errno=True)

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWTIME = 0x00000080
NAMESPACE_FLAGS = (
    CLONE_NEWNS
    | CLONE_NEWCGROUP
    | CLONE_NEWUTS
    | CLONE_NEWIPC
    | CLONE_NEWUSER
    | CLONE_NEWPID
    | CLONE_NEWNET
)

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MS_STRICTATIME = 1 << 24
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_SECCOMP = 22
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_MODE_FILTER = 2

_SYS_PIVOT_ROOT = 155  # x86_64; the jail refuses to start on other architectures.
_SYS_CAPSET = 126
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

for _name in ("unshare", "prctl", "syscall"):
    getattr(_libc, _name).restype = ctypes.c_int
_libc.mount.argtypes = (
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_char_p,
)
_libc.mount.restype = ctypes.c_int
_libc.umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)
_libc.umount2.restype = ctypes.c_int
_libc.prctl.argtypes = (
    ctypes.c_int,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
)
_libc.unshare.argtypes = (ctypes.c_int,)
_libc.setns.argtypes = (ctypes.c_int, ctypes.c_int)
_libc.setns.restype = ctypes.c_int


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def _b(value: str | None) -> bytes | None:
    return None if value is None else os.fsencode(value)


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def enter_user_namespace(inner: int, outer_uid: int, outer_gid: int) -> None:
    """unshare(CLONE_NEWUSER) and map `inner` onto the caller's uid and gid, the one mapping
    an unprivileged process may write (gid_map only once setgroups is denied). The caller
    must be single-threaded."""
    unshare(CLONE_NEWUSER)
    write_file("/proc/self/setgroups", "deny")
    write_file("/proc/self/uid_map", f"{inner} {outer_uid} 1")
    write_file("/proc/self/gid_map", f"{inner} {outer_gid} 1")


def setns(fd: int, nstype: int) -> None:
    _check(_libc.setns(fd, nstype), "setns")


def mount(
    source: str | None, target: str, fstype: str | None, flags: int = 0, data: str | None = None
) -> None:
    _check(_libc.mount(_b(source), _b(target), _b(fstype), flags, _b(data)), f"mount {target}")


def umount2(target: str, flags: int) -> None:
    _check(_libc.umount2(_b(target), flags), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    _check(
        _libc.syscall(_SYS_PIVOT_ROOT, _b(new_root), _b(put_old)),
        "pivot_root",
    )


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    return _check(_libc.prctl(option, arg2, arg3, arg4, arg5), f"prctl({option})")


def set_parent_death_signal(sig: int) -> None:
    prctl(PR_SET_PDEATHSIG, sig)


def drop_capability_bounding_set(last_cap: int) -> None:
    for cap in range(last_cap + 1):
        prctl(PR_CAPBSET_DROP, cap)


def clear_capabilities() -> None:
    """Empty the effective, permitted and inheritable sets. Needed in a user namespace that
    maps no uid 0: there setresuid to a non-zero uid does not clear what the namespace's
    creator was given, because nobody there counts as root."""
    header = (ctypes.c_uint32 * 2)(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(_libc.syscall(_SYS_CAPSET, header, data), "capset")


def set_no_new_privs() -> None:
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def set_dumpable(flag: bool) -> None:
    prctl(PR_SET_DUMPABLE, int(flag))


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint32),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


class SeccompProgram:
    """A classic-BPF seccomp program, prepared in the zygote and installed in a child with a
    single prctl: compiling the filter per run would cost more than the rest of the jail."""

    def __init__(self, bpf: bytes):
        if not bpf or len(bpf) % 8:
            raise ValueError("BPF program must be a non-empty multiple of 8 bytes")
        count = len(bpf) // 8
        self._insns = (_SockFilter * count)()
        for i, (code, jt, jf, k) in enumerate(struct.iter_unpack("=HBBI", bpf)):
            self._insns[i] = _SockFilter(code, jt, jf, k)
        self._prog = _SockFprog(count, self._insns)
        self.instructions = count

    def install(self) -> None:
        _check(
            _libc.prctl(
                PR_SET_SECCOMP,
                SECCOMP_MODE_FILTER,
                ctypes.addressof(self._prog),
                0,
                0,
            ),
            "seccomp",
        )


def close_fds_except(keep: set[int]) -> None:
    low = 0
    for fd in sorted(keep):
        if fd > low:
            os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 20)


def write_file(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def read_file(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()
