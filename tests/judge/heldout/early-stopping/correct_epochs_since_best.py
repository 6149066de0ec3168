"""Uses the distance to the last improving epoch as the count of epochs without improvement."""


def early_stopping(val_losses, patience, min_delta=0.0):
    best = None
    best_epoch = 0
    n = len(val_losses)
    for epoch in range(n):
        loss = float(val_losses[epoch])
        if best is None or loss < best - min_delta:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return n - 1, best_epoch
