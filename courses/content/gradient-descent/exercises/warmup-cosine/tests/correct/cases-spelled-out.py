import math


def warmup_cosine_lr(step, total_steps, warmup_steps, base_lr, min_lr=0.0):
    if warmup_steps and step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    decay_steps = total_steps - warmup_steps
    if decay_steps == 0:
        # all of the run was warmup: nothing left to decay
        return float(base_lr)
    done = (step - warmup_steps) / decay_steps
    return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * done)) / 2
