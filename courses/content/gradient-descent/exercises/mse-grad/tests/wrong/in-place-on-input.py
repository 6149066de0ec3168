# wrong (advisory): builds the gradient inside the caller's y_pred array
def mse_grad(y_pred, y_true):
    y_pred -= y_true
    y_pred *= 2.0 / y_pred.size
    return y_pred
