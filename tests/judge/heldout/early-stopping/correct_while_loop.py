"""Walks the epochs with a while loop and an explicit stop flag."""
import math


def early_stopping(val_losses, patience, min_delta=0.0):
    values = [float(v) for v in val_losses]
    best = math.inf
    best_epoch = 0
    bad_in_a_row = 0
    epoch = 0
    stopped = False
    while epoch < len(values) and not stopped:
        if best - values[epoch] > min_delta:
            best = values[epoch]
            best_epoch = epoch
            bad_in_a_row = 0
        else:
            bad_in_a_row += 1
            stopped = bad_in_a_row == patience
        if not stopped:
            epoch += 1
    return (epoch if stopped else len(values) - 1), best_epoch
