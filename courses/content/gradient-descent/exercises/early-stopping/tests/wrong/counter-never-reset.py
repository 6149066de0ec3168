# wrong: counts all non-improving epochs so far instead of a run in a row (never resets the counter)
def early_stopping(val_losses, patience, min_delta=0.0):
    best, best_epoch, bad = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, best_epoch = loss, epoch
        else:
            bad += 1
            if bad >= patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
