import math


def warmup_cosine_lr(step, total_steps, warmup_steps, base_lr, min_lr=0.0):
    # Reads "the last step gets min_lr" as a rule of its own, even when the run has
    # no decay phase at all.
    if step == total_steps:
        return float(min_lr)
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    p = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * p))
