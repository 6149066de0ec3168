"""Never resets the count of non-improving epochs after an improvement, so it counts all bad epochs, not bad epochs in a row."""


def early_stopping(val_losses, patience, min_delta=0.0):
    best = float("inf")
    best_epoch = 0
    waited = 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best = loss
            best_epoch = epoch
        else:
            waited += 1
            if waited >= patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
