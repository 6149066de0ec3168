# wrong: multiplication assigns gradients with = instead of +=, so x * x gets x instead of 2x
import math


class Value:
    def __init__(self, data, parents=()):
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.back = lambda: None

    def _v(self, o):
        return o if isinstance(o, Value) else Value(o)

    def __add__(self, o):
        o = self._v(o)
        out = Value(self.data + o.data, (self, o))
        def back():
            self.grad += out.grad
            o.grad += out.grad
        out.back = back
        return out

    def __mul__(self, o):
        o = self._v(o)
        out = Value(self.data * o.data, (self, o))
        def back():
            self.grad = o.data * out.grad
            o.grad = self.data * out.grad
        out.back = back
        return out

    def __pow__(self, p):
        out = Value(self.data ** p, (self,))
        def back():
            self.grad += p * self.data ** (p - 1) * out.grad
        out.back = back
        return out

    def __neg__(self): return self * -1
    def __sub__(self, o): return self + (-self._v(o))
    def __truediv__(self, o): return self * self._v(o) ** -1
    def __radd__(self, o): return self + o
    def __rmul__(self, o): return self * o
    def __rsub__(self, o): return self._v(o) - self
    def __rtruediv__(self, o): return self._v(o) / self

    def relu(self):
        out = Value(max(0.0, self.data), (self,))
        def back():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        out.back = back
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,))
        def back():
            self.grad += (1 - out.data ** 2) * out.grad
        out.back = back
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,))
        def back():
            self.grad += out.data * out.grad
        out.back = back
        return out

    def backward(self):
        order, seen = [], set()
        def visit(n):
            if n not in seen:
                seen.add(n)
                for p in n.parents:
                    visit(p)
                order.append(n)
        visit(self)
        self.grad = 1.0
        for n in reversed(order):
            n.back()
