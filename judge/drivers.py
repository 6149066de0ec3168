"""Drivers: one interface to drive either side of a comparison.

``LocalDriver`` runs trusted code (the reference, a known-mistake variant) in this
process, on deep copies of the inputs so nothing it does can leak into the other side.
``SandboxDriver`` sends the same requests to the student's code in a sandbox session;
what comes back is plain data or an opaque handle, never a live object.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import operator
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from sandbox import testfns
from sandbox.codec import FunctionRef

from .checks import AnswerRefused, StudentError, _Answer

# The most numbers (array elements and scalars) one answer may hold. The codec already caps a
# frame at the result size; this keeps what the checks then loop over in Python (an
# author's property, a figure) to what a grading can afford, whatever the exercise.
MAX_ANSWER_NUMBERS = 100_000


_SCALARS = frozenset({float, int, bool, str, type(None)})


def bounded(value, budget: int = MAX_ANSWER_NUMBERS):
    """The value itself, or AnswerRefused when it holds more numbers than `budget`."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is np.ndarray and value.size + math.prod(value.shape[:-1]) <= budget:
        return value
    stack, count = [value], 0
    while stack:
        item = stack.pop()
        if isinstance(item, np.ndarray):
            # The leading dimensions count too: an empty (2**28, 0) array holds no number
            # but tolist() builds 2**28 lists from it.
            count += item.size + math.prod(item.shape[:-1])
        elif isinstance(item, list | tuple):
            count += 1
            stack.extend(item)
        elif isinstance(item, dict):
            count += 1
            stack.extend(item.values())
        else:
            count += 1
        if count > budget:
            raise AnswerRefused(
                f"your code's answer holds more than {budget:,} numbers; nothing this "
                "exercise asks for is that large"
            )
    return value


OPERATORS: dict[str, Callable[..., Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "pow": operator.pow,
    "neg": operator.neg,
    "radd": lambda a, b: b + a,
    "rsub": lambda a, b: b - a,
    "rmul": lambda a, b: b * a,
    "rtruediv": lambda a, b: b / a,
}


def _local_value(value):
    if isinstance(value, FunctionRef):
        return testfns.build(value)
    if isinstance(value, tuple):
        return tuple(_local_value(v) for v in value)
    if isinstance(value, list):
        return [_local_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _local_value(v) for k, v in value.items()}
    return copy.deepcopy(value)


class LocalDriver:
    def __init__(self, module: ModuleType):
        self.module = module

    def _target(self, target):
        return getattr(self.module, target) if isinstance(target, str) else target

    # Known-mistake variants overflow and divide by zero on purpose; their warnings are
    # noise in the worker's log, never a signal.
    def call(self, target, *args, **kwargs):
        with np.errstate(all="ignore"):
            return self._target(target)(*_local_value(args), **_local_value(kwargs))

    def call_keeping_args(self, target, *args, **kwargs):
        local_args = _local_value(args)
        with np.errstate(all="ignore"):
            out = self._target(target)(*local_args, **_local_value(kwargs))
        return out, list(local_args)

    def method(self, obj, name, *args, **kwargs):
        return getattr(obj, name)(*args, **kwargs)

    def getattr(self, obj, name):
        return getattr(obj, name)

    def op(self, name, *args):
        return OPERATORS[name](*args)


def _answer(result) -> _Answer:
    if not result.ok:
        return _Answer(None, dataclasses.asdict(result.error))
    try:
        return _Answer(bounded(result.value), None, bounded(result.args or []))
    except AnswerRefused as refused:
        return _Answer(refused=refused.message)


class TimedDriver(LocalDriver):
    """A LocalDriver that adds up the seconds its calls take: the reference standing in for
    a timed-out submission (judge.engine says how long it takes on the same cases). Not
    used while grading, where the timing would be work for nothing."""

    def __init__(self, module: ModuleType):
        super().__init__(module)
        self.spent_s = 0.0

    def call(self, target, *args, **kwargs):
        started = time.perf_counter()
        try:
            return super().call(target, *args, **kwargs)
        finally:
            self.spent_s += time.perf_counter() - started

    def call_keeping_args(self, target, *args, **kwargs):
        started = time.perf_counter()
        try:
            return super().call_keeping_args(target, *args, **kwargs)
        finally:
            self.spent_s += time.perf_counter() - started


class SandboxDriver:
    """Drives a live ``sandbox`` session; a student exception becomes StudentError."""

    def __init__(self, session, call_timeout: float):
        self.session = session
        self.call_timeout = call_timeout

    @staticmethod
    def _unwrap(result):
        if not result.ok:
            raise StudentError(dataclasses.asdict(result.error))
        return bounded(result.value)

    def call(self, target, *args, **kwargs):
        return self._unwrap(self.session.call(target, args, kwargs, timeout=self.call_timeout))

    def call_keeping_args(self, target, *args, **kwargs):
        result = self.session.call(
            target, args, kwargs, timeout=self.call_timeout, return_args=True
        )
        return self._unwrap(result), bounded(result.args or [])

    def call_many(self, target, calls, *, keeping_args=False):
        """One answer per `Call`, from as few round trips as possible: `_Answer`s holding
        the value (and the arguments after the call), or the student's error."""
        return self.session.call_many(
            target,
            [(c.args, c.kwargs) for c in calls],
            timeout=self.call_timeout,
            return_args=keeping_args,
            each=_answer,
        )

    def method(self, obj, name, *args, **kwargs):
        return self._unwrap(self.session.method(obj, name, args, kwargs, timeout=self.call_timeout))

    def getattr(self, obj, name):
        return self._unwrap(self.session.getattr(obj, name, timeout=self.call_timeout))

    def op(self, name, *args):
        return self._unwrap(self.session.op(name, *args, timeout=self.call_timeout))
