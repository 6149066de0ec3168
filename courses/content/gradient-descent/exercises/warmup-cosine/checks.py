import math
from numbers import Real

from judge.checks import PropertyCheck, ReferenceCheck, call


def _schedule(d):
    warmup = d.choice([0, 1, 2, d.integers(3, 20)])
    total = warmup + d.choice([0, 1, d.integers(2, 60)])
    base_lr = d.choice([1e-4, 3e-4, 1e-3, 0.1, 1.0])
    kwargs = {}
    if d.integers(0, 2) > 0:
        kwargs["min_lr"] = base_lr * d.choice([0.0, 0.01, 0.1, 0.5])
    return total, warmup, base_lr, kwargs


def warmup_steps(d):
    """Steps inside the warmup: the first, the last, and one in between. Kept apart from the
    decay steps so that a failing case and the cases that confirm a known mistake are alike."""
    total, warmup, base_lr, kwargs = _schedule(d)
    warmup = d.choice([1, max(warmup, 2), d.integers(2, 12), d.integers(2, 12), d.integers(2, 12)])
    step = d.choice([0, warmup - 1, d.integers(0, warmup - 1), d.integers(0, warmup - 1)])
    return call(step, max(total, warmup), warmup, base_lr, **kwargs)


def decay_steps(d):
    """Steps from the end of warmup (0 to 20 warmup steps) to total_steps."""
    total, warmup, base_lr, kwargs = _schedule(d)
    step = d.choice(
        [warmup, warmup + 1, total, d.integers(warmup, total), d.integers(warmup, total)]
    )
    return call(min(step, total), total, warmup, base_lr, **kwargs)


def steps(d):
    return warmup_steps(d) if d.boolean() else decay_steps(d)


def with_warmup(d):
    """At least two warmup steps (with one, step 0 is also the last warmup step) and at
    least one decay step."""
    total, warmup, base_lr, kwargs = _schedule(d)
    warmup = max(warmup, d.integers(2, 8))
    return call(warmup + max(total - warmup, 1), warmup, base_lr, **kwargs)


def observe_warmup_end(driver, c):
    total, warmup, base_lr = c.args
    last_warmup = driver.call("warmup_cosine_lr", warmup - 1, total, warmup, base_lr, **c.kwargs)
    first_decay = driver.call("warmup_cosine_lr", warmup, total, warmup, base_lr, **c.kwargs)
    return last_warmup, first_decay


def _number(value):
    return not isinstance(value, bool) and isinstance(value, Real)


def continuous_at_warmup_end(c, out):
    total, warmup, base_lr = c.args
    last_warmup, first_decay = out
    if not (_number(last_warmup) and _number(first_decay)):
        return "warmup_cosine_lr must return a number"
    if math.isclose(last_warmup, base_lr, rel_tol=1e-9) and math.isclose(
        first_decay, base_lr, rel_tol=1e-9
    ):
        return None
    return (
        "the schedule must be continuous where warmup ends: the last warmup step "
        f"(step {warmup - 1}) and the first decay step (step {warmup}) should both give "
        f"base_lr = {base_lr:.6g}, but yours give {last_warmup:.6g} and {first_decay:.6g}"
    )


def observe_landmarks(driver, c):
    total, warmup, base_lr = c.args
    first = driver.call("warmup_cosine_lr", 0, total, warmup, base_lr, **c.kwargs)
    peak = driver.call("warmup_cosine_lr", warmup - 1, total, warmup, base_lr, **c.kwargs)
    last = driver.call("warmup_cosine_lr", total, total, warmup, base_lr, **c.kwargs)
    return first, peak, last


def starts_small_peaks_ends_at_min(c, out):
    total, warmup, base_lr = c.args
    min_lr = c.kwargs.get("min_lr", 0.0)
    first, peak, last = out
    if not all(_number(v) for v in out):
        return "warmup_cosine_lr must return a number"
    if not math.isclose(first, base_lr / warmup, rel_tol=1e-9):
        return (
            f"step 0 is the first of {warmup} warmup steps, so it gets base_lr / warmup_steps = "
            f"{base_lr / warmup:.6g} (not 0: the first step already trains), but yours gives {first:.6g}"
        )
    if not math.isclose(peak, base_lr, rel_tol=1e-9):
        return (
            f"the last warmup step (step {warmup - 1}) must reach base_lr = {base_lr:.6g}, "
            f"but yours gives {peak:.6g}"
        )
    if not math.isclose(last, min_lr, rel_tol=1e-9, abs_tol=1e-12 * base_lr):
        return (
            f"at step = total_steps ({total}) the cosine has finished its half turn and the rate "
            f"must be min_lr = {min_lr:.6g}, but yours gives {last:.6g}"
        )
    return None


def returns_a_number(c, out):
    return (
        None
        if _number(out)
        else f"warmup_cosine_lr must return one number, not {type(out).__name__}"
    )


CHECKS = [
    ReferenceCheck(
        "matches the reference during warmup (first step, last warmup step, in between)",
        warmup_steps,
        cases=20,
        points=3,
    ),
    ReferenceCheck(
        "matches the reference during the cosine decay (end of warmup to total_steps)",
        decay_steps,
        cases=20,
        points=3,
    ),
    PropertyCheck(
        "the schedule is continuous at the end of warmup",
        with_warmup,
        continuous_at_warmup_end,
        observe=observe_warmup_end,
        cases=4,
        points=2,
    ),
    PropertyCheck(
        "starts at base_lr / warmup_steps, reaches base_lr, ends at min_lr",
        with_warmup,
        starts_small_peaks_ends_at_min,
        observe=observe_landmarks,
        cases=4,
        points=2,
    ),
    PropertyCheck("returns a number", steps, returns_a_number, cases=2, points=1),
]
