def mse_loss(y_pred, y_true) -> float:
    total = 0.0
    count = 0
    for p, t in zip(y_pred.ravel(), y_true.ravel()):
        total += (float(p) - float(t)) ** 2
        count += 1
    return total / count
