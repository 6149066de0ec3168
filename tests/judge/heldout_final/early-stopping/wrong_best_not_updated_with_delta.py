"""Updates best to every lower loss, even ones that did not beat it by min_delta, so best drifts down without counting as an improvement."""


def early_stopping(val_losses, patience, min_delta=0.0):
    best = float("inf")
    best_epoch = 0
    wait = 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best_epoch = epoch
            wait = 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
        best = min(best, loss)
    return len(val_losses) - 1, best_epoch
