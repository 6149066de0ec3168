"""Lowers the best loss on every smaller value, even ones that did not beat it by min_delta."""


def early_stopping(val_losses, patience, min_delta=0.0):
    best = float("inf")
    best_epoch = 0
    waited = 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best_epoch = epoch
            waited = 0
        else:
            waited += 1
        best = min(best, loss)
        if waited >= patience:
            return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
