"""Worker side: starting the zygote, running sessions, and reading what comes back.

Everything read from a run (frames, stdout, stderr) is the student's to forge. This side
therefore only ever takes it as the student's answer: frames must match the outstanding
request id and the protocol shape exactly, every stream has a cap, every wait has a deadline,
and anything off-script ends the run rather than being interpreted.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from sandbox import codec, testfns
from sandbox.limits import ZYGOTE_ENV, Limits, SourceRejected, check_source
from sandbox.results import (
    CallResult,
    ErrorInfo,
    LoadResult,
    NameInfo,
    RunEnded,
    RunOutcome,
    SandboxUnavailable,
    SelfTestReport,
    Status,
)
from sandbox.runner import IOV_MAX, MAX_BATCH, MEMORY_EXIT, OPERATORS, consume
from sandbox.selftest import run_selftest
from sandbox.text import decode_output

# Value-tree nodes a run's answers may hold in all (see `codec.decode_frame(parts=)`);
# a grading needs a few thousand.
RUN_PARTS = 300_000
# Array bytes a run's answers may hold in all: a few times the result cap, far above what a
# grading (shrinking included) receives.
RUN_BYTES = 64 * 1024 * 1024

# Not -I: it implies -E, which would ignore PYTHONHASHSEED; the environment is entirely ours
# anyway. -s and -S keep user and site customisation out, -P keeps the cwd off sys.path, and
# the bootstrap puts exactly the project root and numpy's site directory on it.
_BOOTSTRAP = (
    "import sys; sys.path[:0] = sys.argv[3:]; "
    "from sandbox.zygote import main; sys.exit(main(sys.argv[1:3]))"
)
HELLO_TIMEOUT_S = 60.0
ZYGOTE_REPLY_TIMEOUT_S = 10.0
READY_TIMEOUT_S = 15.0
KILL_PATIENCE_S = 5.0
EXIT_PATIENCE_S = 2.0
FRAME_SLACK = 1024 * 1024
READ_CHUNK = 1 << 20


def _import_roots() -> list[str]:
    roots = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    for name in ("numpy", "pyseccomp"):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise SandboxUnavailable(f"{name} is not importable")
        origin = os.path.dirname(spec.origin)
        site = os.path.dirname(origin) if spec.submodule_search_locations else origin
        if site not in roots:
            roots.append(site)
    return roots


class _Zygote:
    def __init__(self, use_cgroups: bool = True, wrapper: tuple[str, ...] = ()) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.owner_pid = os.getpid()
        self.lock = threading.Lock()
        try:
            self.proc = subprocess.Popen(
                [*wrapper, sys.executable, "-s", "-S", "-P", "-c", _BOOTSTRAP, str(theirs.fileno())]
                + ["" if use_cgroups else "no-cgroups"]
                + _import_roots(),
                env=dict(ZYGOTE_ENV),
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                close_fds=True,
                pass_fds=(theirs.fileno(),),
                start_new_session=True,
            )
        finally:
            theirs.close()
        self.sock = ours
        self._closer = weakref.finalize(self, _close_zygote, self.sock, self.proc, self.owner_pid)
        hello = self._recv(HELLO_TIMEOUT_S)
        if hello is None or hello.get("status") != "hello":
            reason = (hello or {}).get("error", "zygote exited during start-up")
            self.close()
            raise SandboxUnavailable(f"zygote failed to start: {reason}")
        self.hello = hello

    def _recv(self, timeout: float) -> dict | None:
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            return None
        data = self.sock.recv(65536)
        return json.loads(data) if data else None

    def alive(self) -> bool:
        return (
            os.getpid() == self.owner_pid and self.sock.fileno() != -1 and self.proc.poll() is None
        )

    def request(self, message: dict, fds: tuple[int, ...] = ()) -> dict:
        with self.lock:
            try:
                socket.send_fds(self.sock, [json.dumps(message).encode()], list(fds))
                reply = self._recv(ZYGOTE_REPLY_TIMEOUT_S)
            except (OSError, ValueError) as exc:
                reply, error = None, f"zygote unreachable: {exc}"
            else:
                error = "zygote did not answer"
            if reply is None:
                # A late answer would be taken for the next request's: retire this zygote.
                self.close()
                raise SandboxUnavailable(error)
        return reply

    def close(self) -> None:
        self._closer()


def _close_zygote(sock: socket.socket, proc: subprocess.Popen, owner_pid: int) -> None:
    sock.close()
    if os.getpid() != owner_pid:
        # A forked copy of the worker: the zygote belongs to the parent.
        return
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Sandbox:
    """Runs untrusted code through a zygote it starts on first use (one per worker process).

    Safe to share between threads; each session belongs to one thread.
    """

    def __init__(self, *, use_cgroups: bool = True, zygote_wrapper: tuple[str, ...] = ()) -> None:
        """`use_cgroups=False` limits memory and processes with rlimits only, as happens
        anyway on hosts without a writable cgroup. `zygote_wrapper` is a command the zygote
        is started through (say ``("unshare", "--pid", "--fork", "--mount-proc")``)."""
        self.use_cgroups = use_cgroups
        self.zygote_wrapper = tuple(zygote_wrapper)
        self._zygote: _Zygote | None = None
        self._lock = threading.Lock()
        self._verified_zygote: int | None = None

    def _ensure_zygote(self) -> _Zygote:
        with self._lock:
            z = self._zygote
            if z is None or not z.alive():
                if z is not None and os.getpid() == z.owner_pid:
                    z.close()
                self._zygote = z = _Zygote(self.use_cgroups, self.zygote_wrapper)
            return z

    def info(self) -> dict[str, Any]:
        return dict(self._ensure_zygote().hello)

    def spawn(self, limits: Limits, fds: tuple[int, ...]) -> tuple[_Zygote, int]:
        for attempt in range(2):
            z = self._ensure_zygote()
            try:
                reply = z.request({"op": "spawn", "limits": limits.to_dict()}, fds)
            except SandboxUnavailable:
                if attempt:
                    raise
                continue
            if not reply.get("ok"):
                raise SandboxUnavailable(f"spawn refused: {reply.get('error')}")
            return z, int(reply["pid"])
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def session(self, limits: Limits | None = None) -> Iterator[Session]:
        s = Session(self, limits or Limits())
        try:
            yield s
        finally:
            s.close()

    def selftest(self) -> SelfTestReport:
        report = run_selftest(self)
        if report.ok:
            self._verified_zygote = self._zygote.proc.pid if self._zygote else None
        return report

    def require_isolation(self) -> SelfTestReport | None:
        """Raise SandboxUnavailable unless the self-test passes for the current zygote."""
        z = self._ensure_zygote()
        if self._verified_zygote == z.proc.pid:
            return None
        report = self.selftest()
        if not report.ok:
            raise SandboxUnavailable(report.reason)
        return report

    def close(self) -> None:
        with self._lock:
            if self._zygote is not None:
                self._zygote.close()
                self._zygote = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Run:
    """One jailed process tree, seen from the worker."""

    def __init__(self, sandbox: Sandbox, limits: Limits):
        self.limits = limits
        self.frames = codec.FrameReader(max_bytes=limits.result_bytes + FRAME_SLACK)
        # What decoding all of a run's answers may cost, whatever their number: every
        # frame is capped on its own, and a run could send as many as it is asked for.
        self.parts_left = [RUN_PARTS]
        self.bytes_left = RUN_BYTES
        self.inbox: list[Any] = []
        self.out = {"stdout": bytearray(), "stderr": bytearray()}
        self.truncated = {"stdout": False, "stderr": False}
        self.caps = {"stdout": limits.stdout_bytes, "stderr": limits.stderr_bytes}
        self.report: dict[str, Any] | None = None
        self.kill_reason: str | None = None
        self.kill_detail = ""
        self.kill_sent_at: float | None = None
        self.exit_requested = False
        self.outcome: RunOutcome | None = None
        self.next_id = 0
        self.known_handles: set[int] = set()

        req_r, self.req_w = os.pipe2(os.O_CLOEXEC)
        self.resp_r, resp_w = os.pipe2(os.O_CLOEXEC)
        self.out_r, out_w = os.pipe2(os.O_CLOEXEC)
        self.err_r, err_w = os.pipe2(os.O_CLOEXEC)
        self.status, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        for fd in (self.req_w, self.resp_r):
            with contextlib.suppress(OSError):
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
        child_ends = (req_r, resp_w, out_w, err_w, theirs.fileno())
        try:
            self.zygote, self.pid = sandbox.spawn(limits, child_ends)
        except BaseException:
            for fd in (self.req_w, self.resp_r, self.out_r, self.err_r):
                os.close(fd)
            self.status.close()
            raise
        finally:
            for fd in (req_r, resp_w, out_w, err_w):
                os.close(fd)
            theirs.close()
        for fd in (self.req_w, self.resp_r, self.out_r, self.err_r):
            os.set_blocking(fd, False)
        self.status.setblocking(False)
        self.started = time.monotonic()
        self.deadline = self.started + limits.wall_s
        self.open_fds = {
            self.resp_r: "response",
            self.out_r: "stdout",
            self.err_r: "stderr",
            self.status.fileno(): "status",
        }

        # The first request is written without waiting for "ready" (the pipe holds it until
        # the runner reads): the jail's set-up and the worker's next step overlap.
        self.awaiting_ready = True

    def _unavailable_if_setup_failed(self) -> None:
        setup = (self.report or {}).get("setup_error")
        if setup:
            raise SandboxUnavailable(f"jail setup failed: {str(setup)[:2000]}")

    def wait_ready(self, deadline: float, outgoing: list[memoryview] | None = None) -> None:
        if not self.awaiting_ready:
            return
        ready = self._await_frame(0, deadline, outgoing)
        if ready is None:
            if not self.ended and self.kill_reason is None:
                self._kill("killed", "runner never signalled ready")
            outcome = self._end()
            self._unavailable_if_setup_failed()
            raise RunEnded(outcome)
        if ready.get("status") != "ready":
            self._kill("protocol", "first frame was not the ready signal")
            raise RunEnded(self._end())
        self.awaiting_ready = False

    # -- the event loop ------------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        return self.outcome is not None

    def _pump(self, deadline: float, outgoing: list[memoryview] | None = None) -> bool:
        """Move bytes until something arrives, the outgoing request is fully written and
        `deadline` passes, or the run ends. Returns False on deadline."""
        while True:
            if self.report is not None and not any(
                name in ("response", "stdout", "stderr") for name in self.open_fds.values()
            ):
                self._finish()
                return True
            now = time.monotonic()
            if now >= deadline:
                return False
            poller = select.poll()
            for fd in self.open_fds:
                poller.register(fd, select.POLLIN)
            if outgoing:
                poller.register(self.req_w, select.POLLOUT)
            events = poller.poll(max(1, int((deadline - now) * 1000) + 1))
            progressed = False
            for fd, _ in events:
                if fd == self.req_w:
                    if outgoing:
                        self._write_request(outgoing)
                    continue
                name = self.open_fds.get(fd)
                if name == "status":
                    self._read_status()
                elif name is not None:
                    progressed |= self._read_stream(fd, name)
            if progressed and self.inbox:
                return True

    def _read_stream(self, fd: int, name: str) -> bool:
        try:
            data = os.read(fd, READ_CHUNK)
        except BlockingIOError:
            return False
        if not data:
            del self.open_fds[fd]
            return name == "response"
        if name == "response":
            if self.kill_reason == "protocol":
                return False
            try:
                for header, payload in self.frames.feed(data):
                    self.bytes_left -= len(payload)
                    if self.bytes_left < 0:
                        raise codec.FrameTooLarge(f"answers over {RUN_BYTES} bytes in all")
                    value = codec.decode_frame(
                        header,
                        payload,
                        max_bytes=self.frames.max_bytes,
                        allow_fn=False,
                        parts=self.parts_left,
                    )
                    self.inbox.append(value)
            except codec.FrameTooLarge as exc:
                self._kill("output_limit", f"answers over the result cap: {exc}")
            except codec.ProtocolError as exc:
                self._kill("protocol", f"malformed response frame: {exc}")
            return True
        buf, cap = self.out[name], self.caps[name]
        room = cap - len(buf)
        buf += data[: max(0, room)]
        if len(data) > room:
            self.truncated[name] = True
            self._kill("output_limit", f"{name} exceeded {cap} bytes")
        return False

    def _read_status(self) -> None:
        try:
            data = self.status.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        self.open_fds.pop(self.status.fileno(), None)
        try:
            report = json.loads(data) if data else None
        except ValueError:
            report = None
        if type(report) is not dict:
            report = {"supervisor_lost": True}
        self.report = report

    def _kill(self, reason: str, detail: str) -> None:
        if self.kill_reason is None:
            self.kill_reason, self.kill_detail = reason, detail
        if self.kill_sent_at is None:
            self.kill_sent_at = time.monotonic()
            with contextlib.suppress(OSError):
                self.status.send(b"k")

    def _write_request(self, outgoing: list[memoryview]) -> None:
        """Write as much of the request as the pipe takes now; a runner that went away
        takes nothing more."""
        try:
            while outgoing:
                consume(outgoing, os.writev(self.req_w, outgoing[:IOV_MAX]))
        except BlockingIOError:
            pass
        except BrokenPipeError:
            outgoing.clear()

    def _end(self) -> RunOutcome:
        """Wait for the run to finish (killing it if it does not), then settle the outcome."""
        for stage in ("wait", "kill", "zygote"):
            deadline = time.monotonic() + KILL_PATIENCE_S
            while self.outcome is None and self._pump(deadline):
                # Whatever arrives now answers nothing.
                self.inbox.clear()
            if self.outcome is not None:
                return self.outcome
            if stage == "wait":
                self._kill("killed", "run did not finish")
            elif stage == "kill":
                with contextlib.suppress(SandboxUnavailable):
                    self.zygote.request({"op": "kill", "pid": self.pid})
        if self.report is None:
            self.report = {"supervisor_lost": True}
        self._finish()
        assert self.outcome is not None
        return self.outcome

    def _finish(self) -> None:
        if self.outcome is not None:
            return
        report = self.report or {}
        status, detail = _classify(report, self.kill_reason, self.kill_detail, self.exit_requested)
        self.outcome = RunOutcome(
            status=status,
            detail=detail,
            exit_code=_int_or_none(report.get("exit_code")),
            signal=_int_or_none(report.get("signal")),
            stdout=decode_output(self.out["stdout"]),
            stderr=decode_output(self.out["stderr"]),
            stdout_truncated=self.truncated["stdout"],
            stderr_truncated=self.truncated["stderr"],
            cpu_ms=float(report.get("cpu_ms") or 0),
            wall_ms=float(report.get("wall_ms") or 0),
            max_rss_kb=int(report.get("max_rss_kb") or 0),
            peak_memory_kb=_int_or_none(report.get("peak_memory_kb")),
            limits_backend=str(report.get("limits_backend") or ""),
        )
        for fd in (self.req_w, self.resp_r, self.out_r, self.err_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.status.close()
        self.open_fds.clear()

    def _await_frame(self, ident: int, deadline: float, outgoing=None) -> dict | None:
        while True:
            if self.inbox:
                frame = self.inbox.pop(0)
                if type(frame) is not dict or frame.get("id") != ident:
                    self._kill("protocol", "response does not answer the outstanding request")
                    return None
                return frame
            if self.ended or self.kill_reason is not None:
                return None
            if not self._pump(deadline, outgoing):
                return None

    # -- requests ------------------------------------------------------------------------------

    def request(self, message: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        if self.ended or self.kill_reason is not None:
            raise RunEnded(self._end())
        if self.inbox:
            self._kill("protocol", "response sent with no request outstanding")
            raise RunEnded(self._end())
        self.next_id += 1
        message = {**message, "id": self.next_id}
        try:
            parts = codec.encode_frame(message, max_bytes=self.limits.request_bytes)
        except codec.FrameTooLarge as exc:
            raise ValueError(f"request too large: {exc}") from None
        outgoing = [memoryview(p).cast("B") for p in parts]
        hard_deadline = self.deadline + KILL_PATIENCE_S
        deadline = (
            hard_deadline if timeout is None else min(hard_deadline, time.monotonic() + timeout)
        )
        if self.awaiting_ready:
            # Written now, answered once the jail is up.
            self.wait_ready(max(deadline, time.monotonic() + READY_TIMEOUT_S), outgoing)
        response = self._await_frame(self.next_id, deadline, outgoing)
        if response is None:
            if not self.ended and self.kill_reason is None:
                self._kill("timeout", f"no answer within {timeout} s" if timeout else "no answer")
            raise RunEnded(self._end())
        if response.get("status") == "bad_request":
            self._kill(
                "protocol", f"runner refused a request: {str(response.get('message'))[:500]}"
            )
            raise RunEnded(self._end())
        self._collect_handles(response)
        return response

    def _collect_handles(self, value: Any, depth: int = 0) -> None:
        if type(value) is codec.Handle:
            self.known_handles.add(value.id)
        elif type(value) in (list, tuple):
            for item in value:
                self._collect_handles(item, depth + 1)
        elif type(value) is dict:
            for item in value.values():
                self._collect_handles(item, depth + 1)

    def close(self) -> RunOutcome:
        if not self.ended and self.kill_reason is None:
            self.exit_requested = True
            self.next_id += 1
            frame = codec.encode_frame({"op": "exit", "id": self.next_id})
            outgoing = [memoryview(p).cast("B") for p in frame]
            deadline = min(self.deadline, time.monotonic() + EXIT_PATIENCE_S)
            while not self.ended and self._pump(deadline, outgoing):
                # The "bye" (or anything the student forged) is not needed: only the exit
                # status decides.
                self.inbox.clear()
            if not self.ended:
                self._kill("killed", "run did not exit when asked")
        return self._end()


def _int_or_none(value: Any) -> int | None:
    return value if type(value) is int else None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _classify(
    report: dict[str, Any], kill_reason: str | None, kill_detail: str, exit_requested: bool
) -> tuple[Status, str]:
    exit_code = _int_or_none(report.get("exit_code"))
    sig = _int_or_none(report.get("signal"))
    clean_exit = exit_requested and exit_code == 0 and sig is None
    if kill_reason == "timeout":
        return "timeout", kill_detail
    if kill_reason == "output_limit":
        return "output_limit", kill_detail
    if kill_reason == "protocol":
        return "crashed", f"protocol violation: {kill_detail}"
    if report.get("supervisor_lost"):
        return "killed", "the run's supervisor (the zygote) disappeared"
    if report.get("killed_by") == "deadline":
        return "timeout", "wall-clock limit reached"
    if int(report.get("oom_kills") or 0) > 0 and not clean_exit:
        return "memory", "memory limit reached (out-of-memory kill)"
    if report.get("cpu_exceeded"):
        return "timeout", "CPU time limit reached"
    if exit_code == MEMORY_EXIT and not clean_exit:
        return "memory", "MemoryError reached the top level"
    if kill_reason is not None:
        return "killed", kill_detail
    if clean_exit:
        return "ok", ""
    if sig is not None:
        return "crashed", f"killed by {_signal_name(sig)}"
    if exit_code == 0 and not exit_requested:
        return "crashed", "exited before the grader was done (exit code 0)"
    return "crashed", f"exited with code {exit_code}"


def _error(data: Any) -> ErrorInfo:
    if type(data) is not dict:
        raise codec.ProtocolError("error must be a dict")

    def text(key: str, cap: int) -> str:
        value = data.get(key, "")
        if type(value) is not str:
            raise codec.ProtocolError(f"error.{key} must be a str")
        return value[:cap]

    def number(key: str) -> int | None:
        value = data.get(key)
        return value if type(value) is int else None

    extra = data.get("text")
    return ErrorInfo(
        type=text("type", 200),
        message=text("message", 4000),
        traceback=text("traceback", 16000),
        line=number("line"),
        offset=number("offset"),
        text=extra[:500] if type(extra) is str else None,
    )


def _fn_calls(data: Any) -> dict[str, dict[str, int]]:
    if data is None:
        return {}
    if type(data) is not dict:
        raise codec.ProtocolError("fn_calls must be a dict")
    out = {}
    for label, counts in data.items():
        if type(counts) is not dict or not all(
            type(k) is str and type(v) is int for k, v in counts.items()
        ):
            raise codec.ProtocolError("fn_calls entries must map str to int")
        out[label] = dict(counts)
    return out


def _walk_refs(value: Any, depth: int = 0) -> Iterator[Any]:
    if depth > codec.MAX_DEPTH:
        return
    if type(value) in (codec.Handle, codec.FunctionRef):
        yield value
    elif type(value) in (list, tuple):
        for item in value:
            yield from _walk_refs(item, depth + 1)
    elif type(value) is dict:
        for item in value.values():
            yield from _walk_refs(item, depth + 1)


class Session:
    """One run: one jailed process tree serving requests until closed or dead.

    The run starts on the first request, so a submission rejected up front (too large, not
    text) never costs a spawn.
    """

    def __init__(self, sandbox: Sandbox, limits: Limits):
        self.sandbox = sandbox
        self.limits = limits
        self._run: _Run | None = None
        self._closed = False

    @property
    def outcome(self) -> RunOutcome | None:
        """How the run ended; None while it is alive or if it never started."""
        return self._run.outcome if self._run else None

    def start(self) -> None:
        if self._closed:
            raise RuntimeError("session is closed")
        if self._run is None:
            self._run = _Run(self.sandbox, self.limits)

    def _request(self, message: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        self.start()
        assert self._run is not None
        for ref in _walk_refs(message):
            if type(ref) is codec.Handle and ref.id not in self._run.known_handles:
                raise ValueError(f"handle {ref.id} does not belong to this session")
            if type(ref) is codec.FunctionRef:
                # Build it here first: a bad parameter is the grader's mistake and must not
                # come back looking like the student's.
                testfns.build(ref)
        return self._run.request(message, timeout)

    def _protocol_failure(self, exc: codec.ProtocolError) -> RunEnded:
        assert self._run is not None
        self._run._kill("protocol", f"malformed response: {exc}")
        return RunEnded(self._run._end())

    def load(
        self, source: str | bytes, filename: str = "submission.py", timeout: float | None = None
    ) -> LoadResult:
        try:
            source = check_source(source)
        except SourceRejected as exc:
            return _rejected(str(exc))
        if not filename or "\0" in filename or len(filename) > 200:
            raise ValueError("filename must be a short non-empty name")
        response = self._request({"op": "load", "source": source, "filename": filename}, timeout)
        try:
            status = response.get("status")
            if status == "ok":
                names = response.get("names")
                if type(names) is not dict:
                    raise codec.ProtocolError("names must be a dict")
                return LoadResult("ok", {k: _name_info(v) for k, v in names.items()})
            if status in ("syntax_error", "error"):
                return LoadResult(status, error=_error(response.get("error")))
            raise codec.ProtocolError(f"unexpected load status {status!r}")
        except codec.ProtocolError as exc:
            raise self._protocol_failure(exc) from None

    def call(
        self,
        target: str | codec.Handle,
        args: list | tuple = (),
        kwargs: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,
        keep: bool = False,
        return_args: bool = False,
        method: str | None = None,
    ) -> CallResult:
        """Call a top-level function or class by name, or a kept object (a Handle);
        `method` calls that attribute of the target instead. `keep` returns the result as
        a Handle even when it is plain data."""
        message: dict[str, Any] = {
            "op": "call",
            "args": list(args),
            "kwargs": dict(kwargs or {}),
            "keep": bool(keep),
            "return_args": bool(return_args),
        }
        message.update(_target(target))
        if method is not None:
            if type(method) is not str:
                raise TypeError("method must be a str")
            message["method"] = method
        return self._result(self._request(message, timeout))

    def call_many(
        self,
        target: str | codec.Handle,
        calls: list[tuple[list | tuple, dict[str, Any]]],
        *,
        timeout: float | None = None,
        return_args: bool = False,
        each: Callable[[CallResult], Any] | None = None,
    ) -> list[Any]:
        """`call` of one target for each (args, kwargs), in order, in as few round trips
        as the answers' size allows; `timeout` is per call. Test functions cannot be
        passed this way (their evaluation counts are per request): use `call`. `each`
        turns every result into what is kept, as soon as it arrives, so a caller that
        keeps less (a verdict on a huge answer) never holds all the answers at once."""
        calls = [(list(args), dict(kwargs or {})) for args, kwargs in calls]
        keep = each or (lambda result: result)
        results: list[Any] = []
        while len(results) < len(calls):
            chunk = calls[len(results) : len(results) + MAX_BATCH]
            message: dict[str, Any] = {
                "op": "call_many",
                "calls": [{"args": args, "kwargs": kwargs} for args, kwargs in chunk],
                "return_args": bool(return_args),
                **_target(target),
            }
            if any(type(ref) is codec.FunctionRef for ref in _walk_refs(message)):
                raise ValueError("call_many does not take test functions; use call")
            response = self._request(message, None if timeout is None else timeout * len(chunk))
            answers = response.get("results")
            if (
                response.get("status") != "ok"
                or type(answers) is not list
                or not 0 < len(answers) <= len(chunk)
                or not all(type(a) is dict for a in answers)
            ):
                raise self._protocol_failure(codec.ProtocolError("malformed call_many answer"))
            while answers:
                results.append(keep(self._result(answers.pop(0))))
        return results

    def method(
        self,
        handle: codec.Handle,
        name: str,
        args: list | tuple = (),
        kwargs: dict[str, Any] | None = None,
        **options: Any,
    ) -> CallResult:
        return self.call(handle, args, kwargs, method=name, **options)

    def getattr(
        self, target: str | codec.Handle, name: str, *, timeout: float | None = None, keep=False
    ) -> CallResult:
        if type(name) is not str:
            raise TypeError("attribute name must be a str")
        message = {"op": "getattr", "name": name, "keep": bool(keep), **_target(target)}
        return self._result(self._request(message, timeout))

    def op(self, name: str, *operands: Any, timeout: float | None = None, keep=False) -> CallResult:
        """Apply an arithmetic operator inside the jail, e.g. op("mul", handle, 3.0)."""
        if name not in OPERATORS:
            raise ValueError(f"unknown operator {name!r}; one of {sorted(OPERATORS)}")
        if len(operands) != OPERATORS[name][0]:
            raise ValueError(f"{name} takes {OPERATORS[name][0]} operands")
        message = {"op": "op", "name": name, "args": list(operands), "keep": bool(keep)}
        return self._result(self._request(message, timeout))

    def _result(self, response: dict[str, Any]) -> CallResult:
        try:
            status = response.get("status")
            fn_calls = _fn_calls(response.get("fn_calls"))
            args = response.get("args")
            if args is not None and type(args) is not list:
                raise codec.ProtocolError("args must be a list")
            if status == "ok":
                return CallResult(True, response.get("value"), None, fn_calls, args)
            if status == "error":
                return CallResult(False, None, _error(response.get("error")), fn_calls, args)
            raise codec.ProtocolError(f"unexpected call status {status!r}")
        except codec.ProtocolError as exc:
            raise self._protocol_failure(exc) from None

    def close(self) -> RunOutcome | None:
        self._closed = True
        if self._run is None:
            return None
        return self._run.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _target(target: str | codec.Handle) -> dict[str, Any]:
    if type(target) is str:
        return {"target_name": target}
    if type(target) is codec.Handle:
        return {"target": target}
    raise TypeError("target must be a top-level name or a Handle")


def _name_info(data: Any) -> NameInfo:
    if type(data) is not dict or data.get("kind") not in ("function", "class", "other"):
        raise codec.ProtocolError("malformed name entry")

    def strings(key: str) -> tuple[str, ...] | None:
        value = data.get(key)
        if value is None:
            return None
        if type(value) is not list or not all(type(p) is str for p in value):
            raise codec.ProtocolError(f"{key} must be a list of str")
        return tuple(value)

    return NameInfo(data["kind"], strings("params"), strings("param_names"))


def _rejected(message: str) -> LoadResult:
    return LoadResult("rejected", error=ErrorInfo(type="SubmissionRejected", message=message))


_shared: Sandbox | None = None
_shared_lock = threading.Lock()


def shared_sandbox() -> Sandbox:
    """This process's sandbox (and so its one zygote), made on first use. Not yet proven
    to isolate: see `isolated_sandbox`."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Sandbox()
        return _shared


def isolated_sandbox() -> Sandbox:
    """This process's sandbox once its self-test passed; SandboxUnavailable otherwise."""
    sandbox = shared_sandbox()
    sandbox.require_isolation()
    return sandbox
