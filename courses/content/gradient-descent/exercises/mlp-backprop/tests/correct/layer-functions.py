import numpy as np


def _affine_backward(inp, W, d_out):
    return d_out @ W.T, inp.T @ d_out, d_out.sum(axis=0)


def _relu_backward(z, d_out):
    d = d_out.copy()
    d[z <= 0] = 0.0
    return d


def mlp_loss_and_grads(params, X, y):
    n = len(y)
    z1 = X @ params["W1"] + params["b1"]
    h = np.clip(z1, 0.0, None)
    logits = h @ params["W2"] + params["b2"]
    m = logits.max(axis=1, keepdims=True)
    e = np.exp(logits - m)
    s = e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(s[:, 0]) + m[:, 0] - logits[np.arange(n), y]))
    d_logits = e / s
    d_logits[np.arange(n), y] -= 1.0
    d_logits = d_logits / n
    d_h, d_W2, d_b2 = _affine_backward(h, params["W2"], d_logits)
    _, d_W1, d_b1 = _affine_backward(X, params["W1"], _relu_backward(z1, d_h))
    return loss, {"W1": d_W1, "b1": d_b1, "W2": d_W2, "b2": d_b2}
