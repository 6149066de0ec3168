import numpy as np

from judge.compare import compare, plain


def test_equal_arrays_within_tolerance_agree():
    a = np.array([1.0, 2.0, 3.0])
    assert compare(a + 1e-9, a) is None


def test_a_shape_mismatch_names_both_shapes():
    assert compare(np.zeros(3), np.zeros((3, 1))) == "shape (3,) instead of (3, 1)"


def test_the_worst_element_is_named_with_its_index():
    expected = np.zeros((2, 2))
    got = expected.copy()
    got[1, 0] = 0.5
    assert compare(got, expected) == "1 of 4 values differ; worst at index (1, 0): 0.5 instead of 0"


def test_nan_where_a_finite_value_was_expected_is_reported():
    message = compare(np.array([np.nan, 1.0]), np.array([0.0, 1.0]))
    assert "non-finite value nan" in message


def test_tuples_are_compared_item_by_item_with_a_path():
    message = compare((1.0, np.ones(2)), (1.0, np.zeros(2)))
    assert message.startswith("2 of 2 values differ in item 1")


def test_a_wrong_container_type_is_explained():
    assert compare(3.0, (1.0, 2.0)) == "expected a tuple of 2, got a number"


def test_dict_keys_must_all_be_present():
    assert compare({"W1": 1.0}, {"W1": 1.0, "b1": 2.0}) == "missing key(s) 'b1'"


def test_booleans_are_not_numbers():
    assert compare(True, 1.0) == "expected a number, got a bool"


def test_plain_turns_numpy_scalars_and_float32_into_wire_types():
    out = plain((np.float32(1.5), np.arange(3, dtype=np.int32)))
    assert type(out[0]) is float
    assert out[1].dtype == np.int64


def test_a_test_function_shows_as_the_function_it_stands_for():
    from judge.compare import summarize
    from sandbox import testfns

    shown = summarize(testfns.ref("narrow_valley.grad", scale=10.0))
    assert shown == {
        "function": "the gradient of f(x) = x₀² + 10·(x₁² + x₂² + …) (a narrow valley)"
    }
    assert summarize(testfns.ref("sum_of_squares")) == {"function": "f(x) = Σ xᵢ²"}
    assert "Rosenbrock" in summarize(testfns.ref("rosenbrock", a=1.0, b=100.0))["function"]
    assert "FunctionRef" not in str(summarize(testfns.ref("quadratic", A=[[1.0]], b=[0.0])))
