"""Returns len(val_losses) as stop_epoch when patience never runs out, one past the last index."""


def early_stopping(val_losses, patience, min_delta=0.0):
    best = float("inf")
    best_epoch = 0
    waited = 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best = loss
            best_epoch = epoch
            waited = 0
        else:
            waited += 1
            if waited >= patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch
