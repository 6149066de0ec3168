"""Isolated, fast execution of untrusted Python + numpy for the grading engine.

No Django here: the package is used and tested on its own. The grading engine generates
inputs, calls student functions through a `Session`, and judges the returned plain data
itself, outside the jail. Nothing a submission prints, writes or returns can act as anything
but its answer.

Usage::

    sb = Sandbox()                      # one per worker process; starts the zygote lazily
    sb.require_isolation()              # runs the self-test once; raises SandboxUnavailable
    with sb.session(limits=Limits(cpu_s=5, wall_s=10, memory_mb=256)) as s:
        loaded = s.load(source, filename="submission.py")     # LoadResult
        r = s.call("mse_loss", args=[a, b], timeout=2.0)        # CallResult, or RunEnded
        h = s.call("Value", args=[2.0]).value                   # Handle to an object in the jail
        s.op("mul", h, 3.0); s.getattr(h, "grad"); s.method(h, "backward")
    s.outcome                           # RunOutcome: status, exit code, stdout, cpu, memory, ...

Two modes
---------
* Root mode (the worker is root): the zygote builds jails directly; each run gets a uid of
  its own (200000 + C2's pid) and a cgroup (v2, or v1 memory + pids + cpu).
* User-namespace mode (any other uid; no capability needed): the zygote first unshares a
  user namespace mapping just the worker's uid and gid to 0 (uid_map "0 <uid> 1",
  setgroups deny, gid_map "0 <gid> 1"), plus pid and mount namespaces with a fresh /proc
  (root of a user namespace may setns back only into a pid namespace that namespace owns);
  the process the worker started stays behind as a stub that waits for it. From there it
  builds jails as in root mode. Every uid of a run maps to the worker's host uid, so each
  C2, after building its root, unshares a nested user namespace in which it is uid 1000
  (mapped onto the zygote namespace's 0), drops the capability sets explicitly (no uid 0
  exists there, so setresuid clears nothing) and so holds no capability anywhere. Limits
  come from a delegated cgroup v2 subtree when the worker's own cgroup is writable with
  memory + pids (+ cpu) available, else from rlimits: RLIMIT_DATA for memory and
  RLIMIT_NPROC for processes, which the kernel counts per (user namespace, uid), so per
  run. Without a cgroup cpu controller there is no CPU quota: each run is one scheduler
  autogroup (its own session; setsid is denied inside) at nice 19.

`python -m sandbox selftest` reports the mode, the limits backend and how each limit is
enforced, and refuses (SandboxUnavailable, with the reason) when a jail cannot be built or a
required limit does not hold; see docs/deployment.md for what each mode needs from the host.

Process tree
------------
::

    worker (trusted, may be multi-threaded)
     └─ [stub]        user-namespace mode only: the process the worker started, waiting
        │             for the zygote, its only child, and exiting with its status
        └─ zygote     python -s -S -P, empty environment but single-threaded BLAS settings and
           │          PYTHONHASHSEED=0; imports numpy and the runner once; single-threaded;
           │          holds no checks, solutions or secrets. Talks to the worker over a
           │          SOCK_SEQPACKET socketpair. Root (real, or of its user namespace); the
           │          supervisor of every run: creates its cgroup (memory, pids, cpu quota)
           │          under a name no other zygote can hold (random token + counter, claimed
           │          by mkdir), enforces the wall-clock deadline, collects exit status,
           │          rusage and cgroup OOM/peak memory, reports a JSON status to the worker
           │          on the run's own socket and removes the cgroup.
           └─ C2      pid 1 of a new pid namespace (forked after the zygote unshares
                      CLONE_NEWPID, which it then undoes for itself with setns): when it exits
                      the kernel kills every process the run started. PR_SET_PDEATHSIG(SIGKILL).
                      Joins the cgroup, unshares mount, cgroup, net, ipc and uts namespaces,
                      starts a session of its own (at nice 19 when there is no CPU quota),
                      builds the jail (below), (user-
                      namespace mode: enters its own user namespace), drops privileges, loads
                      seccomp, then serves requests as the runner, in the same process as the
                      student.

C2 is forked one run ahead ("the spare") and builds the whole jail, down to seccomp, before
anyone asks for a run; it then also takes the runner's request path once on dummy data so its
copy-on-write faults are paid early. A spawn hands the run's fds and limits to the waiting
C2 only after the zygote has set the run's cgroup limits; C2 lowers its rlimits to the
requested values and starts serving. The zygote forks the next spare after replying. A spare
is built with rlimits at least as loose as any run seen so far and is discarded only when a
run asks for a different tmpfs size or looser rlimits. The zygote holds the jail's namespaces
open until the status is sent, so their teardown is off the critical path; it kills a run on
request (`kill`), at its deadline or when the worker goes away, and kills all of them when its
worker goes away. Nothing in its loop blocks on the kernel: moving into a cgroup (which can
wait for an RCU grace period) and creating a network namespace (which can wait behind the
teardown of earlier ones) are C2's own first steps.

The jail (C2)
-------------
* Mounts: everything made private, then a new root on a 1 MiB tmpfs holding read-only,
  nosuid, nodev bind mounts (keeping whatever flags the kernel locked on the source mount,
  as a user namespace requires) of exactly: the interpreter prefix (``sys.base_prefix``, at its
  own path, parents created 0755 since the host's /root is 0700), numpy and numpy.libs
  (at /opt/descent/site-packages: the project and its venv may live under /work, which in
  the jail is the student's), /usr/lib, /usr/lib64 (and the /lib, /lib64 symlinks),
  /etc/ld.so.cache, /dev/{null,zero,urandom,random}, a fresh /proc (subset=pid; the new pid
  namespace shows only the run) and /work, a private size-capped tmpfs (nosuid, nodev,
  noexec, owned by the run's uid) that is the working directory; /tmp links to it.
  pivot_root, the old root detached, the new root remounted read-only. The zygote rewrote
  numpy's module paths once so its lazily imported submodules load from the new place.
* Hostname "sandbox". rlimits: CPU (soft = hard, because pid 1 ignores SIGXCPU), FSIZE,
  NOFILE, CORE 0, STACK, NPROC (per uid in a user namespace; each run has its own uid or
  its own user namespace), MEMLOCK, MSGQUEUE, NICE 0; RLIMIT_DATA only when no cgroup is
  writable, never RLIMIT_AS (OpenBLAS reserves address space it never touches).
* fds: exactly 0 requests, 1 stdout, 2 stderr, 3 responses.
* Privileges: capability bounding set emptied, setgroups([]) (root mode), setresgid/
  setresuid to 200000 + C2's host pid (root mode) or to 1000 in the run's own user
  namespace, capability sets emptied, PR_SET_NO_NEW_PRIVS.
* seccomp (compiled once in the zygote, installed with one prctl): default allow; EPERM for
  socket/socketpair (any family), ptrace, process_vm_*, pidfd_getfd, kcmp, namespace and
  mount calls (unshare, setns, mount, umount2, pivot_root, chroot, the new mount API,
  open_by_handle_at, statmount, listmount), io_uring, bpf, perf_event_open, userfaultfd,
  keyctl family, personality, modify_ldt, module and kexec calls, clock setting, what
  observes the host (inotify, fanotify_mark, mincore and cachestat on the page cache,
  name_to_handle_at), memfd_secret, setsid (a session is a scheduler autogroup), clone with any
  namespace flag; ENOSYS for clone3 (its flags are out of seccomp's reach; glibc falls back
  to clone); TIOCSTI/TIOCLINUX ioctls; any non-x86_64 syscall ABI kills the process.

What each layer stops
---------------------
* pid namespace + pid 1: leftover processes, daemons, fork bombs outliving the run; seeing or
  signalling anything outside the run.
* net namespace + seccomp socket ban: the database, Redis, the internet, abstract Unix
  sockets, and other runs.
* mount namespace + new root: the project, course content, reference solutions, home
  directories, host /tmp, other runs' files; all of the run's files vanish with it.
* uid per run (root mode) or user namespace per run (user-namespace mode) + no
  capabilities + no_new_privs: touching anything root owns, setuid binaries; NPROC counts
  this run only. In user-namespace mode a run has the worker's host uid: the pid namespace
  and its own session keep it from naming, and so signalling, anything outside the run, and
  the mount namespace from reaching the worker's files.
* seccomp: the kernel interfaces that have produced escapes (user namespaces, io_uring, bpf,
  ptrace, keyrings, ...), so a kernel bug there is not reachable.
* cgroup: memory (OOM kill is reported as "memory"), process count and a CPU quota
  (`Limits.cpus`, one CPU by default: 24 spinning processes cannot slow the other runs);
  the worker's and zygote's own limits still bound the whole. Without one: RLIMIT_DATA,
  RLIMIT_NPROC, and one autogroup per run at nice 19.
* Worker-side framing and caps: forged, oversized or out-of-turn frames end the run; stdout
  and stderr are read concurrently and capped (a flood ends the run as "output_limit").

Protocol
--------
Frames on the request/response pipes (see `sandbox.codec`): 4-byte big-endian header length,
a JSON header, then raw little-endian array payloads (f8, i8, b1) listed in the header. Values
are None, bool, int, float (NaN/inf allowed), str, list, tuple, dict with str keys, arrays
and handles; decoding never builds anything else and never unpickles. Caps: requests
`Limits.request_bytes` (64 MiB), responses `Limits.result_bytes` (16 MB), nesting depth 64;
what decoding a response costs is bounded before the work is done: a header of at most
4 MiB, numbers of at most 1,000 digits, 500,000 parts per frame, and for a whole run
300,000 parts and 64 MiB of array payloads (`client.RUN_PARTS`, `RUN_BYTES`); past them
the run ends as "output_limit" or a protocol violation. Every decoded string, stdout and
stderr is clean text (`sandbox.text`: NUL, control characters and lone surrogates
replaced), so nothing from a run breaks storage or a page.

The runner signals {"id": 0, "status": "ready"}, then answers each request with one frame
with the same id:

* ``load {source, filename}`` -> ok + names (kind function/class/other; parameters as
  inspect shows them, "lr=0.1", and their bare names), syntax_error (line, offset, message)
  or error (exception while executing the module).
* ``call {target_name | target: handle, method?, args, kwargs, keep, return_args}``; args may
  hold handles and named test functions (`sandbox.testfns`), whose evaluation counts come
  back in ``fn_calls``. Results that are not plain data come back as handles.
* ``getattr {target_name | target, name}``; ``op {name, args}`` with add sub mul truediv
  pow neg radd rsub rmul rtruediv (through `operator`, so reflected operators work with
  plain numbers).
* ``exit``.

The student shares the runner's process and can write any frame to fd 3. A frame with the
id of the outstanding request is taken as that request's answer, which is no more than the
student could return anyway; any other frame, a malformed one, or one over the cap ends the
run ("crashed" with a protocol violation, or "output_limit").

Student exceptions come back as error {type, message (capped), traceback with only the
student's own frames}. SystemExit ends the run ("crashed" with its code), MemoryError ends
it as "memory". Calls that never return hit the per-call timeout: the worker kills the run
and raises RunEnded with status "timeout".

Source over 64 KiB or not UTF-8 is rejected before any process is spawned
(LoadResult status "rejected").
"""

from sandbox.client import Sandbox, Session, isolated_sandbox, shared_sandbox
from sandbox.codec import FunctionRef, Handle, ProtocolError
from sandbox.limits import MAX_SOURCE_BYTES, Limits, SourceRejected, check_source
from sandbox.results import (
    CallResult,
    ErrorInfo,
    LoadResult,
    NameInfo,
    RunEnded,
    RunOutcome,
    SandboxUnavailable,
    SelfTestReport,
)

__all__ = [
    "MAX_SOURCE_BYTES",
    "CallResult",
    "ErrorInfo",
    "FunctionRef",
    "Handle",
    "Limits",
    "LoadResult",
    "NameInfo",
    "ProtocolError",
    "RunEnded",
    "RunOutcome",
    "Sandbox",
    "SandboxUnavailable",
    "SelfTestReport",
    "Session",
    "SourceRejected",
    "check_source",
    "isolated_sandbox",
    "shared_sandbox",
]
