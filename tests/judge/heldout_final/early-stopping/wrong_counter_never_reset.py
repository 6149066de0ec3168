"""Counts the bad epochs in total: the counter is never reset to 0 after an improvement."""


def early_stopping(val_losses, patience, min_delta=0.0):
    best = float("inf")
    best_epoch = 0
    bad_epochs = 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best = loss
            best_epoch = epoch
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
