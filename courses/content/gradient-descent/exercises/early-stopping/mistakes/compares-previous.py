def early_stopping(val_losses, patience, min_delta=0.0):
    previous, best, best_epoch, waited = float("inf"), float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < previous - min_delta:
            waited = 0
            if loss < best:
                best, best_epoch = loss, epoch
        else:
            waited += 1
            if waited >= patience:
                return epoch, best_epoch
        previous = loss
    return len(val_losses) - 1, best_epoch
