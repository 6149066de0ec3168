"""Ramps the warmup from min_lr up to base_lr instead of from 0."""
import math


def warmup_cosine_lr(step, total_steps, warmup_steps, base_lr, min_lr=0.0) -> float:
    if step < warmup_steps:
        return min_lr + (base_lr - min_lr) * (step + 1) / warmup_steps
    p = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * p))
