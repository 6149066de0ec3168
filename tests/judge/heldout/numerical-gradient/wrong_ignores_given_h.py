"""Hard-codes the step 1e-5 and ignores the h it is given."""
import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    step = 1e-5
    probe = np.array(x, dtype=float)
    grad = np.zeros_like(probe)
    for index in np.ndindex(probe.shape):
        original = probe[index]
        probe[index] = original + step
        up = f(probe)
        probe[index] = original - step
        down = f(probe)
        probe[index] = original
        grad[index] = (up - down) / (2 * step)
    return grad
