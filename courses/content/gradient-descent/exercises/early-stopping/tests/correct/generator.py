def _improvements(losses, min_delta):
    best = float("inf")
    for loss in losses:
        improved = loss < best - min_delta
        if improved:
            best = loss
        yield improved


def early_stopping(val_losses, patience, min_delta=0.0):
    best_epoch, streak, epoch = 0, 0, -1
    for epoch, improved in enumerate(_improvements(val_losses, min_delta)):
        streak = 0 if improved else streak + 1
        if improved:
            best_epoch = epoch
        if streak >= patience:
            break
    return epoch, best_epoch
