import math


class Value:
    """A scalar that remembers how it was computed, so gradients can flow back to its inputs."""

    def __init__(self, data, _parents=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._parents = tuple(_parents)
        self._op = _op
        # Filled in by the operation that created this node: adds this node's grad,
        # times the local derivative, into each parent's grad.
        self._backward = lambda: None

    @staticmethod
    def _lift(other):
        return other if isinstance(other, Value) else Value(other)

    def __repr__(self):
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    # arithmetic -----------------------------------------------------------------
    def __add__(self, other):
        other = Value._lift(other)
        out = Value(self.data + other.data, (self, other), "+")

        def backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = backward
        return out

    def __mul__(self, other):
        other = Value._lift(other)
        out = Value(self.data * other.data, (self, other), "*")

        def backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = backward
        return out

    def __pow__(self, exponent):
        if isinstance(exponent, Value) or not isinstance(exponent, (int, float)):
            return NotImplemented
        out = Value(self.data**exponent, (self,), f"**{exponent}")

        def backward():
            # exponent 0 is a constant function; skip the formula so that 0 ** -1 never runs
            local = 0.0 if exponent == 0 else exponent * self.data ** (exponent - 1)
            self.grad += local * out.grad

        out._backward = backward
        return out

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-Value._lift(other))

    def __truediv__(self, other):
        return self * Value._lift(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return Value._lift(other) + (-self)

    def __rtruediv__(self, other):
        return Value._lift(other) * self**-1

    # activations ----------------------------------------------------------------
    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad

        out._backward = backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def backward():
            self.grad += (1.0 - t * t) * out.grad

        out._backward = backward
        return out

    def exp(self):
        e = math.exp(self.data)
        out = Value(e, (self,), "exp")

        def backward():
            self.grad += e * out.grad

        out._backward = backward
        return out

    # backpropagation --------------------------------------------------------------
    def backward(self):
        # Order the graph so that every node comes after all of its parents, then
        # walk it from the output back. A node used twice therefore collects both
        # contributions before passing its gradient on. The walk is iterative, so a
        # chain of thousands of operations does not hit Python's recursion limit.
        order = []
        visited = set()
        stack = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for parent in node._parents:
                if id(parent) not in visited:
                    stack.append((parent, False))
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
