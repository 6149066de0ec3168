import math


def early_stopping(val_losses, patience, min_delta=0.0):
    best = math.inf
    best_epoch = 0
    waited = 0
    last = -1
    for epoch, loss in enumerate(val_losses):
        last = epoch
        loss = float(loss)
        # strict: a loss equal to best - min_delta is not an improvement
        if loss < best - min_delta:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                return epoch, best_epoch
    return last, best_epoch
