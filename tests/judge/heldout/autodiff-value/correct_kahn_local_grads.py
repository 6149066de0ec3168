"""Stores each node's local derivatives and runs backward with Kahn's algorithm (counting consumers) instead of a depth-first sort."""
import math


class Value:
    def __init__(self, data, _parents=(), _local=()):
        self.data = float(data)
        self.grad = 0.0
        self._parents = tuple(_parents)
        self._local = tuple(_local)  # d(self)/d(parent), one per parent

    @staticmethod
    def _v(x):
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, other):
        other = Value._v(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    __radd__ = __add__

    def __mul__(self, other):
        other = Value._v(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    __rmul__ = __mul__

    def __neg__(self):
        return Value(-self.data, (self,), (-1.0,))

    def __sub__(self, other):
        other = Value._v(other)
        return Value(self.data - other.data, (self, other), (1.0, -1.0))

    def __rsub__(self, other):
        return Value._v(other) - self

    def __truediv__(self, other):
        other = Value._v(other)
        return Value(
            self.data / other.data,
            (self, other),
            (1.0 / other.data, -self.data / (other.data * other.data)),
        )

    def __rtruediv__(self, other):
        return Value._v(other) / self

    def __pow__(self, p):
        return Value(self.data ** p, (self,), (p * self.data ** (p - 1),))

    def relu(self):
        on = self.data > 0
        return Value(self.data if on else 0.0, (self,), (1.0 if on else 0.0,))

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def backward(self):
        # count, for every node reachable from self, how many edges point into it from above
        pending = {}
        stack, seen = [self], {id(self)}
        while stack:
            node = stack.pop()
            for parent in node._parents:
                pending[id(parent)] = pending.get(id(parent), 0) + 1
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
        self.grad = 1.0
        ready = [self]
        while ready:
            node = ready.pop()
            for parent, local in zip(node._parents, node._local):
                parent.grad += local * node.grad
                pending[id(parent)] -= 1
                if pending[id(parent)] == 0:
                    ready.append(parent)
