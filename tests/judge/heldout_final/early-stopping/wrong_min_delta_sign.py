"""Sign slip: an epoch improves when loss < best + min_delta, so small worsenings count as progress."""


def early_stopping(val_losses, patience, min_delta=0.0):
    best = float("inf")
    best_epoch = 0
    wait = 0
    for epoch, loss in enumerate(val_losses):
        if loss < best + min_delta:
            best = loss
            best_epoch = epoch
            wait = 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
