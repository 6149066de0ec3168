"""A small arithmetic language for the answers of parameterized quiz questions.

Course files are reviewed, but they are still input: an answer expression is parsed with
``ast`` and walked node by node against an allow-list, never handed to ``eval``. Only
numbers, the question's parameter names, ``+ - * / **``, unary signs, parentheses and a
handful of math functions get through. Every value is a float, so ``10 ** 10 ** 10``
overflows at once instead of building a huge integer, and the length cap bounds how
deeply a source can nest.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping

MAX_LENGTH = 500


class ExpressionError(ValueError):
    """The expression is not in the language, or cannot be evaluated."""


def _round(x: float, ndigits: float = 0.0) -> float:
    return float(round(x, int(ndigits)))


# name -> (function, smallest and largest number of arguments; None: no upper bound)
FUNCTIONS: dict[str, tuple[Callable[..., float], int, int | None]] = {
    "sqrt": (math.sqrt, 1, 1),
    "exp": (math.exp, 1, 1),
    "log": (math.log, 1, 2),
    "ceil": (lambda x: float(math.ceil(x)), 1, 1),
    "floor": (lambda x: float(math.floor(x)), 1, 1),
    "abs": (abs, 1, 1),
    "round": (_round, 1, 2),
    "min": (min, 2, None),
    "max": (max, 2, None),
}
CONSTANTS = {"pi": math.pi}
RESERVED = frozenset(FUNCTIONS) | frozenset(CONSTANTS) | {"answer"}

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_UNARY = {ast.USub: lambda a: -a, ast.UAdd: lambda a: a}


class Expression:
    """A parsed, checked expression over a fixed set of names."""

    def __init__(self, source: str, names: Iterable[str]):
        if not isinstance(source, str):
            raise ExpressionError("the expression must be a string")
        if len(source) > MAX_LENGTH:
            raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
        self.source = source
        self.names = frozenset(names)
        try:
            tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError as exc:
            raise ExpressionError(f"does not parse: {exc.msg}") from None
        self._tree = tree.body
        self._check(self._tree)

    def _check(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise ExpressionError(f"{node.value!r} is not a number")
        elif isinstance(node, ast.Name):
            if node.id not in self.names and node.id not in CONSTANTS:
                known = ", ".join(sorted(self.names | set(CONSTANTS)))
                raise ExpressionError(f"unknown name {node.id!r} (known: {known})")
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
            self._check(node.operand)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                what = node.func.id if isinstance(node.func, ast.Name) else "this"
                allowed = ", ".join(sorted(FUNCTIONS))
                raise ExpressionError(f"cannot call {what!r} (allowed: {allowed})")
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise ExpressionError(f"{node.func.id}() takes plain arguments only")
            _, fewest, most = FUNCTIONS[node.func.id]
            if len(node.args) < fewest or (most is not None and len(node.args) > most):
                raise ExpressionError(
                    f"{node.func.id}() takes {fewest}"
                    + ("" if most == fewest else f" to {most or 'any number of'}")
                    + f" argument(s), not {len(node.args)}"
                )
            for arg in node.args:
                self._check(arg)
        else:
            raise ExpressionError(f"{type(node).__name__} is not allowed in an answer expression")

    def evaluate(self, values: Mapping[str, float]) -> float:
        missing = self.names - set(values)
        if missing:
            raise ExpressionError(f"no value for {', '.join(sorted(missing))}")
        try:
            result = self._eval(self._tree, values)
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise ExpressionError(f"cannot be evaluated: {exc}") from None
        if not math.isfinite(result):
            raise ExpressionError(f"evaluates to {result}")
        return result

    def _eval(self, node: ast.AST, values: Mapping[str, float]) -> float:
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return float(values[node.id]) if node.id in self.names else CONSTANTS[node.id]
        if isinstance(node, ast.BinOp):
            left = self._eval(node.left, values)
            right = self._eval(node.right, values)
            result = _BINARY[type(node.op)](left, right)
            if isinstance(result, complex):
                raise ValueError("a negative number raised to a fractional power")
            return float(result)
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](self._eval(node.operand, values))
        if isinstance(node, ast.Call):
            function = FUNCTIONS[node.func.id][0]
            return float(function(*(self._eval(arg, values) for arg in node.args)))
        raise ExpressionError(f"{type(node).__name__} is not allowed")  # unreachable: checked


def evaluate(source: str, values: Mapping[str, float]) -> float:
    return Expression(source, values.keys()).evaluate(values)
