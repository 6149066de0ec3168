import math


def _wrap(x):
    return x if isinstance(x, Value) else Value(x)


class Value:
    def __init__(self, data, inputs=(), backward=None):
        self.data = float(data)
        self.grad = 0.0
        self.inputs = inputs
        self.push = backward or (lambda: None)

    def _make(self, data, inputs, push_factory):
        out = Value(data, inputs)
        out.push = push_factory(out)
        return out

    def __add__(self, other):
        other = _wrap(other)

        def factory(out):
            def push():
                self.grad += out.grad
                other.grad += out.grad
            return push

        return self._make(self.data + other.data, (self, other), factory)

    def __sub__(self, other):
        other = _wrap(other)

        def factory(out):
            def push():
                self.grad += out.grad
                other.grad -= out.grad
            return push

        return self._make(self.data - other.data, (self, other), factory)

    def __mul__(self, other):
        other = _wrap(other)

        def factory(out):
            def push():
                self.grad += other.data * out.grad
                other.grad += self.data * out.grad
            return push

        return self._make(self.data * other.data, (self, other), factory)

    def __truediv__(self, other):
        other = _wrap(other)

        def factory(out):
            def push():
                # quotient rule, written out
                self.grad += out.grad / other.data
                other.grad -= out.grad * self.data / (other.data * other.data)
            return push

        return self._make(self.data / other.data, (self, other), factory)

    def __pow__(self, p):
        def factory(out):
            def push():
                if p != 0:
                    self.grad += p * self.data ** (p - 1) * out.grad
            return push

        return self._make(self.data ** p, (self,), factory)

    def __neg__(self):
        def factory(out):
            def push():
                self.grad -= out.grad
            return push

        return self._make(-self.data, (self,), factory)

    def __radd__(self, other):
        return _wrap(other) + self

    def __rsub__(self, other):
        return _wrap(other) - self

    def __rmul__(self, other):
        return _wrap(other) * self

    def __rtruediv__(self, other):
        return _wrap(other) / self

    def relu(self):
        def factory(out):
            def push():
                if self.data > 0:
                    self.grad += out.grad
            return push

        return self._make(max(self.data, 0.0), (self,), factory)

    def tanh(self):
        def factory(out):
            def push():
                self.grad += (1.0 - out.data ** 2) * out.grad
            return push

        return self._make(math.tanh(self.data), (self,), factory)

    def exp(self):
        def factory(out):
            def push():
                self.grad += out.data * out.grad
            return push

        return self._make(math.exp(self.data), (self,), factory)

    def backward(self):
        order, done = [], set()

        def visit(node):
            if id(node) in done:
                return
            done.add(id(node))
            for parent in node.inputs:
                visit(parent)
            order.append(node)

        visit(self)
        self.grad = 1.0
        for node in order[::-1]:
            node.push()
