import math


def early_stopping(val_losses, patience, min_delta=0.0):
    losses = list(val_losses)
    best = math.inf
    best_epoch = 0
    bad = 0
    epoch = 0
    while epoch < len(losses):
        if losses[epoch] < best - min_delta:
            best = losses[epoch]
            best_epoch = epoch
            bad = 0
        else:
            bad += 1
        if bad == patience:
            break
        epoch += 1
    return min(epoch, len(losses) - 1), best_epoch
