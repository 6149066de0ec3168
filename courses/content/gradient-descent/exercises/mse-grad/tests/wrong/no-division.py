# wrong: forgets to divide by n (gradient of the sum of squares)
def mse_grad(y_pred, y_true):
    return 2.0 * (y_pred - y_true)
