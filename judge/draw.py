"""One way for exercise authors to describe inputs, two engines to draw them.

A check's ``case`` function receives a ``Draw`` and builds the arguments of one call:

    def case(d):
        shape = d.shape(max_dims=3)
        return d.array(shape, scale=d.choice([1e-3, 1.0, 1e3])), d.array(shape)

``RandomDraw`` backs it with a seeded numpy Generator: fast, used for every submission.
``HypothesisDraw`` backs the same function with Hypothesis, which can shrink a failing
case to the smallest input that still fails; it only runs once a submission has failed,
so correct code never pays for it.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


class RandomDraw:
    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def integers(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi + 1))

    def floats(self, lo: float, hi: float, log: bool = False) -> float:
        if log:
            return float(math.exp(self.rng.uniform(math.log(lo), math.log(hi))))
        return float(self.rng.uniform(lo, hi))

    def boolean(self) -> bool:
        return bool(self.rng.integers(0, 2))

    def choice(self, options):
        options = list(options)
        return options[int(self.rng.integers(0, len(options)))]

    def shape(
        self, min_dims: int = 1, max_dims: int = 3, min_side: int = 1, max_side: int = 6
    ) -> tuple:
        dims = self.integers(min_dims, max_dims)
        return tuple(self.integers(min_side, max_side) for _ in range(dims))

    def array(self, shape, scale: float = 1.0) -> np.ndarray:
        return self.rng.normal(0.0, scale, size=shape)

    def uniform_array(self, shape, lo: float, hi: float) -> np.ndarray:
        return self.rng.uniform(lo, hi, size=shape)

    def int_array(self, shape, lo: int, hi: int) -> np.ndarray:
        return self.rng.integers(lo, hi + 1, size=shape).astype(np.int64)

    def seed(self) -> int:
        return self.integers(0, 2**31 - 1)


def _roundness(item: tuple[int, object]) -> tuple:
    index, value = item
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return (1, 0.0, index)  # not a number: kept in the author's order, after numbers
    if value == 0:
        return (0, 0.0, index)
    return (0, abs(math.log10(abs(value))) + (0.01 if value < 0 else 0.0), index)


def roundest_first(options: list) -> list:
    """Numbers ordered by how far their magnitude is from 1 (1 and 0 first, then 2 and 0.5, then
    10 and 0.1, ...), a positive number before its negative; anything else after them,
    in the given order."""
    if not any(isinstance(v, int | float) and not isinstance(v, bool) for v in options):
        return options
    return [value for _, value in sorted(enumerate(options), key=_roundness)]


class HypothesisDraw:
    """The same interface over a Hypothesis ``draw`` (inside ``st.composite``); draws
    shrink towards small and simple."""

    def __init__(self, draw):
        self._draw = draw

    def integers(self, lo: int, hi: int) -> int:
        return self._draw(st.integers(lo, hi))

    def floats(self, lo: float, hi: float, log: bool = False) -> float:
        return self._draw(st.floats(lo, hi, allow_nan=False, allow_infinity=False))

    def boolean(self) -> bool:
        return self._draw(st.booleans())

    def choice(self, options):
        # Hypothesis shrinks a choice towards the first option: offer the roundest first
        # (1 before 1e-4 and 1e3), so a smallest failing input reads [0.] vs [2.] rather
        # than [9.8e-05] whenever the plain scale fails too. Same options, same domain.
        return self._draw(st.sampled_from(roundest_first(list(options))))

    def shape(
        self, min_dims: int = 1, max_dims: int = 3, min_side: int = 1, max_side: int = 6
    ) -> tuple:
        return self._draw(
            hnp.array_shapes(
                min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
            )
        )

    def _floats_array(self, shape, lo: float, hi: float) -> np.ndarray:
        elements = st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)
        return self._draw(hnp.arrays(np.float64, shape, elements=elements))

    def array(self, shape, scale: float = 1.0) -> np.ndarray:
        return self._floats_array(shape, -4.0 * scale, 4.0 * scale)

    def uniform_array(self, shape, lo: float, hi: float) -> np.ndarray:
        return self._floats_array(shape, lo, hi)

    def int_array(self, shape, lo: int, hi: int) -> np.ndarray:
        return self._draw(hnp.arrays(np.int64, shape, elements=st.integers(lo, hi)))

    def seed(self) -> int:
        return self._draw(st.integers(0, 2**31 - 1))
