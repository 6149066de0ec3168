import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    r = np.einsum("nd,d->n", X, w) - y
    loss = np.einsum("n,n->", r, r) / r.shape[0] + lam * np.einsum("d,d->", w, w)
    grad = np.einsum("nd,n->d", X, r) * (2.0 / r.shape[0])
    grad += 2.0 * lam * w
    return float(loss), grad
