import copy

import numpy as np

from judge.checks import PropertyCheck, ReferenceCheck, call


def _gradients(d):
    """1 to 4 arrays of different shapes and very different sizes (1e-6 to 1e6)."""
    grads = []
    for _ in range(d.integers(1, 4)):
        shape = d.shape(min_dims=1, max_dims=3, max_side=4)
        grads.append(d.array(shape, scale=d.choice([1e-6, 1e-2, 1.0, 100.0, 1e6])))
    return grads


def _total(grads):
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))


def lists(d):
    grads = _gradients(d)
    total = _total(grads)
    # clearly above or clearly below the threshold: never a near-tie
    ratio = d.choice([0.01, 0.3, 0.8, 1.25, 4.0])
    max_norm = total * ratio if total > 0 else d.choice([0.5, 1.0])
    return call(grads, max_norm)


def over_the_limit(d):
    grads = _gradients(d)
    grads.append(d.array((d.integers(1, 5),), scale=1.0) + 2.0)
    return call(grads, _total(grads) * d.choice([0.05, 0.3, 0.8]))


def under_the_limit(d):
    grads = _gradients(d)
    return call(grads, _total(grads) * d.choice([1.25, 3.0, 1e3]))


def _clipped(c, out):
    grads = c.args[0]
    if not isinstance(out, tuple | list) or len(out) != 2:
        return None, "clip_grad_norm must return a pair (clipped list, total norm)"
    arrays = out[0]
    if not isinstance(arrays, tuple | list) or len(arrays) != len(grads):
        return None, f"the first item must be a list of {len(grads)} arrays, one per gradient"
    for i, (a, g) in enumerate(zip(arrays, grads, strict=True)):
        if not isinstance(a, np.ndarray) or a.shape != g.shape:
            shape = a.shape if isinstance(a, np.ndarray) else type(a).__name__
            return (
                None,
                f"clipped array {i} must keep the shape {g.shape} of grads[{i}], not {shape}",
            )
    return arrays, None


def keeps_direction(c, out):
    arrays, problem = _clipped(c, out)
    if problem:
        return problem
    before = np.concatenate([g.ravel() for g in c.args[0]])
    after = np.concatenate([a.ravel() for a in arrays])
    factor = float(after @ before) / float(before @ before)
    if not 0.0 < factor <= 1.0 + 1e-9:
        return f"clipping must shrink all gradients by one factor between 0 and 1, but yours scaled them by {factor:.4g}"
    for i, (a, g) in enumerate(zip(arrays, c.args[0], strict=True)):
        if not np.allclose(a, factor * g, rtol=1e-6, atol=1e-12 * np.abs(g).max(initial=0.0)):
            ratios = a.ravel() / np.where(g.ravel() == 0, np.nan, g.ravel())
            return (
                "clipping must keep the direction: every entry of every array is multiplied by the "
                f"same factor, but in grads[{i}] yours multiplied entries by factors from "
                f"{np.nanmin(ratios):.4g} to {np.nanmax(ratios):.4g} (overall {factor:.4g})"
            )
    return None


def norm_at_most_max(c, out):
    arrays, problem = _clipped(c, out)
    if problem:
        return problem
    max_norm = c.args[1]
    norm = _total(arrays)
    if norm <= max_norm * (1 + 1e-6):
        return None
    return f"after clipping the total norm must be at most max_norm = {max_norm:.6g}, but yours is {norm:.6g}"


def unchanged_below(c, out):
    arrays, problem = _clipped(c, out)
    if problem:
        return problem
    for i, (a, g) in enumerate(zip(arrays, c.args[0], strict=True)):
        if not np.allclose(a, g, rtol=1e-12, atol=0.0):
            return (
                f"the total norm {_total(c.args[0]):.6g} is already below max_norm = {c.args[1]:.6g}, "
                f"so the gradients must come back unchanged, but grads[{i}] changed"
            )
    return None


def call_and_compare_inputs(driver, c):
    """What the list looked like before and after the call: in-place changes to the
    caller's arrays are invisible to the output but not to the arguments."""
    before = copy.deepcopy(c.args[0])
    _, args_after = driver.call_keeping_args("clip_grad_norm", *c.args)
    if not args_after:
        raise RuntimeError("the driver did not hand back the arguments after the call")
    return before, args_after[0]


def grads_untouched(c, observed):
    before, after = observed
    if not isinstance(after, list) or len(after) != len(before):
        return "the list grads itself was changed (items added or removed)"
    for i, (b, a) in enumerate(zip(before, after, strict=True)):
        if not isinstance(a, np.ndarray) or a.shape != b.shape or not np.array_equal(a, b):
            return (
                f"grads[{i}] was modified in place; build new arrays (g * scale) instead of "
                "changing the caller's gradients"
            )
    return None


CHECKS = [
    ReferenceCheck(
        "matches the reference on random lists of gradients (above and below max_norm)",
        lists,
        cases=25,
        points=4,
        outputs=("the clipped list", "the total norm"),
    ),
    PropertyCheck(
        "clipping keeps the direction (one shared factor)",
        over_the_limit,
        keeps_direction,
        cases=4,
        points=2,
    ),
    PropertyCheck(
        "after clipping the total norm is at most max_norm",
        over_the_limit,
        norm_at_most_max,
        cases=3,
        points=1,
    ),
    PropertyCheck(
        "gradients already under max_norm come back unchanged",
        under_the_limit,
        unchanged_below,
        cases=3,
        points=1,
    ),
    PropertyCheck(
        "does not modify the arrays in grads",
        over_the_limit,
        grads_untouched,
        observe=call_and_compare_inputs,
        cases=4,
        points=2,
        shrink=False,
    ),
]
