"""Correct: computes a cosine weight in [0, 1] and interpolates between min_lr and base_lr with it."""
import math


def warmup_cosine_lr(step, total_steps, warmup_steps, base_lr, min_lr=0.0) -> float:
    in_warmup = step < warmup_steps
    if in_warmup:
        fraction = (step + 1) / warmup_steps
        return float(fraction * base_lr)
    decay_len = max(1, total_steps - warmup_steps)
    progress = (step - warmup_steps) / decay_len
    weight = (math.cos(progress * math.pi) + 1.0) / 2.0
    return float(weight * base_lr + (1.0 - weight) * min_lr)
