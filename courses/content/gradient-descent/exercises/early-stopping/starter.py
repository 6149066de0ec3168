def early_stopping(val_losses, patience, min_delta=0.0):
    """Return (stop_epoch, best_epoch) for early stopping with patience.

    An epoch improves when loss < best - min_delta. Stop at the epoch where
    `patience` epochs in a row have not improved; if that never happens,
    stop_epoch is the last index.
    """
    best = float("inf")
    best_epoch = 0
    for epoch, loss in enumerate(val_losses):
        pass  # track improvements and the epochs without one
    return len(val_losses) - 1, best_epoch
