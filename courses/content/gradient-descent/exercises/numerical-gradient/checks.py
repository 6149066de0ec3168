import numpy as np

from judge.checks import NoMutationCheck, PropertyCheck, ReferenceCheck, call, test_function


def _shape_of_size(d, size):
    """A shape with `size` entries: flat, a column, or two rows when it splits evenly."""
    options = [(size,), (size, 1)]
    if size % 2 == 0:
        options.append((2, size // 2))
    return d.choice(options)


def _function_and_point(d, kinds):
    """A named function and a point to differentiate it at. The functions flatten their
    input, so x may have any shape (0-d included for tanh_sum)."""
    kind = d.choice(kinds)
    if kind == "tanh_sum":
        shape = d.shape(min_dims=0, max_dims=3, max_side=4)
        return test_function(kind), d.array(shape, scale=d.choice([0.3, 1.0, 3.0]))
    if kind == "tiny_mlp":
        features, hidden, rows = d.integers(1, 2), d.integers(1, 2), d.integers(2, 4)
        fn = test_function(kind, X=d.array((rows, features)), y=d.array((rows,)), hidden=hidden)
        size = hidden * features + 2 * hidden + 1
        return fn, d.array(_shape_of_size(d, size))
    size = d.integers(2, 6)
    shape = _shape_of_size(d, size)
    if kind == "quadratic":
        fn = test_function(kind, A=d.array((size, size)), b=d.array((size,)))
    elif kind == "sum_of_squares":
        fn = test_function(kind, center=d.array((size,), scale=2.0))
    elif kind == "logistic_loss":
        rows = d.integers(2, 5)
        labels = np.where(d.uniform_array((rows,), 0.0, 1.0) < 0.5, -1.0, 1.0)
        fn = test_function(kind, X=d.array((rows, size)), y=labels)
    else:
        fn = test_function("rosenbrock")
        return fn, np.clip(d.array(shape), -1.5, 1.5)
    return fn, d.array(shape)


ALL_KINDS = [
    "tanh_sum",
    "tanh_sum",
    "quadratic",
    "sum_of_squares",
    "rosenbrock",
    "tiny_mlp",
    "logistic_loss",
]


def probes(d):
    """Every function with step sizes from 1e-6 to 0.5: big steps show which formula you
    use, since the reference uses exactly the same h."""
    fn, x = _function_and_point(d, ALL_KINDS)
    h = d.choice([None, 1e-6, 1e-4, 1e-3, 1e-2, 0.1, 0.5])
    return call(fn, x) if h is None else call(fn, x, h=h)


def default_step(d):
    fn, x = _function_and_point(
        d, ["tanh_sum", "quadratic", "rosenbrock", "tiny_mlp", "logistic_loss"]
    )
    return call(fn, x)


def big_steps(d):
    fn, x = _function_and_point(d, ["tanh_sum", "quadratic", "tiny_mlp"])
    if x.size < 3:
        x = d.array((d.integers(3, 6),))
        fn = test_function("tanh_sum")
    # steps that are not powers of two: x + h - 2h + h rarely lands back on x exactly
    return call(fn, x, h=d.choice([0.1, 0.3, 1.0 / 3.0, 0.7]))


def coarse_steps(d):
    """Curved functions (central differences are exact on quadratics) with a big h."""
    fn, x = _function_and_point(d, ["tanh_sum", "rosenbrock", "tiny_mlp", "logistic_loss"])
    return call(fn, x, h=d.choice([0.05, 0.2, 0.5]))


def uses_the_given_h(c, out):
    from sandbox import testfns

    fn, x = c.args
    h = c.kwargs["h"]
    if not isinstance(out, np.ndarray) or out.shape != np.shape(x):
        shape = out.shape if isinstance(out, np.ndarray) else type(out).__name__
        return f"the gradient must be an array shaped like x {np.shape(x)}, not {shape}"
    f = testfns.build(fn)
    expected = np.zeros(np.shape(x))
    for index in np.ndindex(np.shape(x)):
        up, down = np.array(x, dtype=np.float64), np.array(x, dtype=np.float64)
        up[index] += h
        down[index] -= h
        expected[index] = (f(up) - f(down)) / (2 * h)
    if np.allclose(out, expected, rtol=1e-6, atol=1e-9):
        return None
    index = tuple(
        int(i) for i in np.unravel_index(int(np.argmax(np.abs(out - expected))), out.shape)
    )
    return (
        f"with h = {h} the central difference (f(x + h e_i) - f(x - h e_i)) / (2h) at index {index} "
        f"is {expected[index]:.6g}, but yours is {out[index]:.6g}: use the h you are given, one "
        "entry at a time, with every other entry at its original value"
    )


def close_to_true_gradient(c, out):
    from sandbox import testfns

    fn, x = c.args
    if not isinstance(out, np.ndarray) or out.shape != np.shape(x):
        shape = out.shape if isinstance(out, np.ndarray) else type(out).__name__
        return f"the gradient must be an array shaped like x {np.shape(x)}, not {shape}"
    exact = testfns.build(fn).grad(x).reshape(np.shape(x))
    if np.allclose(out, exact, rtol=1e-4, atol=1e-6):
        return None
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(np.abs(out - exact))), out.shape))
    return (
        f"with the default h = 1e-5, central differences agree with the exact gradient of "
        f"{fn.name} to about 5 digits, but at index {index} yours gives {out[index]:.6g} where the "
        f"exact slope is {exact[index]:.6g}"
    )


def keeps_shape(c, out):
    x = c.args[1]
    if isinstance(out, np.ndarray) and out.shape == np.shape(x):
        return None
    shape = out.shape if isinstance(out, np.ndarray) else type(out).__name__
    return f"the gradient must have the shape of x {np.shape(x)} (one slope per entry), not {shape}"


CHECKS = [
    ReferenceCheck(
        "matches the reference (six functions, x from 0-d to 3-D, h from 1e-6 to 0.5)",
        probes,
        cases=25,
        points=5,
        rtol=1e-4,
        atol=1e-6,
    ),
    PropertyCheck(
        "agrees with the exact gradient for the default h",
        default_step,
        close_to_true_gradient,
        cases=4,
        points=2,
    ),
    PropertyCheck(
        "uses the step h it is given (big steps, curved functions)",
        coarse_steps,
        uses_the_given_h,
        cases=3,
        points=2,
    ),
    PropertyCheck("keeps the shape of x", probes, keeps_shape, cases=3, points=1),
    NoMutationCheck("leaves x exactly as it was (even with big steps h)", big_steps, cases=4),
]
