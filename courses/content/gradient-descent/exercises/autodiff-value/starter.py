import math


class Value:
    """A scalar that records how it was computed, so gradients can flow back."""

    def __init__(self, data, _parents=()):
        self.data = float(data)
        self.grad = 0.0
        self._parents = tuple(_parents)
        self._backward = lambda: None  # sends self.grad on to the parents

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            # d(out)/d(self) = 1 and d(out)/d(other) = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    # To do: __mul__, __pow__ (number exponent), __neg__, __sub__, __truediv__,
    # the reflected forms __radd__, __rsub__, __rmul__, __rtruediv__,
    # and relu(), tanh(), exp().

    def backward(self):
        # To do: visit every node in reverse topological order, starting from
        # self.grad = 1, and call each node's _backward exactly once.
        raise NotImplementedError
