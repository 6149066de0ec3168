"""The request loop that runs inside the jail, in the same process as the student's code.

Nothing here is a security boundary: the student can rewrite this module, forge frames or
exit at will. Its job is to be a faithful servant when left alone; the worker treats
whatever it sends back as the student's answer and nothing more.
"""

from __future__ import annotations

import inspect
import linecache
import operator
import os
import sys
import traceback
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from sandbox import codec, testfns
from sandbox.limits import Limits

REQUEST_FD = 0
RESPONSE_FD = 3
MODULE_NAME = "submission"
MESSAGE_CAP = 2_000
TRACEBACK_CAP = 8_000
MAX_NAMES = 500
# Exit code by which the runner reports a MemoryError that reached it. The student can exit
# with it too; that only earns them a "memory" verdict instead of "crashed".
MEMORY_EXIT = 86

OPERATORS: dict[str, tuple[int, Callable[..., Any]]] = {
    "add": (2, operator.add),
    "sub": (2, operator.sub),
    "mul": (2, operator.mul),
    "truediv": (2, operator.truediv),
    "pow": (2, operator.pow),
    "neg": (1, operator.neg),
    # Reflected forms put the trusted operand first, so Python dispatches to the student's
    # __radd__ etc. exactly as `2 + value` would.
    "radd": (2, lambda a, b: operator.add(b, a)),
    "rsub": (2, lambda a, b: operator.sub(b, a)),
    "rmul": (2, lambda a, b: operator.mul(b, a)),
    "rtruediv": (2, lambda a, b: operator.truediv(b, a)),
}


class BadRequest(Exception):
    """The trusted side sent something this runner cannot act on."""


IOV_MAX = 1024
# Calls in one call_many request.
MAX_BATCH = 256


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, parts: list) -> None:
    # One writev per frame, not one write per part: each write can wake the worker.
    views = [view for view in (memoryview(part).cast("B") for part in parts) if view.nbytes]
    while views:
        written = os.writev(fd, views[:IOV_MAX])
        consume(views, written)


def consume(views: list[memoryview], written: int) -> None:
    """Drop `written` bytes from the front of a list of buffers, as a short writev leaves it."""
    while written and views:
        if written >= views[0].nbytes:
            written -= views.pop(0).nbytes
        else:
            views[0] = views[0][written:]
            written = 0


def _safe_str(obj: Any, cap: int) -> str:
    try:
        text = str(obj)
    except BaseException:  # noqa: B036 - a student's __str__ may raise anything
        return "<unprintable>"
    if type(text) is not str:
        return "<unprintable>"
    return text if len(text) <= cap else text[:cap] + f"... [{len(text) - cap} more characters]"


def _type_name(exc: BaseException) -> str:
    name = getattr(type(exc), "__name__", None)
    return name[:200] if type(name) is str else "Exception"


class Runner:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.namespace: dict[str, Any] | None = None
        self.filename = "submission.py"
        self.handles: dict[int, Any] = {}
        self.handle_of: dict[int, int] = {}
        self.next_handle = 1
        self.call_fns: dict[str, testfns.TestFunction | testfns.Gradient] = {}

    # -- plumbing ------------------------------------------------------------------------------

    def read_request(self) -> Any:
        prefix = _read_exact(REQUEST_FD, 4)
        if prefix is None:
            os._exit(0)
        (n,) = codec.HEADER_PREFIX.unpack(prefix)
        if n == 0 or n > self.limits.request_bytes:
            raise BadRequest("request header size out of range")
        header_bytes = _read_exact(REQUEST_FD, n)
        if header_bytes is None:
            os._exit(0)
        header = codec.parse_header(header_bytes)
        layout = codec.payload_layout(header["a"], self.limits.request_bytes)
        payload = _read_exact(REQUEST_FD, sum(nbytes for _, _, nbytes in layout)) or b""
        return header, payload

    def send(self, message: dict[str, Any]) -> None:
        try:
            parts = codec.encode_frame(
                message, max_bytes=self.limits.result_bytes, fallback=self.keep
            )
        except codec.FrameTooLarge as exc:
            parts = codec.encode_frame(
                {
                    "id": message.get("id"),
                    "status": "error",
                    "error": {"type": "ResultTooLarge", "message": str(exc), "traceback": ""},
                }
            )
        _write_all(RESPONSE_FD, parts)

    def keep(self, obj: Any) -> codec.Handle:
        ident = self.handle_of.get(id(obj))
        if ident is None:
            ident = self.next_handle
            self.next_handle += 1
            self.handles[ident] = obj
            self.handle_of[id(obj)] = ident
        try:
            type_name = type(obj).__name__
        except BaseException:  # noqa: B036 - a metaclass can make __name__ anything
            type_name = "object"
        return codec.Handle(ident, type_name if type(type_name) is str else "object")

    def resolve(self, handle: codec.Handle) -> Any:
        try:
            return self.handles[handle.id]
        except KeyError:
            raise BadRequest(f"unknown handle {handle.id}") from None

    def build_fn(self, ref: codec.FunctionRef) -> testfns.TestFunction | testfns.Gradient:
        try:
            fn = testfns.build(ref)
        except (KeyError, TypeError, ValueError) as exc:
            raise BadRequest(f"test function {ref.name!r}: {exc}") from None
        self.call_fns[ref.label] = fn
        return fn

    def error_info(self, exc: BaseException) -> dict[str, Any]:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == self.filename]
        try:
            lines = traceback.format_list(frames)
        except BaseException:  # noqa: B036
            lines = []
        text = "".join(lines)
        if text:
            text = "Traceback (most recent call last):\n" + text
        text += f"{_type_name(exc)}: {_safe_str(exc, MESSAGE_CAP)}\n"
        if len(text) > TRACEBACK_CAP:
            text = "...\n" + text[-TRACEBACK_CAP:]
        return {
            "type": _type_name(exc),
            "message": _safe_str(exc, MESSAGE_CAP),
            "traceback": text,
        }

    def fatal(self, exc: BaseException) -> None:
        """Exceptions that end the run rather than fail one call."""
        if isinstance(exc, MemoryError):
            self.flush()
            os._exit(MEMORY_EXIT)
        if isinstance(exc, SystemExit):
            code = exc.code
            if code is None:
                status = 0
            elif type(code) is int:
                status = code & 0xFF
            else:
                # The student may have replaced stderr with anything at all. A plain
                # try, not contextlib.suppress: the student's code shares this process
                # and could have replaced that too.
                try:  # noqa: SIM105
                    sys.stderr.write(_safe_str(code, MESSAGE_CAP) + "\n")
                except BaseException:  # noqa: B036
                    pass
                status = 1
            self.flush()
            os._exit(status)

    @staticmethod
    def flush() -> None:
        for stream in (sys.stdout, sys.stderr):
            # The student may have replaced the stream with anything at all (and
            # contextlib too: hence a plain try).
            try:  # noqa: SIM105
                stream.flush()
            except BaseException:  # noqa: B036
                pass

    # -- requests ------------------------------------------------------------------------------

    def serve(self) -> None:
        self.send({"id": 0, "status": "ready"})
        while True:
            try:
                header, payload = self.read_request()
                self.call_fns = {}
                request = codec.decode_frame(
                    header,
                    payload,
                    max_bytes=self.limits.request_bytes,
                    allow_fn=True,
                    resolve=self.resolve,
                    build_fn=self.build_fn,
                )
                if type(request) is not dict or type(request.get("id")) is not int:
                    raise BadRequest("request must be a dict with an int id")
            except (BadRequest, codec.ProtocolError) as exc:
                # The stream can no longer be trusted to be in step; stop.
                self.send({"id": None, "status": "bad_request", "message": str(exc)})
                os._exit(0)
            response = self.handle(request)
            self.flush()
            self.send(response)
            if request.get("op") == "exit":
                os._exit(0)

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        ident = request["id"]
        try:
            if op == "load":
                return {"id": ident, **self.load(request)}
            if op in ("call", "getattr", "op"):
                return {"id": ident, **self.invoke(op, request)}
            if op == "call_many":
                return {"id": ident, **self.invoke_many(request)}
            if op == "exit":
                return {"id": ident, "status": "bye"}
            raise BadRequest(f"unknown op {op!r}")
        except BadRequest as exc:
            return {"id": ident, "status": "bad_request", "message": str(exc)}

    def load(self, request: dict[str, Any]) -> dict[str, Any]:
        source, filename = request.get("source"), request.get("filename")
        if type(source) is not str or type(filename) is not str or not filename:
            raise BadRequest("load needs str source and filename")
        self.filename = filename
        try:
            code = compile(source, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            return {"status": "syntax_error", "error": self.syntax_error(exc)}
        module = types.ModuleType(MODULE_NAME)
        module.__file__ = filename
        # Registered so tracebacks can show the student's lines without a file on disk.
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        sys.modules[MODULE_NAME] = module
        self.namespace = module.__dict__
        try:
            exec(code, self.namespace)  # noqa: S102 - this is the sandbox's whole purpose
        except BaseException as exc:  # noqa: B036
            self.fatal(exc)
            return {"status": "error", "error": self.error_info(exc)}
        return {"status": "ok", "names": self.describe_names()}

    def syntax_error(self, exc: Exception) -> dict[str, Any]:
        info: dict[str, Any] = {
            "type": _type_name(exc),
            "message": _safe_str(getattr(exc, "msg", exc), MESSAGE_CAP),
            "traceback": "",
            "line": None,
            "offset": None,
            "text": None,
        }
        if isinstance(exc, SyntaxError):
            info["line"] = exc.lineno if type(exc.lineno) is int else None
            info["offset"] = exc.offset if type(exc.offset) is int else None
            info["text"] = (exc.text or "")[:500] if type(exc.text) is str else None
            info["traceback"] = "".join(traceback.format_exception_only(exc))[:TRACEBACK_CAP]
        return info

    def describe_names(self) -> dict[str, Any]:
        assert self.namespace is not None
        names: dict[str, Any] = {}
        for name, obj in list(self.namespace.items())[: MAX_NAMES * 2]:
            if type(name) is not str or (name.startswith("__") and name.endswith("__")):
                continue
            if len(names) >= MAX_NAMES:
                break
            if isinstance(obj, type):
                kind = "class"
            elif inspect.isroutine(obj):
                kind = "function"
            else:
                kind = "other"
            params = param_names = None
            if kind != "other" or callable(obj):
                try:
                    parameters = list(inspect.signature(obj).parameters.values())
                    # As inspect shows them ("lr=0.001", "*args"): defaults matter to graders.
                    params = [str(p)[:200] for p in parameters]
                    param_names = [str(p.name)[:200] for p in parameters]
                except BaseException:  # noqa: B036 - signature can run student code
                    params = param_names = None
            names[name[:200]] = {"kind": kind, "params": params, "param_names": param_names}
        return names

    def target(self, request: dict[str, Any]) -> Any:
        name = request.get("target_name")
        if name is None:
            # A handle, already replaced by its object while the request was decoded.
            return request.get("target")
        if type(name) is not str:
            raise BadRequest("target_name must be a str")
        if self.namespace is None:
            raise BadRequest("nothing loaded")
        if name not in self.namespace:
            return _Missing(name)
        return self.namespace[name]

    def invoke(self, op: str, request: dict[str, Any]) -> dict[str, Any]:
        args = request.get("args", [])
        kwargs = request.get("kwargs", {})
        if type(args) is not list or type(kwargs) is not dict:
            raise BadRequest("args must be a list and kwargs a dict")
        try:
            if op == "call":
                fn = self.target(request)
                method = request.get("method")
                if type(fn) is _Missing:
                    raise NameError(f"name {fn.name!r} is not defined")
                if method is not None:
                    if type(method) is not str:
                        raise BadRequest("method must be a str")
                    fn = getattr(fn, method)
                result = fn(*args, **kwargs)
            elif op == "getattr":
                obj = self.target(request)
                name = request.get("name")
                if type(name) is not str:
                    raise BadRequest("getattr needs a str name")
                if type(obj) is _Missing:
                    raise NameError(f"name {obj.name!r} is not defined")
                result = getattr(obj, name)
            else:
                name = request.get("name")
                if name not in OPERATORS:
                    raise BadRequest(f"unknown operator {name!r}")
                arity, fn = OPERATORS[name]
                if len(args) != arity:
                    raise BadRequest(f"{name} takes {arity} operands")
                result = fn(*args)
        except BadRequest:
            raise
        except BaseException as exc:  # noqa: B036
            self.fatal(exc)
            return {"status": "error", "error": self.error_info(exc), **self.extras(request, args)}
        value = self.keep(result) if request.get("keep") else result
        return {"status": "ok", "value": value, **self.extras(request, args)}

    def invoke_many(self, request: dict[str, Any]) -> dict[str, Any]:
        """Several calls of one target in one round trip, in order, each answered as
        `invoke` would. Stops early once the answers grow large, so the response stays
        far below the frame cap; the worker sends the rest again."""
        calls = request.get("calls")
        if type(calls) is not list or not 0 < len(calls) <= MAX_BATCH:
            raise BadRequest(f"call_many needs 1 to {MAX_BATCH} calls")
        if self.call_fns:
            # Evaluation counts are per request; a batch could not say whose they are.
            raise BadRequest("call_many does not take test functions")
        results = []
        budget = self.limits.result_bytes // 4
        for item in calls:
            if type(item) is not dict:
                raise BadRequest("each call must be a dict")
            single = {
                "target_name": request.get("target_name"),
                "target": request.get("target"),
                "args": item.get("args", []),
                "kwargs": item.get("kwargs", {}),
                "keep": request.get("keep"),
                "return_args": request.get("return_args"),
            }
            if single["target_name"] is None:
                del single["target_name"]
            answer = self.invoke("call", single)
            answer.pop("fn_calls", None)
            results.append(answer)
            budget -= _approx_size(answer)
            if budget < 0:
                break
        return {"status": "ok", "results": results}

    def extras(self, request: dict[str, Any], args: list) -> dict[str, Any]:
        out: dict[str, Any] = {
            "fn_calls": {label: fn.counts() for label, fn in self.call_fns.items()}
        }
        if request.get("return_args"):
            fns = (testfns.TestFunction, testfns.Gradient)
            out["args"] = [None if type(a) in fns or isinstance(a, fns) else a for a in args]
        return out


def _approx_size(value: Any, depth: int = 0) -> int:
    """Roughly how many bytes `value` takes in a frame; cheap, and never runs student code
    (only exact builtin types and ndarrays are looked into)."""
    kind = type(value)
    if kind is np.ndarray:
        return int(value.nbytes) + 64
    if kind in (str, bytes):
        return len(value) + 8
    if depth < 64 and kind in (list, tuple):
        return 8 + sum(_approx_size(v, depth + 1) for v in value)
    if depth < 64 and kind is dict:
        return 8 + sum(
            _approx_size(k, depth + 1) + _approx_size(v, depth + 1) for k, v in value.items()
        )
    return 16


class _Missing:
    def __init__(self, name: str):
        self.name = name


def warm_up(limits: Limits) -> None:
    """Take the request path once on dummy data. In a spare jail this moves the copy-on-write
    faults of first touching the runner's code and data off the run's critical path."""
    runner = Runner(limits)
    requests: list[dict[str, Any]] = [
        {"op": "load", "source": "def f(x, y=1):\n    return x\n", "filename": "<warm-up>"},
        {"op": "call", "target_name": "f", "args": [np.zeros(2), (1, "a")], "kwargs": {}},
        {"op": "call", "target_name": "g", "args": [], "kwargs": {}, "keep": True},
        {"op": "call_many", "target_name": "f", "calls": [{"args": [np.zeros(2)]}] * 2},
        {"op": "exit"},
    ]
    for ident, request in enumerate(requests, start=1):
        data = codec.encode_frame_bytes({**request, "id": ident})
        for header, payload in codec.FrameReader(limits.request_bytes).feed(data):
            decoded = codec.decode_frame(
                header, payload, allow_fn=True, resolve=runner.resolve, build_fn=runner.build_fn
            )
            codec.encode_frame(runner.handle(decoded), fallback=runner.keep)
    sys.modules.pop(MODULE_NAME, None)
    linecache.cache.pop("<warm-up>", None)


def serve(limits: Limits) -> None:
    # Line by line, not in blocks: a run the worker kills (a timeout, memory) cannot flush
    # at exit, and what it printed before is what the student needs to see.
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 - a stream of another kind keeps its buffering
            stream.reconfigure(line_buffering=True)  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass
    Runner(limits).serve()
    os._exit(0)
