import numpy as np


def warmup_cosine_lr(step, total_steps, warmup_steps, base_lr, min_lr=0.0):
    if warmup_steps > 0 and step <= warmup_steps - 1:
        return float(np.interp(step, [-1, warmup_steps - 1], [0.0, base_lr]))
    p = (step - warmup_steps) / np.maximum(1, total_steps - warmup_steps)
    weight = (1.0 + np.cos(np.pi * p)) / 2.0
    return float(weight * base_lr + (1.0 - weight) * min_lr)
