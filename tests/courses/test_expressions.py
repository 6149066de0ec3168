import math

import pytest

from courses.expressions import Expression, ExpressionError, evaluate


def test_it_evaluates_arithmetic_over_the_params():
    assert evaluate("x0 - alpha * 2 * a * x0", {"x0": 3, "alpha": 0.1, "a": 1}) == pytest.approx(
        2.4
    )


def test_it_follows_python_precedence_for_powers_and_unary_minus():
    assert evaluate("-x ** 2", {"x": 3}) == -9.0
    assert evaluate("(-x) ** 2", {"x": 3}) == 9.0


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("sqrt(16)", 4.0),
        ("exp(0)", 1.0),
        ("log(e1)", 0.0),
        ("log(8, 2)", 3.0),
        ("ceil(10 / 3)", 4.0),
        ("floor(10 / 3)", 3.0),
        ("abs(-2.5)", 2.5),
        ("min(3, 1, 2)", 1.0),
        ("max(3, 1)", 3.0),
        ("round(2.345, 2)", 2.35),
        ("2 * pi", 2 * math.pi),
    ],
)
def test_it_allows_the_listed_math_functions(source, expected):
    assert evaluate(source, {"e1": 1}) == pytest.approx(expected)


def test_it_refuses_dunder_import():
    with pytest.raises(ExpressionError, match="cannot call '__import__'"):
        Expression("__import__('os')", [])


@pytest.mark.parametrize("source", ["x.real", "x.__class__", "(1).__class__.__bases__"])
def test_it_refuses_attribute_access(source):
    with pytest.raises(ExpressionError, match="not allowed|cannot call"):
        Expression(source, ["x"])


@pytest.mark.parametrize("source", ["open('f')", "eval('1')", "exec('1')", "pow(2, 3)"])
def test_it_refuses_calls_to_unknown_functions(source):
    with pytest.raises(ExpressionError, match="cannot call"):
        Expression(source, [])


def test_it_refuses_calling_the_result_of_an_expression():
    with pytest.raises(ExpressionError, match="cannot call"):
        Expression("sqrt(4)(2)", [])


def test_a_function_name_is_not_a_value():
    with pytest.raises(ExpressionError, match="unknown name 'sqrt'"):
        Expression("sqrt + 1", [])


def test_it_refuses_unknown_names():
    with pytest.raises(ExpressionError, match="unknown name 'z'"):
        Expression("x + z", ["x"])


@pytest.mark.parametrize(
    "source",
    [
        "[1, 2][0]",
        "(lambda: 1)()",
        "[i for i in (1, 2)]",
        "x if x else 1",
        "x < 1",
        "x % 2",
        "x // 2",
        "'a' * 3",
        "True + 1",
        "x := 1",
        "1j",
    ],
)
def test_it_refuses_anything_outside_the_arithmetic_language(source):
    with pytest.raises(ExpressionError):
        Expression(source, ["x"])


def test_it_refuses_keyword_arguments():
    with pytest.raises(ExpressionError, match="plain arguments"):
        Expression("round(x, ndigits=2)", ["x"])


def test_it_checks_how_many_arguments_a_function_takes():
    with pytest.raises(ExpressionError, match="sqrt\\(\\) takes 1"):
        Expression("sqrt(1, 2)", [])


def test_it_refuses_an_expression_that_does_not_parse():
    with pytest.raises(ExpressionError, match="does not parse"):
        Expression("2 * (x", ["x"])


def test_a_huge_power_overflows_instead_of_hanging():
    with pytest.raises(ExpressionError, match="cannot be evaluated"):
        evaluate("10 ** 10 ** 10", {})


def test_division_by_zero_is_an_expression_error():
    with pytest.raises(ExpressionError, match="cannot be evaluated"):
        evaluate("1 / x", {"x": 0})


def test_a_negative_base_to_a_fractional_power_is_an_expression_error():
    with pytest.raises(ExpressionError):
        evaluate("x ** 0.5", {"x": -4})


def test_it_refuses_an_overlong_expression():
    with pytest.raises(ExpressionError, match="longer than"):
        Expression("+".join(["1"] * 400), [])
