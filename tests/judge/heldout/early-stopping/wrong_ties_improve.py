"""Counts a loss equal to the best (<= instead of <) as an improvement."""


def early_stopping(val_losses, patience, min_delta=0.0):
    best = float("inf")
    best_epoch = 0
    waited = 0
    for epoch, loss in enumerate(val_losses):
        if loss <= best - min_delta:
            best = loss
            best_epoch = epoch
            waited = 0
        else:
            waited += 1
            if waited >= patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
