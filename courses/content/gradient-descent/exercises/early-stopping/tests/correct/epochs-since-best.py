def early_stopping(val_losses, patience, min_delta=0.0):
    # the run of non-improving epochs is exactly the distance to the best epoch
    best_epoch = 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best_epoch] - min_delta:
            best_epoch = epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
