"""Computes the residual, loss and gradient with einsum."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n = X.shape[0]
    r = np.einsum("nd,d->n", X, w) - y
    loss = np.einsum("n,n->", r, r) / n + lam * np.einsum("d,d->", w, w)
    grad = (2.0 / n) * np.einsum("nd,n->d", X, r) + 2.0 * lam * w
    return float(loss), grad
