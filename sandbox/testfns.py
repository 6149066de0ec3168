"""Named objective functions handed to student optimisers.

The trusted side refers to one with `ref("rosenbrock", a=1.0)`; the runner builds it inside
the jail with `build()`, and the trusted side builds an identical instance with the same call
to run the reference solution. Every instance counts how often it was evaluated so checks can
ask, say, whether an optimiser stayed within its budget. The counts are measured inside the
jail, so they are exactly as trustworthy as the student's return value: a check may use them
to judge a submission, never to decide anything about the platform.

Each function is plain numpy and deterministic; it flattens its input (any shape, 0-d
included) and returns a Python float, and `grad` returns a new float64 array shaped like the
input. "<name>.grad" names the gradient of <name> as a function of its own, for optimisers
that take a gradient function.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sandbox.codec import FunctionRef


class TestFunction:
    name = ""
    # Not a pytest test class despite the name.
    __test__ = False

    def __init__(self) -> None:
        self.calls = 0
        self.grad_calls = 0

    def __call__(self, x: Any) -> float:
        self.calls += 1
        return float(self.value(self._vector(x)))

    def grad(self, x: Any) -> np.ndarray:
        self.grad_calls += 1
        shape = np.shape(x)
        return np.array(self.gradient(self._vector(x)), dtype=np.float64).reshape(shape)

    def counts(self) -> dict[str, int]:
        return {"value": int(self.calls), "grad": int(self.grad_calls)}

    @staticmethod
    def _vector(x: Any) -> np.ndarray:
        return np.asarray(x, dtype=np.float64).reshape(-1)

    def value(self, x: np.ndarray) -> float:
        raise NotImplementedError

    def gradient(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{self.name} test function>"

    # How the function reads to a student, as the statement would write it (a failing
    # input shows this, never the internal reference).
    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        return f"the test function {cls.name}"


def _number(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return "?"


def _matrix(value: Any, name: str) -> np.ndarray:
    m = np.asarray(value, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"{name} must be a square matrix")
    return m


def _vector_param(value: Any, name: str) -> np.ndarray:
    v = np.asarray(value, dtype=np.float64)
    if v.ndim != 1:
        raise ValueError(f"{name} must be a vector")
    return v


class Quadratic(TestFunction):
    """0.5 x^T A x - b^T x; for symmetric positive definite A the minimiser solves A x = b."""

    name = "quadratic"

    def __init__(self, A: Any, b: Any) -> None:
        super().__init__()
        self.A = _matrix(A, "A")
        self.b = _vector_param(b, "b")
        if self.b.shape[0] != self.A.shape[0]:
            raise ValueError("A and b disagree in size")

    def value(self, x: np.ndarray) -> float:
        return 0.5 * x @ self.A @ x - self.b @ x

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return 0.5 * (self.A + self.A.T) @ x - self.b

    def minimizer(self) -> np.ndarray:
        return np.linalg.solve(0.5 * (self.A + self.A.T), self.b)

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        return "f(x) = ½ xᵀA x − bᵀx (a quadratic bowl)"


class Rosenbrock(TestFunction):
    """sum_i b (x_{i+1} - x_i^2)^2 + (a - x_i)^2; minimum 0 at (a, a^2, ...) for a = 1."""

    name = "rosenbrock"

    def __init__(self, a: float = 1.0, b: float = 100.0) -> None:
        super().__init__()
        self.a = float(a)
        self.b = float(b)

    def value(self, x: np.ndarray) -> float:
        head, tail = x[:-1], x[1:]
        return float(np.sum(self.b * (tail - head**2) ** 2 + (self.a - head) ** 2))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        head, tail = x[:-1], x[1:]
        g = np.zeros_like(x)
        g[:-1] += -4.0 * self.b * head * (tail - head**2) - 2.0 * (self.a - head)
        g[1:] += 2.0 * self.b * (tail - head**2)
        return g

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        a, b = _number(params.get("a", 1.0)), _number(params.get("b", 100.0))
        return f"the Rosenbrock function f(x) = Σ {b}·(xᵢ₊₁ − xᵢ²)² + ({a} − xᵢ)²"


class NarrowValley(TestFunction):
    """x_0^2 + scale * sum(x_1..^2): condition number `scale`, where plain gradient descent
    zig-zags and momentum visibly helps."""

    name = "narrow_valley"

    def __init__(self, scale: float = 100.0) -> None:
        super().__init__()
        self.scale = float(scale)

    def _weights(self, n: int) -> np.ndarray:
        w = np.full(n, self.scale)
        w[0] = 1.0
        return w

    def value(self, x: np.ndarray) -> float:
        return float(np.sum(self._weights(x.size) * x**2))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return 2.0 * self._weights(x.size) * x

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        scale = _number(params.get("scale", 100.0))
        return f"f(x) = x₀² + {scale}·(x₁² + x₂² + …) (a narrow valley)"


class SumOfSquares(TestFunction):
    """sum((x - center)^2), the friendliest bowl."""

    name = "sum_of_squares"

    def __init__(self, center: Any = None) -> None:
        super().__init__()
        self.center = None if center is None else _vector_param(center, "center")

    def _shift(self, x: np.ndarray) -> np.ndarray:
        return x if self.center is None else x - self.center

    def value(self, x: np.ndarray) -> float:
        return float(np.sum(self._shift(x) ** 2))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return 2.0 * self._shift(x)

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        return "f(x) = Σ xᵢ²" if params.get("center") is None else "f(x) = Σ (xᵢ − cᵢ)²"


class TanhSum(TestFunction):
    """sum(tanh(x)): bounded, with gradients that vanish away from zero."""

    name = "tanh_sum"

    def value(self, x: np.ndarray) -> float:
        return float(np.sum(np.tanh(x)))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return 1.0 - np.tanh(x) ** 2

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        return "f(x) = Σ tanh(xᵢ)"


class TinyMLP(TestFunction):
    """Squared error of a one-hidden-layer tanh network on fixed data, as a function of the
    flattened parameters [W1 (h x d), b1 (h), w2 (h), b2]: a small non-convex loss."""

    name = "tiny_mlp"

    def __init__(self, X: Any, y: Any, hidden: int = 4) -> None:
        super().__init__()
        self.X = np.asarray(X, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64).reshape(-1)
        if self.X.ndim != 2 or self.X.shape[0] != self.y.shape[0]:
            raise ValueError("X must be (n, d) and y must have n entries")
        self.hidden = int(hidden)
        if self.hidden < 1:
            raise ValueError("hidden must be positive")

    @property
    def size(self) -> int:
        d, h = self.X.shape[1], self.hidden
        return h * d + h + h + 1

    def _unpack(self, theta: np.ndarray):
        if theta.size != self.size:
            raise ValueError(f"expected {self.size} parameters, got {theta.size}")
        d, h = self.X.shape[1], self.hidden
        W1 = theta[: h * d].reshape(h, d)
        b1 = theta[h * d : h * d + h]
        w2 = theta[h * d + h : h * d + 2 * h]
        b2 = theta[-1]
        return W1, b1, w2, b2

    def value(self, x: np.ndarray) -> float:
        W1, b1, w2, b2 = self._unpack(x)
        hidden = np.tanh(self.X @ W1.T + b1)
        residual = hidden @ w2 + b2 - self.y
        return float(np.mean(residual**2))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        W1, b1, w2, b2 = self._unpack(x)
        hidden = np.tanh(self.X @ W1.T + b1)
        residual = hidden @ w2 + b2 - self.y
        d_out = 2.0 * residual / self.y.size
        g_w2 = hidden.T @ d_out
        g_b2 = np.sum(d_out)
        d_hidden = np.outer(d_out, w2) * (1.0 - hidden**2)
        g_W1 = d_hidden.T @ self.X
        g_b1 = np.sum(d_hidden, axis=0)
        return np.concatenate([g_W1.ravel(), g_b1, g_w2, [g_b2]])

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        return "the squared error of a small tanh network, as a function of its weights"


class LogisticLoss(TestFunction):
    """Mean logistic loss of a linear classifier with labels in {-1, +1}."""

    name = "logistic_loss"

    def __init__(self, X: Any, y: Any) -> None:
        super().__init__()
        self.X = np.asarray(X, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64).reshape(-1)
        if self.X.ndim != 2 or self.X.shape[0] != self.y.shape[0]:
            raise ValueError("X must be (n, d) and y must have n entries")

    def value(self, x: np.ndarray) -> float:
        margins = self.y * (self.X @ x)
        return float(np.mean(np.logaddexp(0.0, -margins)))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        margins = self.y * (self.X @ x)
        weights = -self.y * np.exp(-np.logaddexp(0.0, margins))
        return self.X.T @ weights / self.y.size

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        return "the mean logistic loss of a linear classifier, as a function of its weights"


class Gradient:
    """The gradient of a test function as a callable of its own ("<name>.grad")."""

    __test__ = False

    def __init__(self, fn: TestFunction):
        self.fn = fn
        self.name = f"{fn.name}.grad"

    def __call__(self, x: Any) -> np.ndarray:
        return self.fn.grad(x)

    def counts(self) -> dict[str, int]:
        return {"grad": int(self.fn.grad_calls)}

    def __repr__(self) -> str:
        return f"<{self.name} test function>"


REGISTRY: dict[str, type[TestFunction]] = {
    cls.name: cls
    for cls in (Quadratic, Rosenbrock, NarrowValley, SumOfSquares, TanhSum, TinyMLP, LogisticLoss)
}
GRADIENT_SUFFIX = ".grad"


def _split(name: str) -> tuple[type[TestFunction], bool]:
    base, gradient = name, False
    if name.endswith(GRADIENT_SUFFIX):
        base, gradient = name[: -len(GRADIENT_SUFFIX)], True
    cls = REGISTRY.get(base)
    if cls is None:
        raise KeyError(f"unknown test function {name!r}")
    return cls, gradient


def describe(ref: FunctionRef) -> str:
    """A reference as the function it stands for: "the gradient of f(x) = Σ xᵢ²"."""
    try:
        cls, gradient = _split(ref.name)
    except KeyError:
        return "a function"
    params = ref.params if isinstance(ref.params, dict) else {}
    try:
        text = cls.describe(params)
    except Exception:  # parameters of an odd shape: the name is still better than nothing
        text = f"the test function {cls.name}"
    return f"the gradient of {text}" if gradient else text


def ref(name: str, *, key: str | None = None, **params: Any) -> FunctionRef:
    """A reference the trusted side can put in call arguments."""
    _split(name)
    return FunctionRef(name, params, key)


def build(
    name_or_ref: str | FunctionRef, params: dict[str, Any] | None = None
) -> TestFunction | Gradient:
    """A fresh instance; used by the runner and by reference solutions alike."""
    if isinstance(name_or_ref, FunctionRef):
        name, params = name_or_ref.name, name_or_ref.params
    else:
        name = name_or_ref
    cls, gradient = _split(name)
    fn = cls(**(params or {}))
    return Gradient(fn) if gradient else fn
