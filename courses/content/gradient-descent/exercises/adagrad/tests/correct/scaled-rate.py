import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    # each weight's own learning rate, lr / (sqrt(sum) + eps), then a plain step with it
    total = np.add(sq_sum, np.power(grad, 2))
    own_rate = lr / (total ** 0.5 + eps)
    return w - own_rate * grad, total
