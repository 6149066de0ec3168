"""Frames and values exchanged between the trusted worker and the runner in the jail.

Both sides import this module. The runner's copy lives inside the student's process, so the
student can rewrite it at will: everything this module guarantees for the trusted side comes
from `decode_frame` / `FrameReader` being run *outside* the jail. The encoder only has to be
correct when the runner is honest.

Wire format of one frame::

    4 bytes   big-endian length N of the header
    N bytes   header: UTF-8 JSON object {"v": <value tree>, "a": [[dtype, shape, nbytes], ...]}
    ...       the raw payloads of the arrays listed in "a", back to back, little-endian,
              C order

A value tree is JSON null/bool/number/string/list, plus single-purpose tagged objects:

    {"__tuple__": [...]}                    tuple
    {"__dict__": {"key": value, ...}}       dict with str keys (tagged, so user keys never
                                            collide with tags)
    {"__array__": i}                        the i-th payload; each payload is used exactly once
    {"__handle__": n, "type": "Name"}       an object that stays inside the jail
    {"__fn__": "name", "params": {...}, "key": "k"}
                                            a named test function (requests only)

Floats use Python's JSON spellings NaN / Infinity / -Infinity. Nothing here ever unpickles or
imports: decoding can only build None, bool, int, float, str, list, tuple, dict, numpy arrays
of three dtypes, `Handle` and (when allowed) `FunctionRef`.

What decoding costs is bounded before the work is done, because a frame from the runner is
written by the student: a header is at most `MAX_HEADER_BYTES`, a number at most
`MAX_NUMBER_DIGITS` characters (turning a long digit string into an int costs time
quadratic in its length), a value tree at most `MAX_NODES` nodes, and every string is made
clean text (`sandbox.text`) as it is decoded, so nothing downstream ever holds a NUL or a
lone surrogate from a run.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sandbox.text import clean_text

MAX_DEPTH = 64
MAX_NDIM = 32
MAX_ARRAYS = 4096
MAX_TYPE_NAME = 200
MAX_HEADER_BYTES = 4 * 1024 * 1024
MAX_NUMBER_DIGITS = 1000
MAX_NODES = 500_000
# An int of more bits than this travels as a handle: its decimal form would pass
# MAX_NUMBER_DIGITS (3000 bits is about 900 digits).
MAX_INT_BITS = 3000
DEFAULT_MAX_FRAME = 64 * 1024 * 1024
HEADER_PREFIX = struct.Struct(">I")

# Wire dtypes: always little-endian so a frame means the same thing on every host.
WIRE_DTYPES: dict[str, np.dtype] = {
    "f8": np.dtype("<f8"),
    "i8": np.dtype("<i8"),
    "b1": np.dtype("?"),
}
_INT64_MAX = np.iinfo(np.int64).max


class ProtocolError(ValueError):
    """A frame or value that does not follow the protocol; the peer is not trusted further."""


class FrameTooLarge(ProtocolError):
    """A frame over the configured cap."""


class PartsExhausted(FrameTooLarge):
    """A frame within its own caps that would take a session past its allowance of parts
    (`decode_frame(parts=...)`): the answers of one run, together, are too large."""


class NotPlainData(TypeError):
    """The value holds something that is not plain data and no fallback was given."""


@dataclass(frozen=True)
class Handle:
    """Reference to an object kept inside the jail (an instance of a student class, ...).

    The trusted side only ever holds the number; every use of it is a request to the runner.
    """

    id: int
    type_name: str = ""


@dataclass(frozen=True)
class FunctionRef:
    """A named test function from `sandbox.testfns`, built fresh inside the jail for one call."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    key: str | None = None

    @property
    def label(self) -> str:
        return self.key or self.name


# ---------------------------------------------------------------------------------------------
# Encoding


def wire_array(value: np.ndarray) -> np.ndarray | None:
    """The array as one of the wire dtypes, or None when that would lose information."""
    kind = value.dtype.kind
    if kind == "b":
        out = value.astype(WIRE_DTYPES["b1"], copy=False)
    elif kind == "f" and value.dtype.itemsize <= 8:
        out = value.astype(WIRE_DTYPES["f8"], copy=False)
    elif kind == "i" and value.dtype.itemsize <= 8 or kind == "u" and value.dtype.itemsize <= 4:
        out = value.astype(WIRE_DTYPES["i8"], copy=False)
    elif kind == "u" and value.dtype.itemsize == 8:
        if value.size and int(value.max()) > _INT64_MAX:
            return None
        out = value.astype(WIRE_DTYPES["i8"], copy=False)
    else:
        return None
    if value.ndim > MAX_NDIM:
        return None
    # Not ascontiguousarray: it turns 0-d arrays into 1-d ones.
    return out if out.flags.c_contiguous else out.copy(order="C")


class _Encoder:
    def __init__(self, max_bytes: int, fallback: Callable[[Any], Handle] | None):
        self.max_bytes = max_bytes
        self.fallback = fallback
        self.arrays: list[np.ndarray] = []
        self.size = 0

    def charge(self, n: int) -> None:
        self.size += n
        if self.size > self.max_bytes:
            raise FrameTooLarge(f"encoded value exceeds {self.max_bytes} bytes")

    def other(self, value: Any, why: str) -> Any:
        if self.fallback is None:
            raise NotPlainData(f"{why}: {type(value).__name__}")
        return self.handle(self.fallback(value))

    def handle(self, h: Handle) -> dict[str, Any]:
        self.charge(32 + len(h.type_name))
        return {"__handle__": int(h.id), "type": str(h.type_name)[:MAX_TYPE_NAME]}

    def encode(self, value: Any, depth: int = 0) -> Any:
        # Exact type checks: a subclass of float or list can override __eq__, __repr__ or
        # __iter__, and must not travel as if it were plain data.
        kind = type(value)
        if depth > MAX_DEPTH:
            return self.other(value, "nesting deeper than the protocol allows")
        if kind in _PLAIN_SCALARS:
            return self._scalar(value, kind)
        if kind is list or kind is tuple or kind is dict:
            if depth >= MAX_DEPTH:
                return self.other(value, "nesting deeper than the protocol allows")
            return self._container(value, kind, depth)
        return self._object(value, kind, depth)

    def _scalar(self, value: Any, kind: type) -> Any:
        if kind is int:
            if value.bit_length() > MAX_INT_BITS:
                return self.other(value, "integer too large")
            self.charge(24)
        elif kind is str:
            self.charge(len(value) * 2 + 2)
        else:  # None, bool, float
            self.charge(24 if kind is float else 5)
        return value

    def _container(self, value: Any, kind: type, depth: int) -> Any:
        if kind is dict:
            if not all(type(k) is str for k in value):
                return self.other(value, "dict keys must be str")
            self.charge(2)
            out = {}
            for k, v in value.items():
                self.charge(len(k) * 2 + 4)
                out[k] = self.encode(v, depth + 1)
            return {"__dict__": out}
        self.charge(2)
        items = [self.encode(item, depth + 1) for item in value]
        return items if kind is list else {"__tuple__": items}

    def _object(self, value: Any, kind: type, depth: int) -> Any:
        if kind is Handle:
            return self.handle(value)
        if kind is FunctionRef:
            self.charge(len(value.name) + 32)
            return {
                "__fn__": value.name,
                "params": self.encode(dict(value.params), depth + 1),
                "key": value.key,
            }
        if kind is np.ndarray:
            return self._array(value)
        if kind in _NUMPY_FLOATS:
            self.charge(24)
            return float(value)
        if kind in _NUMPY_INTS:
            self.charge(24)
            return int(value)
        if kind is np.bool_:
            self.charge(5)
            return bool(value)
        return self.other(value, "not plain data")

    def _array(self, value: np.ndarray) -> Any:
        wire = wire_array(value)
        if wire is None:
            return self.other(value, f"array dtype {value.dtype} is not sent as data")
        if len(self.arrays) >= MAX_ARRAYS:
            return self.other(value, "too many arrays")
        self.charge(wire.nbytes + 64)
        self.arrays.append(wire)
        return {"__array__": len(self.arrays) - 1}


_PLAIN_SCALARS = frozenset({type(None), bool, int, float, str})
_NUMPY_FLOATS = (np.float64, np.float32, np.float16)
_NUMPY_INTS = (np.int64, np.int32, np.int16, np.int8, np.uint8, np.uint16, np.uint32)


def encode_frame(
    value: Any,
    *,
    max_bytes: int = DEFAULT_MAX_FRAME,
    fallback: Callable[[Any], Handle] | None = None,
) -> list[bytes | memoryview]:
    """Encode `value` as one frame, returned as buffers to write in order.

    `fallback` turns a non-plain object into a Handle (the runner keeps the object); without
    it such objects raise NotPlainData.
    """
    enc = _Encoder(max_bytes, fallback)
    tree = enc.encode(value)
    descriptors = [[_dtype_code(a.dtype), list(a.shape), a.nbytes] for a in enc.arrays]
    header = json.dumps(
        {"v": tree, "a": descriptors}, ensure_ascii=True, separators=(",", ":")
    ).encode("ascii")
    total = HEADER_PREFIX.size + len(header) + sum(a.nbytes for a in enc.arrays)
    if total > max_bytes:
        raise FrameTooLarge(f"frame of {total} bytes exceeds {max_bytes}")
    parts: list[bytes | memoryview] = [HEADER_PREFIX.pack(len(header)), header]
    parts.extend(memoryview(a.data).cast("B") for a in enc.arrays if a.nbytes)
    return parts


def encode_frame_bytes(value: Any, **kwargs: Any) -> bytes:
    return b"".join(bytes(p) for p in encode_frame(value, **kwargs))


def _dtype_code(dtype: np.dtype) -> str:
    for code, wire in WIRE_DTYPES.items():
        if dtype == wire:
            return code
    raise AssertionError(f"not a wire dtype: {dtype}")


# ---------------------------------------------------------------------------------------------
# Decoding


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ProtocolError("duplicate key in an object")
    return out


# A run of digits longer than any number may have. Searched for in the raw header (at C
# speed) rather than checked in a parse_int hook, which would call Python for every number.
_LONG_NUMBER = re.compile(rb"[0-9]{%d}" % (MAX_NUMBER_DIGITS + 1))


def parse_header(raw: bytes | bytearray | memoryview) -> dict[str, Any]:
    if len(raw) > MAX_HEADER_BYTES:
        raise FrameTooLarge(f"header of {len(raw)} bytes (at most {MAX_HEADER_BYTES})")
    data = bytes(raw)
    if _LONG_NUMBER.search(data):
        raise ProtocolError(f"a number of more than {MAX_NUMBER_DIGITS} digits")
    try:
        text = data.decode("utf-8")
        header = json.loads(text, object_pairs_hook=_reject_duplicates)
    except ProtocolError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"header is not valid JSON: {exc}") from None
    if type(header) is not dict or set(header) != {"v", "a"}:
        raise ProtocolError("header must be an object with exactly 'v' and 'a'")
    return header


def payload_layout(descriptors: Any, max_bytes: int) -> list[tuple[np.dtype, tuple, int]]:
    if type(descriptors) is not list or len(descriptors) > MAX_ARRAYS:
        raise ProtocolError("array list malformed or too long")
    layout = []
    total = 0
    for d in descriptors:
        if type(d) is not list or len(d) != 3:
            raise ProtocolError("array descriptor must be [dtype, shape, nbytes]")
        code, shape, nbytes = d
        if type(code) is not str or code not in WIRE_DTYPES:
            raise ProtocolError(f"array dtype not allowed: {code!r}")
        if (
            type(shape) is not list
            or len(shape) > MAX_NDIM
            or not all(type(n) is int and 0 <= n < 1 << 40 for n in shape)
        ):
            raise ProtocolError("array shape malformed")
        if type(nbytes) is not int or nbytes < 0:
            raise ProtocolError("array byte length malformed")
        dtype = WIRE_DTYPES[code]
        if math.prod(shape) * dtype.itemsize != nbytes:
            raise ProtocolError("array byte length does not match dtype and shape")
        total += nbytes
        if total > max_bytes:
            raise FrameTooLarge(f"array payloads exceed {max_bytes} bytes")
        layout.append((dtype, tuple(shape), nbytes))
    return layout


class _Decoder:
    def __init__(
        self,
        arrays: list[np.ndarray],
        allow_fn: bool,
        resolve: Callable[[Handle], Any] | None,
        build_fn: Callable[[FunctionRef], Any] | None,
    ):
        self.arrays = arrays
        self.used = [False] * len(arrays)
        self.allow_fn = allow_fn
        self.resolve = resolve
        self.build_fn = build_fn
        self.nodes = 0
        self.max_nodes = MAX_NODES

    def decode(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ProtocolError("value nested too deeply")
        self.nodes += 1
        if self.nodes > self.max_nodes:
            if self.max_nodes < MAX_NODES:
                raise PartsExhausted("the answers so far hold too many parts in all")
            raise ProtocolError(f"value has more than {MAX_NODES} parts")
        kind = type(node)
        if kind is str:
            return clean_text(node)
        if node is None or kind in (bool, int, float):
            return node
        if kind is list:
            return [self.decode(item, depth + 1) for item in node]
        if kind is not dict:
            raise ProtocolError(f"unexpected JSON node {kind.__name__}")
        keys = frozenset(node)
        tagged = _TAGGED.get(keys)
        if tagged is None:
            raise ProtocolError(f"unknown tagged object with keys {sorted(keys)[:5]}")
        return tagged(self, node, depth)

    def _tuple(self, node: dict, depth: int) -> tuple:
        items = node["__tuple__"]
        if type(items) is not list:
            raise ProtocolError("tuple body must be a list")
        return tuple(self.decode(item, depth + 1) for item in items)

    def _dict(self, node: dict, depth: int) -> dict:
        body = node["__dict__"]
        if type(body) is not dict:
            raise ProtocolError("dict body must be an object")
        return {clean_text(k): self.decode(v, depth + 1) for k, v in body.items()}

    def _array(self, node: dict, depth: int) -> np.ndarray:
        index = node["__array__"]
        if type(index) is not int or not 0 <= index < len(self.arrays):
            raise ProtocolError("array reference out of range")
        if self.used[index]:
            raise ProtocolError("array payload referenced twice")
        self.used[index] = True
        return self.arrays[index]

    def _handle(self, node: dict, depth: int) -> Any:
        ident = node["__handle__"]
        type_name = node.get("type", "")
        if type(ident) is not int or ident < 0 or type(type_name) is not str:
            raise ProtocolError("handle malformed")
        handle = Handle(ident, clean_text(type_name[:MAX_TYPE_NAME]))
        return self.resolve(handle) if self.resolve else handle

    def _function(self, node: dict, depth: int) -> Any:
        if not self.allow_fn:
            raise ProtocolError("function references are not accepted here")
        name, key = node["__fn__"], node["key"]
        if type(name) is not str or not (key is None or type(key) is str):
            raise ProtocolError("function reference malformed")
        params = self.decode(node["params"], depth + 1)
        if type(params) is not dict:
            raise ProtocolError("function params must be a dict")
        ref = FunctionRef(name, params, key)
        return self.build_fn(ref) if self.build_fn else ref


# A tagged JSON object is known by its exact set of keys.
_TAGGED = {
    frozenset({"__tuple__"}): _Decoder._tuple,
    frozenset({"__dict__"}): _Decoder._dict,
    frozenset({"__array__"}): _Decoder._array,
    frozenset({"__handle__", "type"}): _Decoder._handle,
    frozenset({"__handle__"}): _Decoder._handle,
    frozenset({"__fn__", "params", "key"}): _Decoder._function,
}


def decode_frame(
    header: dict[str, Any] | bytes,
    payload: bytes | bytearray | memoryview,
    *,
    max_bytes: int = DEFAULT_MAX_FRAME,
    allow_fn: bool = False,
    resolve: Callable[[Handle], Any] | None = None,
    build_fn: Callable[[FunctionRef], Any] | None = None,
    parts: list[int] | None = None,
) -> Any:
    """Decode one frame whose header and payload have already been split off the stream.
    `parts`, a one-item list, is an allowance of value-tree nodes shared by several frames
    (what a whole run may send); it is lowered by what this frame used."""
    if not isinstance(header, dict):
        header = parse_header(header)
    layout = payload_layout(header["a"], max_bytes)
    if sum(n for _, _, n in layout) != len(payload):
        raise ProtocolError("payload length does not match the array list")
    arrays = []
    offset = 0
    view = memoryview(payload)
    for dtype, shape, nbytes in layout:
        chunk = view[offset : offset + nbytes]
        # Copy into a fresh writable buffer so the array owns its data and never aliases
        # the receive buffer.
        arr = np.frombuffer(bytearray(chunk), dtype=dtype).reshape(shape)
        arrays.append(arr)
        offset += nbytes
    decoder = _Decoder(arrays, allow_fn, resolve, build_fn)
    if parts is not None:
        decoder.max_nodes = min(MAX_NODES, parts[0])
    value = decoder.decode(header["v"])
    if parts is not None:
        parts[0] -= decoder.nodes
    if not all(decoder.used):
        raise ProtocolError("array payload sent but never referenced")
    return value


def decode_frame_bytes(data: bytes, **kwargs: Any) -> Any:
    """Decode a frame held entirely in memory; trailing bytes are an error."""
    frames = FrameReader(max_bytes=kwargs.pop("max_bytes", DEFAULT_MAX_FRAME))
    out = list(frames.feed(data))
    if len(out) != 1 or frames.pending:
        raise ProtocolError("expected exactly one complete frame")
    header, payload = out[0]
    return decode_frame(header, payload, max_bytes=frames.max_bytes, **kwargs)


class FrameReader:
    """Splits a byte stream into (header, payload) frames, enforcing the size cap as early
    as the length prefix allows, so a hostile peer cannot make us buffer more than the cap."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_FRAME):
        self.max_bytes = max_bytes
        self.buffer = bytearray()
        self._header: dict[str, Any] | None = None
        self._payload_len = 0

    @property
    def pending(self) -> int:
        return len(self.buffer) + (1 if self._header is not None else 0)

    def feed(self, data: bytes) -> Iterator[tuple[dict[str, Any], bytearray]]:
        self.buffer += data
        while True:
            if self._header is None:
                if len(self.buffer) < HEADER_PREFIX.size:
                    return
                (n,) = HEADER_PREFIX.unpack_from(self.buffer)
                if n == 0 or HEADER_PREFIX.size + n > min(self.max_bytes, MAX_HEADER_BYTES):
                    raise FrameTooLarge(f"header of {n} bytes refused")
                if len(self.buffer) < HEADER_PREFIX.size + n:
                    return
                header = parse_header(self.buffer[HEADER_PREFIX.size : HEADER_PREFIX.size + n])
                del self.buffer[: HEADER_PREFIX.size + n]
                layout = payload_layout(header["a"], self.max_bytes - n)
                self._header = header
                self._payload_len = sum(nbytes for _, _, nbytes in layout)
            if len(self.buffer) < self._payload_len:
                return
            payload = self.buffer[: self._payload_len]
            del self.buffer[: self._payload_len]
            header, self._header = self._header, None
            yield header, payload
