import math


def warmup_cosine_lr(step, total_steps, warmup_steps, base_lr, min_lr=0.0):
    if step < warmup_steps:
        return (step + 1) * base_lr / warmup_steps
    span = max(1, total_steps - warmup_steps)
    # (1 + cos x) / 2 == cos(x / 2) ** 2
    return min_lr + (base_lr - min_lr) * math.cos(math.pi * (step - warmup_steps) / span / 2) ** 2
