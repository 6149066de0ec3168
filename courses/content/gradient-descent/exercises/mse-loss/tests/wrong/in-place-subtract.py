# wrong (advisory): subtracts y_true from the caller's y_pred in place
import numpy as np


def mse_loss(y_pred, y_true) -> float:
    y_pred -= y_true
    return float(np.mean(y_pred ** 2))
