# wrong (advisory): builds the penalty gradient by scaling the caller's w in place
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    r = X @ w - y
    loss = np.mean(r ** 2) + lam * np.sum(w ** 2)
    data_grad = 2 * X.T @ r / len(y)
    w *= 2 * lam
    return float(loss), data_grad + w
