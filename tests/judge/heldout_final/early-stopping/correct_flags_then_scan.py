"""Correct: keeps the improvement flags in a list first, then scans them for the first run of `patience` non-improving epochs."""


def early_stopping(val_losses, patience, min_delta=0.0):
    best = float("inf")
    improved = []
    for loss in val_losses:
        if loss < best - min_delta:
            best = loss
            improved.append(True)
        else:
            improved.append(False)
    run = 0
    last_best = 0
    for epoch, flag in enumerate(improved):
        if flag:
            run = 0
            last_best = epoch
            continue
        run += 1
        if run == patience:
            return epoch, last_best
    return len(improved) - 1, last_best
