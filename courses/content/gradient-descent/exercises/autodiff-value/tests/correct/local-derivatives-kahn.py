import math
from collections import deque


class Value:
    """Each node stores (parent, d self / d parent) pairs instead of closures."""

    def __init__(self, data, edges=()):
        self.data = float(data)
        self.grad = 0.0
        self.edges = list(edges)

    @staticmethod
    def of(x):
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, o):
        o = Value.of(o)
        return Value(self.data + o.data, [(self, 1.0), (o, 1.0)])

    def __mul__(self, o):
        o = Value.of(o)
        return Value(self.data * o.data, [(self, o.data), (o, self.data)])

    def __pow__(self, p):
        local = 0.0 if p == 0 else p * self.data ** (p - 1)
        return Value(self.data ** p, [(self, local)])

    def __neg__(self):
        return Value(-self.data, [(self, -1.0)])

    def __sub__(self, o):
        o = Value.of(o)
        return Value(self.data - o.data, [(self, 1.0), (o, -1.0)])

    def __truediv__(self, o):
        o = Value.of(o)
        return Value(self.data / o.data, [(self, 1.0 / o.data), (o, -self.data / o.data ** 2)])

    def __radd__(self, o):
        return Value.of(o) + self

    def __rmul__(self, o):
        return Value.of(o) * self

    def __rsub__(self, o):
        return Value.of(o) - self

    def __rtruediv__(self, o):
        return Value.of(o) / self

    def relu(self):
        return Value(self.data if self.data > 0 else 0.0, [(self, 1.0 if self.data > 0 else 0.0)])

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, [(self, 1.0 - t * t)])

    def exp(self):
        e = math.exp(self.data)
        return Value(e, [(self, e)])

    def backward(self):
        # Kahn's algorithm on the reversed graph: a node is processed once every
        # node that uses it has been processed.
        users = {}
        nodes = {id(self): self}
        todo = [self]
        while todo:
            node = todo.pop()
            for parent, _ in node.edges:
                users[id(parent)] = users.get(id(parent), 0) + 1
                if id(parent) not in nodes:
                    nodes[id(parent)] = parent
                    todo.append(parent)
        self.grad = 1.0
        ready = deque([self])
        while ready:
            node = ready.popleft()
            for parent, local in node.edges:
                parent.grad += local * node.grad
                users[id(parent)] -= 1
                if users[id(parent)] == 0:
                    ready.append(parent)
