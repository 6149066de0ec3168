"""Writes the decay as base_lr minus how far it has fallen: base_lr - (base_lr - min_lr) * (1 - cos(pi p)) / 2."""
import math


def warmup_cosine_lr(step, total_steps, warmup_steps, base_lr, min_lr=0.0) -> float:
    in_warmup = warmup_steps > 0 and step <= warmup_steps - 1
    if in_warmup:
        fraction = (step + 1) / warmup_steps
        return float(fraction * base_lr)
    p = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return float(base_lr - (base_lr - min_lr) * (1.0 - math.cos(math.pi * p)) / 2.0)
