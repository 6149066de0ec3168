"""Drivers: one interface to drive either side of a comparison.

``LocalDriver`` runs trusted code (the reference, a known-mistake variant) in this
process, on deep copies of the inputs so nothing it does can leak into the other side.
``SandboxDriver`` sends the same requests to the student's code in a sandbox session;
what comes back is plain data or an opaque handle, never a live object.
"""

from __future__ import annotations

import copy
import dataclasses
import operator
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from sandbox import testfns
from sandbox.codec import FunctionRef

from .checks import StudentError, _Answer

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


class SandboxDriver:
    """Drives a live ``sandbox`` session; a student exception becomes StudentError."""

    def __init__(self, session, call_timeout: float):
        self.session = session
        self.call_timeout = call_timeout

    @staticmethod
    def _unwrap(result):
        if not result.ok:
            raise StudentError(dataclasses.asdict(result.error))
        return result.value

    def call(self, target, *args, **kwargs):
        return self._unwrap(self.session.call(target, args, kwargs, timeout=self.call_timeout))

    def call_keeping_args(self, target, *args, **kwargs):
        result = self.session.call(
            target, args, kwargs, timeout=self.call_timeout, return_args=True
        )
        return self._unwrap(result), result.args or []

    def call_many(self, target, calls, *, keeping_args=False):
        """One answer per `Call`, from as few round trips as possible: `_Answer`s holding
        the value (and the arguments after the call), or the student's error."""
        results = self.session.call_many(
            target,
            [(c.args, c.kwargs) for c in calls],
            timeout=self.call_timeout,
            return_args=keeping_args,
        )
        return [
            _Answer(r.value, None, r.args or [])
            if r.ok
            else _Answer(None, dataclasses.asdict(r.error), r.args or [])
            for r in results
        ]

    def method(self, obj, name, *args, **kwargs):
        return self._unwrap(self.session.method(obj, name, args, kwargs, timeout=self.call_timeout))

    def getattr(self, obj, name):
        return self._unwrap(self.session.getattr(obj, name, timeout=self.call_timeout))

    def op(self, name, *args):
        return self._unwrap(self.session.op(name, *args, timeout=self.call_timeout))
