"""Activation functions, each with its backward rule written next to its forward.

``forward(inputs)`` keeps ``self.inputs`` and ``self.output``; ``backward(dvalues)`` receives
dL/d(output) and sets ``self.dinputs`` = dL/d(inputs). For the element-wise functions that is the
chain rule with the function's own derivative: dinputs = dvalues * f'(inputs).

``predictions(outputs)`` turns a layer's outputs into what the model predicts when this
activation is the last layer (a class, a 0/1 decision or a number).
"""

import numpy as np

from .checks import real_number


def row_max(x):
    """Each row's largest value, as a column: the same numbers as x.max(axis=1, keepdims=True).

    (A speed note, not math: numpy is slow to reduce along a short last axis, as with 3
    classes; the maximum down the columns of the transposed copy is several times faster.)
    """
    return np.ascontiguousarray(x.T).max(axis=0)[:, None]


def row_argmax(x):
    """Each row's position of its largest value (the first one on a tie): np.argmax(x, axis=1),
    faster the same way as ``row_max``."""
    return np.ascontiguousarray(x.T).argmax(axis=0)


class Activation:
    """Shared plumbing: keep the input, compute, keep the output."""

    def forward(self, inputs, training=False):
        self.inputs = np.asarray(inputs)
        self.output = self.function(self.inputs)
        return self.output

    def predictions(self, outputs):
        return outputs

    def __repr__(self):
        return f"{type(self).__name__}()"


class ReLU(Activation):
    """Rectified linear unit: max(0, x). Slope 1 for x > 0, slope 0 otherwise."""

    def function(self, x):
        return np.maximum(x, 0)

    def backward(self, dvalues):
        # Gradient passes where the input was positive and stops where the neuron was off.
        self.dinputs = dvalues * (self.inputs > 0)
        return self.dinputs


class LeakyReLU(Activation):
    """x for x > 0, alpha * x otherwise: a small slope keeps 'off' neurons learning.

    ``alpha`` must be a finite number (NaN would make every negative input NaN)."""

    def __init__(self, alpha=0.01):
        self.alpha = real_number(alpha, "alpha")
        if not np.isfinite(self.alpha):
            raise ValueError(f"alpha must be a finite number, got {self.alpha}")

    def function(self, x):
        return np.where(x > 0, x, self.alpha * x)

    def backward(self, dvalues):
        self.dinputs = dvalues * np.where(self.inputs > 0, 1.0, self.alpha).astype(dvalues.dtype)
        return self.dinputs

    def __repr__(self):
        return f"LeakyReLU(alpha={self.alpha})"


class Sigmoid(Activation):
    """1 / (1 + e^-x): squashes any number into (0, 1). Its slope is s * (1 - s)."""

    def function(self, x):
        # For very negative x, e^-x overflows to infinity and 1 / inf is the correct 0.
        with np.errstate(over="ignore"):
            return 1 / (1 + np.exp(-x))

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output) * self.output
        return self.dinputs

    def predictions(self, outputs):
        # A binary decision: class 1 when the output is above one half.
        return (outputs > 0.5).astype(np.int64)


class Tanh(Activation):
    """Hyperbolic tangent: like the sigmoid but centred on zero, range (-1, 1). Slope 1 - t^2."""

    def function(self, x):
        return np.tanh(x)

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output * self.output)
        return self.dinputs


class Linear(Activation):
    """The identity, f(x) = x: used on the output of a regression network. Slope 1."""

    def function(self, x):
        return x

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        return self.dinputs


class Step(Activation):
    """Heaviside step: 1 for x > 0, else 0.

    Its slope is 0 everywhere (and undefined at 0), so ``backward`` returns zeros: no gradient
    gets through a step, which is why networks that learn by gradients do not use it. A model
    may show a Step (forward, predict, evaluate, gradcheck) but ``Model.fit`` refuses to train one:
    the layers before it would never learn, silently.
    """

    def function(self, x):
        return (x > 0).astype(x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64)

    def backward(self, dvalues):
        self.dinputs = np.zeros_like(dvalues)
        return self.dinputs


class Softmax(Activation):
    """Turns each row of scores into probabilities: exp(x_i) / sum_j exp(x_j).

    Subtracting the row's maximum first changes nothing in the result (it cancels between the
    numerator and the denominator) but keeps every exponent <= 0, so exp never overflows.
    """

    def forward(self, inputs, training=False):
        if np.ndim(inputs) != 2:
            raise ValueError(f"Softmax takes a 2-D batch (n_samples, n_classes), got shape {np.shape(inputs)}; "
                             "for one row of scores write [[...]]")
        return super().forward(inputs, training)

    def function(self, x):
        exps = np.exp(x - row_max(x))
        return exps / exps.sum(axis=1, keepdims=True)

    @staticmethod
    def jacobian(probabilities):
        """The matrix of d(output_i)/d(input_j) for one sample: diag(s) - s s^T.

        probabilities: (n_classes,) -> (n_classes, n_classes).
        """
        s = np.asarray(probabilities).reshape(-1, 1)
        return np.diagflat(s) - s @ s.T

    def backward(self, dvalues):
        """dinputs for each sample = its Jacobian @ its dvalues.

        With J = diag(s) - s s^T that product is s * dvalues - s * (s . dvalues), so the full
        Jacobian-vector product is computed for the whole batch without building any J.
        """
        s = self.output
        self.dinputs = s * (dvalues - (dvalues * s).sum(axis=1, keepdims=True))
        return self.dinputs

    def predictions(self, outputs):
        return np.argmax(outputs, axis=1)
