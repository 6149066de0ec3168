import json
import math
import pickle
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sandbox import codec
from sandbox.codec import (
    FrameReader,
    FrameTooLarge,
    FunctionRef,
    Handle,
    NotPlainData,
    ProtocolError,
    decode_frame_bytes,
    encode_frame_bytes,
)


def roundtrip(value, **kwargs):
    return decode_frame_bytes(encode_frame_bytes(value), **kwargs)


def frame(header: dict, payload: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack(">I", len(raw)) + raw + payload


def same(a, b):
    """Equality that also checks exact types and treats NaN as equal to itself."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


# Text a run may send unchanged: no control characters but tab, newline and carriage return,
# no lone surrogates (those are cleaned; see the tests of hostile text below).
clean = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r"))
scalars = st.none() | st.booleans() | st.integers() | st.floats() | clean
arrays = hnp.arrays(
    st.sampled_from([np.float64, np.int64, np.bool_]),
    hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
)
values = st.recursive(
    scalars | arrays,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(clean.filter(lambda k: len(k) <= 8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(values)
@settings(max_examples=200, deadline=None)
def test_it_round_trips_plain_data_exactly(value):
    assert same(roundtrip(value), value)


def test_it_keeps_tuples_lists_and_dicts_apart():
    value = {"t": (1, [2, (3,)]), "l": [], "d": {}}
    out = roundtrip(value)
    assert same(out, value)


def test_it_carries_nan_and_infinities():
    out = roundtrip([math.nan, math.inf, -math.inf, np.array([math.nan, -math.inf])])
    assert math.isnan(out[0])
    assert out[1] == math.inf
    assert out[2] == -math.inf
    assert np.isnan(out[3][0])
    assert out[3][1] == -math.inf


def test_it_widens_other_numeric_dtypes_to_the_wire_dtypes():
    out = roundtrip([np.arange(3, dtype=np.float32), np.arange(3, dtype=np.uint8)])
    assert out[0].dtype == np.float64
    assert out[1].dtype == np.int64
    assert out[1].tolist() == [0, 1, 2]


def test_it_sends_numpy_scalars_as_python_numbers():
    out = roundtrip([np.float64(1.5), np.int32(7), np.bool_(True)])
    assert same(out, [1.5, 7, True])


def test_it_decodes_arrays_as_writable_copies():
    out = roundtrip(np.arange(4.0))
    out[0] = 9.0
    assert out.flags.owndata or out.base is not None


def test_it_carries_handles_and_function_refs_where_allowed():
    ref = FunctionRef("quadratic", {"A": np.eye(2), "b": np.ones(2)}, key="f")
    out = roundtrip([Handle(3, "Value"), ref], allow_fn=True)
    assert out[0] == Handle(3, "Value")
    assert out[1].name == "quadratic"
    assert out[1].key == "f"
    assert np.array_equal(out[1].params["A"], np.eye(2))


def test_it_rejects_function_refs_from_the_jail():
    data = encode_frame_bytes([FunctionRef("rosenbrock")])
    with pytest.raises(ProtocolError):
        decode_frame_bytes(data)


def test_it_keeps_user_keys_that_look_like_tags_as_plain_dict_keys():
    value = {"__handle__": 5, "__array__": 0, "__fn__": "x"}
    assert same(roundtrip(value), value)


@pytest.mark.parametrize(
    "value",
    [
        {1: "int key"},
        b"bytes",
        {1, 2},
        complex(1, 2),
        np.array([1 + 2j]),
        np.array(["text"]),
        np.array([object()], dtype=object),
        object(),
        type("F", (float,), {})(1.0),
        type("L", (list,), {})([1]),
        np.arange(3).view(np.matrix),
    ],
)
def test_it_refuses_non_plain_data_without_a_fallback(value):
    with pytest.raises(NotPlainData):
        encode_frame_bytes(value)


def test_it_turns_non_plain_data_into_handles_with_a_fallback():
    kept = []

    def keep(obj):
        kept.append(obj)
        return Handle(len(kept), type(obj).__name__)

    class Value:
        pass

    out = decode_frame_bytes(encode_frame_bytes([1.0, Value(), {"k": b"x"}], fallback=keep))
    assert out[0] == 1.0
    assert out[1] == Handle(1, "Value")
    assert out[2] == {"k": Handle(2, "bytes")}


def test_it_turns_self_referencing_lists_into_handles():
    loop = []
    loop.append(loop)
    out = decode_frame_bytes(encode_frame_bytes(loop, fallback=lambda o: Handle(1, "list")))
    depth = 0
    while isinstance(out, list):
        out = out[0]
        depth += 1
    assert out == Handle(1, "list")
    assert depth <= codec.MAX_DEPTH + 1


def test_it_refuses_to_encode_past_the_size_cap():
    with pytest.raises(FrameTooLarge):
        encode_frame_bytes(np.zeros(1000), max_bytes=4000)


def test_it_never_unpickles():
    evil = pickle.dumps({"x": 1})
    for raw in (evil, struct.pack(">I", len(evil)) + evil):
        with pytest.raises(ProtocolError):
            decode_frame_bytes(raw)


@pytest.mark.parametrize(
    "header",
    [
        {"v": 1},
        {"v": 1, "a": [], "extra": 0},
        {"v": {"__array__": 0}, "a": []},
        {"v": {"__array__": 0}, "a": [["f8", [1], 8]], "x": 1},
        {"v": {"__array__": 0}, "a": [["O", [1], 8]]},
        {"v": {"__array__": 0}, "a": [["f8", [2], 8]]},
        {"v": {"__array__": 0}, "a": [["f8", [-1], 8]]},
        {"v": {"__array__": 0}, "a": [["f8", [1] * 33, 8]]},
        {"v": {"__dict__": [1]}, "a": []},
        {"v": {"__tuple__": {}}, "a": []},
        {"v": {"__handle__": "1"}, "a": []},
        {"v": {"__handle__": -1}, "a": []},
        {"v": {"__pickle__": "gASV"}, "a": []},
        {"v": {"__reduce__": ["os.system", ["true"]]}, "a": []},
        {"v": {"a": 1}, "a": []},
        {"v": {"__tuple__": [], "__dict__": {}}, "a": []},
    ],
)
def test_it_rejects_malformed_headers(header):
    payload = b"\0" * 8 if header.get("a") else b""
    with pytest.raises(ProtocolError):
        decode_frame_bytes(frame(header, payload))


def test_it_rejects_an_array_payload_used_twice():
    header = {"v": [{"__array__": 0}, {"__array__": 0}], "a": [["f8", [1], 8]]}
    with pytest.raises(ProtocolError):
        decode_frame_bytes(frame(header, b"\0" * 8))


def test_it_rejects_an_unreferenced_payload():
    with pytest.raises(ProtocolError):
        decode_frame_bytes(frame({"v": None, "a": [["f8", [1], 8]]}, b"\0" * 8))


def test_it_rejects_trailing_bytes():
    with pytest.raises(ProtocolError):
        decode_frame_bytes(encode_frame_bytes(1) + b"x")


def test_it_rejects_duplicate_keys():
    raw = b'{"v": 1, "v": 2, "a": []}'
    with pytest.raises(ProtocolError):
        decode_frame_bytes(struct.pack(">I", len(raw)) + raw)


def test_it_rejects_headers_that_are_not_utf8_json():
    for raw in (b"\xff\xfe\x00", b"{not json", b"[1, 2]"):
        with pytest.raises(ProtocolError):
            decode_frame_bytes(struct.pack(">I", len(raw)) + raw)


def test_it_rejects_nesting_deeper_than_the_limit():
    deep = {"v": None, "a": []}
    node = None
    for _ in range(codec.MAX_DEPTH + 5):
        node = [node]
    deep["v"] = node
    with pytest.raises(ProtocolError):
        decode_frame_bytes(frame(deep))


def test_it_rejects_json_nested_past_the_recursion_limit():
    raw = b'{"v": ' + b"[" * 100_000 + b"]" * 100_000 + b', "a": []}'
    with pytest.raises(ProtocolError):
        decode_frame_bytes(struct.pack(">I", len(raw)) + raw)


def test_it_refuses_an_oversized_frame_from_its_length_prefix_alone():
    reader = FrameReader(max_bytes=1024)
    with pytest.raises(FrameTooLarge):
        list(reader.feed(struct.pack(">I", 2048)))


def test_it_refuses_payloads_declared_over_the_cap_before_receiving_them():
    reader = FrameReader(max_bytes=1024)
    header = {"v": {"__array__": 0}, "a": [["f8", [1000], 8000]]}
    with pytest.raises(FrameTooLarge):
        list(reader.feed(frame(header)))


def test_it_reassembles_frames_fed_byte_by_byte():
    data = encode_frame_bytes({"x": np.arange(5.0)}) + encode_frame_bytes([1, "two"])
    reader = FrameReader()
    frames = []
    for i in range(len(data)):
        frames.extend(reader.feed(data[i : i + 1]))
    decoded = [codec.decode_frame(h, p) for h, p in frames]
    assert same(decoded, [{"x": np.arange(5.0)}, [1, "two"]])
    assert reader.pending == 0


def test_it_refuses_integers_too_long_to_print():
    raw = b'{"v": ' + b"9" * 5000 + b', "a": []}'
    with pytest.raises(ProtocolError):
        decode_frame_bytes(struct.pack(">I", len(raw)) + raw)


# --- hostile frames: what decoding costs is bounded before the work is done ---------------


def test_it_refuses_a_header_over_the_header_cap_before_buffering_it():
    reader = FrameReader(max_bytes=64 * 1024 * 1024)
    prefix = struct.pack(">I", codec.MAX_HEADER_BYTES + 1)
    with pytest.raises(FrameTooLarge):
        list(reader.feed(prefix))


def test_it_refuses_a_number_with_more_digits_than_the_cap():
    digits = "9" * (codec.MAX_NUMBER_DIGITS + 1)
    raw = ('{"v":' + digits + ',"a":[]}').encode()
    with pytest.raises(ProtocolError, match="digits"):
        decode_frame_bytes(struct.pack(">I", len(raw)) + raw)


def test_it_refuses_a_value_tree_with_more_nodes_than_the_cap():
    tree = [0] * (codec.MAX_NODES + 1)
    with pytest.raises(ProtocolError, match="parts"):
        decode_frame_bytes(frame({"v": tree, "a": []}))


def test_it_sends_an_int_too_long_to_decode_as_a_handle_not_as_digits():
    sent = []
    encode_frame_bytes(10**1000, fallback=lambda v: sent.append(v) or Handle(1, "int"))
    assert sent == [10**1000]
    assert roundtrip(10**100) == 10**100


def test_it_decodes_nul_surrogates_and_controls_as_replacement_characters():
    header = {
        "v": {"__dict__": {"k\u0000": ["a\u0000b", "\ud800", "\x1b[2J", "tab\tok\n"]}},
        "a": [],
    }
    value = decode_frame_bytes(frame(header))
    assert value == {"k\ufffd": ["a\ufffdb", "\ufffd", "\ufffd[2J", "tab\tok\n"]}
    json.dumps(value).encode("utf-8")  # storable and showable
