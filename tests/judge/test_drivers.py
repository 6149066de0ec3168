"""The trusted side's driver: the reference runs on copies of the inputs, so nothing it
does reaches the student's side of a comparison."""

import types

import numpy as np

from judge import checks
from judge.drivers import LocalDriver


def module(source: str) -> types.ModuleType:
    made = types.ModuleType("reference")
    exec(compile(source, "reference.py", "exec"), made.__dict__)  # noqa: S102 - trusted test code
    return made


def test_the_reference_works_on_copies_of_its_inputs():
    driver = LocalDriver(module("def scale(x):\n    x *= 2\n    return x\n"))
    x = np.ones(3)
    assert np.array_equal(driver.call("scale", x), 2 * np.ones(3))
    assert np.array_equal(x, np.ones(3))


def test_it_can_show_the_arguments_after_the_call():
    driver = LocalDriver(module("def scale(x):\n    x *= 2\n    return None\n"))
    _, after = driver.call_keeping_args("scale", np.ones(2))
    assert np.array_equal(after[0], [2.0, 2.0])


def test_a_named_test_function_is_built_on_the_trusted_side():
    driver = LocalDriver(module("def at_zero(f):\n    return f(np.zeros(2))\nimport numpy as np\n"))
    assert driver.call("at_zero", checks.test_function("sum_of_squares")) == 0.0


def test_operators_are_applied_in_the_order_python_would():
    driver = LocalDriver(module(""))
    assert driver.op("rsub", 1.0, 5.0) == 4.0
    assert driver.op("neg", 2.0) == -2.0
