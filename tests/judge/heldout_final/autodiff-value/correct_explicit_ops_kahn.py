"""Correct: every operator has its own local derivative, and backward() orders nodes with Kahn's algorithm (counting consumers)."""

import math


def _lift(x):
    return x if isinstance(x, Value) else Value(x)


class Value:
    def __init__(self, data, _parents=()):
        self.data = float(data)
        self.grad = 0.0
        self._parents = tuple(_parents)
        self._backward = lambda: None

    def _unary(self, data, local):
        out = Value(data, (self,))

        def _backward():
            self.grad += local * out.grad

        out._backward = _backward
        return out

    def _binary(self, other, data, d_self, d_other):
        out = Value(data, (self, other))

        def _backward():
            self.grad += d_self * out.grad
            other.grad += d_other * out.grad

        out._backward = _backward
        return out

    def __add__(self, other):
        other = _lift(other)
        return self._binary(other, self.data + other.data, 1.0, 1.0)

    def __sub__(self, other):
        other = _lift(other)
        return self._binary(other, self.data - other.data, 1.0, -1.0)

    def __mul__(self, other):
        other = _lift(other)
        return self._binary(other, self.data * other.data, other.data, self.data)

    def __truediv__(self, other):
        other = _lift(other)
        a, b = self.data, other.data
        return self._binary(other, a / b, 1.0 / b, -a / (b * b))

    def __radd__(self, other):
        return _lift(other).__add__(self)

    def __rsub__(self, other):
        return _lift(other).__sub__(self)

    def __rmul__(self, other):
        return _lift(other).__mul__(self)

    def __rtruediv__(self, other):
        return _lift(other).__truediv__(self)

    def __neg__(self):
        return self._unary(-self.data, -1.0)

    def __pow__(self, p):
        return self._unary(self.data**p, p * self.data ** (p - 1))

    def relu(self):
        if self.data > 0:
            return self._unary(self.data, 1.0)
        return self._unary(0.0, 0.0)

    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, 1.0 - t * t)

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, e)

    def backward(self):
        # count, for every node reachable from self, how many nodes consume it
        consumers = {id(self): 0}
        nodes = {id(self): self}
        stack = [self]
        while stack:
            node = stack.pop()
            for parent in node._parents:
                if id(parent) not in nodes:
                    nodes[id(parent)] = parent
                    consumers[id(parent)] = 0
                    stack.append(parent)
                consumers[id(parent)] += 1
        self.grad = 1.0
        ready = [self]
        while ready:
            node = ready.pop()
            node._backward()
            for parent in node._parents:
                consumers[id(parent)] -= 1
                if consumers[id(parent)] == 0:
                    ready.append(parent)
