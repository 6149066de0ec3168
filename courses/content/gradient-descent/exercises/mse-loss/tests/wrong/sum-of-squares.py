# wrong: returns the sum of squared errors, never divides
def mse_loss(y_pred, y_true) -> float:
    return float(((y_pred - y_true) ** 2).sum())
