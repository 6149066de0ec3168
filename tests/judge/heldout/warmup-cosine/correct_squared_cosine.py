"""Uses the identity (1 + cos(pi p)) / 2 = cos(pi p / 2) ** 2 for the decay."""
import math


def warmup_cosine_lr(step, total_steps, warmup_steps, base_lr, min_lr=0.0) -> float:
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    span = total_steps - warmup_steps
    p = (step - warmup_steps) / (span if span > 0 else 1)
    return float(min_lr + (base_lr - min_lr) * math.cos(0.5 * math.pi * p) ** 2)
