"""Compares each loss with the previous epoch's loss instead of with the best loss so far."""


def early_stopping(val_losses, patience, min_delta=0.0):
    previous = float("inf")
    best_epoch = 0
    waited = 0
    for epoch, loss in enumerate(val_losses):
        if loss < previous - min_delta:
            best_epoch = epoch
            waited = 0
        else:
            waited += 1
            if waited >= patience:
                return epoch, best_epoch
        previous = loss
    return len(val_losses) - 1, best_epoch
