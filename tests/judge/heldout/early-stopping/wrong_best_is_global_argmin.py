"""Reports the index of the lowest loss in the whole list as best_epoch, even past the stopping epoch."""


def early_stopping(val_losses, patience, min_delta=0.0):
    losses = list(val_losses)
    best_epoch = min(range(len(losses)), key=lambda i: losses[i])
    best = float("inf")
    waited = 0
    for epoch, loss in enumerate(losses):
        if loss < best - min_delta:
            best = loss
            waited = 0
        else:
            waited += 1
            if waited >= patience:
                return epoch, best_epoch
    return len(losses) - 1, best_epoch
