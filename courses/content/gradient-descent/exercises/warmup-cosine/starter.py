import math


def warmup_cosine_lr(step, total_steps, warmup_steps, base_lr, min_lr=0.0) -> float:
    """Learning rate at `step`: linear warmup, then cosine decay to min_lr.

    step < warmup_steps:  base_lr * (step + 1) / warmup_steps
    otherwise:            p = (step - warmup_steps) / max(1, total_steps - warmup_steps)
                          min_lr + 0.5 * (base_lr - min_lr) * (1 + cos(pi * p))
    """
    return base_lr  # placeholder: a constant schedule
