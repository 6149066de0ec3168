"""Checks for the Value class.

An expression is a small program, a list of instructions over numbered nodes:

    ("leaf", 1.5)              node = Value(1.5)
    ("op", "mul", i, j)        node = nodes[i] * nodes[j]
    ("num", "rsub", i, 2.0)    node = 2.0 - nodes[i] (the reflected form); "sub" is nodes[i] - 2.0
    ("pow", i, 3)              node = nodes[i] ** 3
    ("neg", i)                 node = -nodes[i]
    ("method", "tanh", i)      node = nodes[i].tanh()

The same program drives the student's class and the reference (through the driver) and,
as plain floats, the finite-difference check. Programs are built so that every value is
safe: no division by numbers near 0, no fractional power of a negative number, no relu
right at its kink, nothing over 1e3.
"""

import math

from judge.checks import PropertyCheck, ScenarioCheck, call

NUMBERS = [2.0, -1.5, 0.5, 3.0]
POWERS = [2, 3, -1, 0.5, 1.5]
LIMIT = 1e3


def _binary(name, a, b):
    if name == "add":
        return a + b
    if name == "sub":
        return a - b
    if name == "mul":
        return a * b
    return a / b if abs(b) >= 0.2 else None


def _with_number(name, a, c):
    reflected = name.startswith("r")
    base = name[1:] if reflected else name
    return _binary(base, c, a) if reflected else _binary(base, a, c)


def _power(a, p):
    if p == -1 and abs(a) < 0.2:
        return None
    if p != int(p) and a < 0.1:
        return None
    return a**p


def _method(name, a):
    if name == "relu":
        return None if abs(a) < 1e-3 else max(a, 0.0)
    if name == "tanh":
        return math.tanh(a)
    return math.exp(a) if a <= 5.0 else None


def step(instruction, values):
    """The float value of one instruction, given the values of the nodes before it."""
    kind = instruction[0]
    if kind == "leaf":
        return instruction[1]
    if kind == "op":
        return _binary(instruction[1], values[instruction[2]], values[instruction[3]])
    if kind == "num":
        return _with_number(instruction[1], values[instruction[2]], instruction[3])
    if kind == "pow":
        return _power(values[instruction[1]], instruction[2])
    if kind == "neg":
        return -values[instruction[1]]
    return _method(instruction[1], values[instruction[2]])


def evaluate(program, leaves=None):
    """The output of the program as plain floats, optionally with other leaf values."""
    values = []
    feed = iter(leaves) if leaves is not None else None
    for instruction in program:
        if instruction[0] == "leaf" and feed is not None:
            values.append(next(feed))
        else:
            values.append(step(instruction, values))
    return values[-1]


def _leaf_value(d):
    value = d.floats(-2.0, 2.0)
    return value if abs(value) >= 0.1 else 0.5


def random_program(d, leaves=(2, 3), ops=(3, 6)):
    program = [("leaf", _leaf_value(d)) for _ in range(d.integers(*leaves))]
    values = [p[1] for p in program]
    for _ in range(d.integers(*ops)):
        # half the time build on the newest node, otherwise reuse any earlier one: reused
        # nodes are what gradient accumulation and the topological order are about
        i = len(values) - 1 if d.boolean() else d.integers(0, len(values) - 1)
        kind = d.choice(["op", "op", "num", "pow", "neg", "method", "method"])
        if kind == "op":
            instruction = (
                "op",
                d.choice(["add", "sub", "mul", "truediv"]),
                i,
                d.integers(0, len(values) - 1),
            )
        elif kind == "num":
            name = d.choice(["add", "sub", "mul", "truediv", "radd", "rsub", "rmul", "rtruediv"])
            instruction = ("num", name, i, d.choice(NUMBERS))
        elif kind == "pow":
            instruction = ("pow", i, d.choice(POWERS))
        elif kind == "neg":
            instruction = ("neg", i)
        else:
            instruction = ("method", d.choice(["relu", "tanh", "exp"]), i)
        value = step(instruction, values)
        if value is None or not math.isfinite(value) or abs(value) > LIMIT:
            instruction, value = ("method", "tanh", i), math.tanh(values[i])
        program.append(instruction)
        values.append(value)
    return program


SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/"}


def _names(program):
    leaves = iter("abcdefgh")
    names = [
        next(leaves) if instruction[0] == "leaf" else f"n{i}"
        for i, instruction in enumerate(program)
    ]
    names[-1] = "out"
    return names


def describe(program):
    """The program as the Python a student would write, for the failing-input report."""
    names = _names(program)
    lines = []
    for name, instruction in zip(names, program, strict=True):
        kind = instruction[0]
        if kind == "leaf":
            text = f"Value({instruction[1]!r})"
        elif kind == "op":
            text = f"{names[instruction[2]]} {SYMBOLS[instruction[1]]} {names[instruction[3]]}"
        elif kind == "num":
            operation, operand, number = instruction[1], names[instruction[2]], instruction[3]
            if operation.startswith("r"):
                text = f"{number!r} {SYMBOLS[operation[1:]]} {operand}"
            else:
                text = f"{operand} {SYMBOLS[operation]} {number!r}"
        elif kind == "pow":
            text = f"{names[instruction[1]]} ** {instruction[2]!r}"
        elif kind == "neg":
            text = f"-{names[instruction[1]]}"
        else:
            text = f"{names[instruction[2]]}.{instruction[1]}()"
        lines.append(f"{name} = {text}")
    return "; ".join([*lines, "out.backward()"])


def run(driver, code, program, watch=()):
    """Build the expression with the driver, call backward() on the last node, and report
    out.data, the .grad of every leaf and the .data of the watched nodes. `code` is the
    same program as Python, only there to be shown first in the failing-input report."""
    names = _names(program)
    nodes = []
    for instruction in program:
        kind = instruction[0]
        if kind == "leaf":
            node = driver.call("Value", instruction[1])
        elif kind == "op":
            node = driver.op(instruction[1], nodes[instruction[2]], nodes[instruction[3]])
        elif kind == "num":
            node = driver.op(instruction[1], nodes[instruction[2]], instruction[3])
        elif kind == "pow":
            node = driver.op("pow", nodes[instruction[1]], instruction[2])
        elif kind == "neg":
            node = driver.op("neg", nodes[instruction[1]])
        else:
            node = driver.method(nodes[instruction[2]], instruction[1])
        nodes.append(node)
    driver.method(nodes[-1], "backward")
    observed = {label: driver.getattr(nodes[index], "data") for label, index in watch}
    observed["out.data"] = driver.getattr(nodes[-1], "data")
    for name, node, instruction in zip(names, nodes, program, strict=True):
        if instruction[0] == "leaf":
            observed[f"{name}.grad"] = driver.getattr(node, "grad")
    return observed


def expression(program, watch=()):
    return call(code=describe(program), program=program, watch=list(watch))


def random_expressions(d):
    return expression(random_program(d))


def shared_expressions(d):
    """Templates where a value is used more than once, some of them intermediate nodes."""
    a, b = _leaf_value(d), _leaf_value(d)
    template = d.choice(["a*b+a", "t*t+tanh(t)", "e*x+e/y"])
    if template == "a*b+a":
        program = [("leaf", a), ("leaf", b), ("op", "mul", 0, 1), ("op", "add", 2, 0)]
    elif template == "t*t+tanh(t)":
        # t = a * b + 1 feeds two paths: t must collect both before passing anything on
        program = [
            ("leaf", a), ("leaf", b), ("op", "mul", 0, 1), ("num", "add", 2, 1.0),
            ("op", "mul", 3, 3), ("method", "tanh", 3), ("op", "add", 4, 5),
        ]  # fmt: skip
    else:
        program = [
            ("leaf", a), ("leaf", b), ("op", "mul", 0, 1), ("method", "tanh", 2),
            ("method", "exp", 3), ("op", "mul", 4, 0), ("op", "truediv", 4, 1 if abs(b) >= 0.2 else 0),
            ("op", "add", 5, 6),
        ]  # fmt: skip
    return expression(program)


def every_operation(d):
    """Each operator (reflected forms with the number on the left included) and each method
    once, in one expression; the data of the reflected results is reported too."""
    x = d.choice([-1.0, 1.0]) * d.floats(0.3, 2.0)
    y = d.floats(0.3, 1.5)
    program = [
        ("leaf", x), ("leaf", y),
        ("num", "rmul", 0, 2.0), ("num", "rsub", 0, 1.0), ("num", "rtruediv", 0, 3.0),
        ("num", "radd", 1, 1.5), ("op", "mul", 2, 3), ("op", "add", 6, 4), ("op", "sub", 7, 5),
        ("method", "tanh", 0), ("method", "exp", 1), ("op", "mul", 0, 1), ("method", "relu", 11),
        ("pow", 1, 1.5), ("neg", 9), ("op", "truediv", 10, 5), ("op", "mul", 8, 14),
        ("op", "add", 16, 15), ("op", "add", 17, 12), ("op", "sub", 18, 13),
    ]  # fmt: skip
    watch = [
        ("a.data afterwards", 0),
        ("2.0 * a", 2),
        ("1.0 - a", 3),
        ("3.0 / a", 4),
        ("1.5 + b", 5),
    ]
    return expression(program, watch)


def _number(value):
    return not isinstance(value, bool) and isinstance(value, int | float)


def matches_finite_differences(c, observed):
    program = c.kwargs["program"]
    names = [n for n, i in zip(_names(program), program, strict=True) if i[0] == "leaf"]
    leaves = [instruction[1] for instruction in program if instruction[0] == "leaf"]
    grads = [observed.get(f"{name}.grad") for name in names] if isinstance(observed, dict) else []
    if len(grads) != len(leaves) or not all(_number(g) for g in grads):
        return "every leaf's .grad must be a number after backward()"
    for k, (name, value) in enumerate(zip(names, leaves, strict=True)):
        h = 1e-6 * max(1.0, abs(value))
        up = evaluate(program, [v + h if i == k else v for i, v in enumerate(leaves)])
        down = evaluate(program, [v - h if i == k else v for i, v in enumerate(leaves)])
        numeric = (up - down) / (2 * h)
        if not math.isclose(grads[k], numeric, rel_tol=1e-4, abs_tol=1e-5):
            return (
                f"{name}.grad is {grads[k]:.6g}, but nudging {name} (data {value:.4g}) changes out at a "
                f"rate of {numeric:.6g}: the gradient does not match finite differences"
            )
    return None


def observe_new_value(driver, c):
    v = driver.call("Value", *c.args)
    return driver.getattr(v, "data"), driver.getattr(v, "grad")


def new_value_is_plain(c, observed):
    data, grad = observed
    number = c.args[0]
    if not isinstance(data, float) or data != float(number):
        return f"Value({number!r}).data must be the float {float(number)!r}, not {data!r}"
    if not _number(grad) or grad != 0:
        return f"a new Value must start with .grad = 0.0, not {grad!r}"
    return None


def new_values(d):
    return call(d.choice([3, -2, 0, 1.5, -0.25]))


CHECKS = [
    ScenarioCheck(
        "random expressions: same output and leaf gradients as the reference",
        random_expressions,
        run,
        cases=3,
        points=8,
        atol=1e-9,
    ),
    ScenarioCheck(
        "gradients accumulate through shared sub-expressions (a*b + a, t*t + tanh(t), ...)",
        shared_expressions,
        run,
        cases=3,
        points=5,
        atol=1e-9,
    ),
    ScenarioCheck(
        "every operator and method once, reflected forms too (2.0 * a, 1.0 - a, 3.0 / a, 1.5 + b)",
        every_operation,
        run,
        cases=1,
        points=4,
        atol=1e-9,
    ),
    PropertyCheck(
        "leaf gradients match finite differences",
        random_expressions,
        matches_finite_differences,
        observe=lambda driver, c: run(driver, *c.args, **c.kwargs),
        cases=2,
        points=3,
    ),
    PropertyCheck(
        "Value(x) stores x as a float and starts with grad 0",
        new_values,
        new_value_is_plain,
        observe=observe_new_value,
        cases=2,
        points=1,
    ),
]
