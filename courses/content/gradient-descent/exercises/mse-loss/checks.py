import math

from judge.checks import NoMutationCheck, PropertyCheck, ReferenceCheck, call


def pairs(d):
    shape = d.shape(min_dims=1, max_dims=3, max_side=7)
    scale = d.choice([1e-4, 1.0, 1e3])
    return d.array(shape, scale=scale), d.array(shape, scale=scale)


def returns_a_number(c, out):
    if isinstance(out, float):
        return None
    return "mse_loss must return one plain number (a float), not an array or a tuple"


def exact(d):
    y = d.array(d.shape())
    return y, y.copy()


def is_zero(c, out):
    return None if out == 0 else f"predictions equal to the targets give loss {out}, not 0"


def miss_and_double_miss(d):
    y_true = d.array(d.shape())
    miss = d.array(y_true.shape) + 0.5
    return call(y_true, miss)


def observe_doubling(driver, c):
    y_true, miss = c.args
    return driver.call("mse_loss", y_true + miss, y_true), driver.call(
        "mse_loss", y_true + 2 * miss, y_true
    )


def four_times(c, out):
    single, double = out
    if not (isinstance(single, float) and isinstance(double, float)):
        return "mse_loss must return a float"
    if math.isclose(double, 4 * single, rel_tol=1e-6, abs_tol=1e-12):
        return None
    return f"doubling every miss should multiply the loss by 4, but it went from {single:.6g} to {double:.6g}"


CHECKS = [
    ReferenceCheck(
        "matches the reference on random arrays (1-D to 3-D, tiny to huge)",
        pairs,
        cases=25,
        points=4,
    ),
    PropertyCheck("returns a single float", pairs, returns_a_number, cases=2, points=1),
    PropertyCheck("is zero when predictions are exact", exact, is_zero, cases=2, points=1),
    PropertyCheck(
        "doubling the miss quadruples the loss",
        miss_and_double_miss,
        four_times,
        observe=observe_doubling,
        cases=3,
        points=2,
    ),
    NoMutationCheck("does not modify y_pred or y_true", pairs, cases=3),
]
