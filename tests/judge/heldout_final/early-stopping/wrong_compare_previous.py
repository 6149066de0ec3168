"""Compares each loss with the previous epoch's loss instead of the best loss so far."""


def early_stopping(val_losses, patience, min_delta=0.0):
    prev = float("inf")
    best_epoch = 0
    wait = 0
    for epoch, loss in enumerate(val_losses):
        if loss < prev - min_delta:
            best_epoch = epoch
            wait = 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
        prev = loss
    return len(val_losses) - 1, best_epoch
