"""Finds the stop epoch correctly but reports best_epoch as the argmin of the whole loss list."""

import numpy as np


def early_stopping(val_losses, patience, min_delta=0.0):
    best = float("inf")
    wait = 0
    stop = len(val_losses) - 1
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best = loss
            wait = 0
        else:
            wait += 1
            if wait >= patience:
                stop = epoch
                break
    return stop, int(np.argmin(val_losses))
