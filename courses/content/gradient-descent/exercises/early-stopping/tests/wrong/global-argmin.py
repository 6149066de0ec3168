# wrong: reports the overall minimum as best_epoch, even one that comes after the stop
import numpy as np


def early_stopping(val_losses, patience, min_delta=0.0):
    best, waited = float("inf"), 0
    stop = len(val_losses) - 1
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, waited = loss, 0
        else:
            waited += 1
            if waited >= patience:
                stop = epoch
                break
    return stop, int(np.argmin(val_losses))
