import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    # All probing happens on a private copy, so the caller's x is never touched,
    # not even temporarily.
    probe = np.array(x, dtype=np.float64, copy=True)
    grad = np.zeros_like(probe)
    for index in np.ndindex(probe.shape):
        original = probe[index]
        probe[index] = original + h
        up = float(f(probe.copy()))
        probe[index] = original - h
        down = float(f(probe.copy()))
        # put back the saved value itself: adding and subtracting h could leave
        # a rounding error behind
        probe[index] = original
        grad[index] = (up - down) / (2.0 * h)
    return grad
