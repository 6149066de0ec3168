import numpy as np


def adamw_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """One AdamW step: decoupled weight decay, then an Adam step with the same grad.

    1. w <- w * (1 - lr * weight_decay)
    2. Adam: update raw m and v from grad, bias-correct with t (t starts at 1),
       w <- w - lr * m_hat / (sqrt(v_hat) + eps)
    Returns (new_w, new_m, new_v) as new arrays; leaves the inputs unchanged.
    """
    raise NotImplementedError
