"""Correct: uses epoch - best_epoch as the number of non-improving epochs in a row instead of a separate counter."""


def early_stopping(val_losses, patience, min_delta=0.0):
    losses = list(val_losses)
    best = float("inf")
    best_epoch = 0
    epoch = 0
    while epoch < len(losses):
        if losses[epoch] < best - min_delta:
            best = losses[epoch]
            best_epoch = epoch
        elif epoch - best_epoch >= patience:
            return int(epoch), int(best_epoch)
        epoch += 1
    return len(losses) - 1, int(best_epoch)
