"""Measures the decay progress from step 0 instead of from the end of warmup (forgets to subtract warmup_steps)."""
import math


def warmup_cosine_lr(step, total_steps, warmup_steps, base_lr, min_lr=0.0) -> float:
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    p = step / max(1, total_steps - warmup_steps)
    return min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * p))
