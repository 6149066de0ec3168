import numpy as np
import pytest

from sandbox import testfns

rng = np.random.default_rng(7)
M = rng.normal(size=(3, 3))

CASES = {
    "quadratic": ({"A": M @ M.T + np.eye(3), "b": rng.normal(size=3)}, 3),
    "rosenbrock": ({}, 3),
    "narrow_valley": ({"scale": 50.0}, 2),
    "sum_of_squares": ({"center": rng.normal(size=4)}, 4),
    "tanh_sum": ({}, 5),
    "tiny_mlp": ({"X": rng.normal(size=(4, 2)), "y": rng.normal(size=4), "hidden": 3}, 3 * 2 + 7),
    "logistic_loss": ({"X": rng.normal(size=(5, 3)), "y": np.array([1, -1, 1, 1, -1.0])}, 3),
}


def central_difference(f, x, h=1e-6):
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def test_it_registers_every_case_tested_here():
    assert set(CASES) == set(testfns.REGISTRY)


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_has_gradients_that_match_central_differences(name):
    params, size = CASES[name]
    fn = testfns.build(name, params)
    x = np.random.default_rng(1).normal(size=size) * 0.7
    assert np.allclose(fn.grad(x), central_difference(fn, x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_returns_python_floats_and_fresh_float_arrays(name):
    params, size = CASES[name]
    fn = testfns.build(name, params)
    x = np.ones(size)
    assert type(fn(x)) is float
    g = fn.grad(x)
    assert g.dtype == np.float64
    assert g.shape == x.shape
    g[:] = 0
    assert np.array_equal(x, np.ones(size))


def test_it_flattens_any_input_shape_and_keeps_it_for_the_gradient():
    fn = testfns.build("tanh_sum")
    x = np.arange(6.0).reshape(2, 3) / 10
    assert fn(x) == pytest.approx(np.tanh(x).sum())
    assert fn.grad(x).shape == (2, 3)
    assert fn(np.float64(0.3)) == pytest.approx(np.tanh(0.3))


def test_it_counts_evaluations():
    fn = testfns.build("rosenbrock")
    for _ in range(3):
        fn([0.0, 0.0])
    fn.grad([0.0, 0.0])
    assert fn.counts() == {"value": 3, "grad": 1}


def test_it_builds_a_gradient_function_from_a_grad_name():
    grad = testfns.build(testfns.ref("narrow_valley.grad", scale=10.0))
    assert grad.name == "narrow_valley.grad"
    assert np.allclose(grad(np.array([1.0, 1.0])), [2.0, 20.0])
    assert grad.counts() == {"grad": 1}


def test_it_builds_identical_functions_from_the_same_reference():
    ref = testfns.ref("quadratic", **CASES["quadratic"][0])
    x = np.array([0.3, -0.2, 0.9])
    assert testfns.build(ref)(x) == testfns.build(ref)(x)


def test_it_knows_the_minimiser_of_a_quadratic():
    fn = testfns.build("quadratic", CASES["quadratic"][0])
    assert np.allclose(fn.grad(fn.minimizer()), 0.0, atol=1e-10)


@pytest.mark.parametrize("name", ["nope", "rosenbrock.hess", ".grad", "os.system"])
def test_it_rejects_unknown_names(name):
    with pytest.raises(KeyError):
        testfns.ref(name)


def test_it_rejects_mismatched_parameters():
    with pytest.raises(ValueError, match="A and b disagree in size"):
        testfns.build("quadratic", {"A": np.eye(2), "b": np.ones(3)})
    with pytest.raises(TypeError):
        testfns.build("rosenbrock", {"c": 1})
