"""Correct: uses the identity (1 + cos(pi p)) / 2 = cos(pi p / 2) ** 2 for the decay."""
import math


def warmup_cosine_lr(step, total_steps, warmup_steps, base_lr, min_lr=0.0) -> float:
    if warmup_steps > 0 and step <= warmup_steps - 1:
        return float(base_lr * (step + 1) / warmup_steps)
    span = total_steps - warmup_steps
    if span < 1:
        span = 1
    p = (step - warmup_steps) / span
    return float(min_lr + (base_lr - min_lr) * math.cos(0.5 * math.pi * p) ** 2)
