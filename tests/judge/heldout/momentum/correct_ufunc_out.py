"""Uses numpy ufuncs writing into freshly allocated output arrays."""
import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    new_v = np.empty_like(velocity, dtype=float)
    np.multiply(velocity, beta, out=new_v)
    np.add(new_v, grad, out=new_v)
    new_w = np.empty_like(w, dtype=float)
    np.multiply(new_v, -lr, out=new_w)
    np.add(new_w, w, out=new_w)
    return new_w, new_v
