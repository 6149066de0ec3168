# wrong: takes a momentum step, then also jumps to the next look-ahead point, w - lr * (1 + beta) * v
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    v = beta * velocity + grad
    w_next = w - lr * v
    return w_next - lr * beta * v, v
