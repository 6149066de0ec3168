import math


def warmup_cosine_lr(step, total_steps, warmup_steps, base_lr, min_lr=0.0) -> float:
    if step < warmup_steps:
        # step + 1 so that the very first step already trains (lr > 0) and the last
        # warmup step reaches base_lr exactly
        return float(base_lr * (step + 1) / warmup_steps)
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return float(min_lr + 0.5 * (base_lr - min_lr) * (1.0 + math.cos(math.pi * progress)))
