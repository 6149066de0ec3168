"""Loops over the flattened arrays with plain floats and reshapes the results at the end."""
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    shape = np.shape(w)
    flat_w = np.ravel(w).tolist()
    flat_g = np.ravel(grad).tolist()
    flat_v = np.ravel(velocity).tolist()
    out_w, out_v = [], []
    for wi, gi, vi in zip(flat_w, flat_g, flat_v):
        vi = beta * vi + gi
        out_v.append(vi)
        out_w.append(wi - lr * (gi + beta * vi))
    return (np.array(out_w, dtype=float).reshape(shape),
            np.array(out_v, dtype=float).reshape(shape))
