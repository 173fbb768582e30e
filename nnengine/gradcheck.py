"""Numerical gradient check: trust backpropagation, but verify it.

For each parameter value p, the central difference

    (L(p + h) - L(p - h)) / (2h)

approximates dL/dp with an error of order h^2. Comparing it with the analytic gradient from
``backward`` catches a wrong backward rule. The check runs on a float64 copy, so rounding does
not hide (or fake) a difference, and it never changes the object it is given.

Kinks: ReLU, LeakyReLU and Step have a corner at 0. Where an activation input lies within the
step h of 0, p + h and p - h fall on two sides of the corner and the central difference averages
two different slopes: it is not the derivative, and it disagrees with a correct backward pass.
Such entries are found (an input to one of those activations changes sign between p + h and
p - h), named in the result, and left out of the verdict.
"""

import copy
from dataclasses import dataclass

import numpy as np

from .activations import LeakyReLU, ReLU, Step
from .checks import positive
from .layers import Dense, Dropout
from .losses import SoftmaxCategoricalCrossentropy, regularization_loss

KINKED = (ReLU, LeakyReLU, Step)     # activations with a corner at 0


@dataclass
class GradientCheck:
    """One parameter's check: both gradients and the largest relative difference between them,
    over the entries whose finite difference crosses no kink. ``kinks`` marks the others (a
    boolean array shaped like the parameter); they are left out of the verdict."""
    name: str
    analytic: np.ndarray
    numerical: np.ndarray
    max_relative_error: float
    kinks: np.ndarray | None = None

    @property
    def kink_count(self):
        """How many entries' finite differences crossed a ReLU/LeakyReLU/Step kink."""
        return 0 if self.kinks is None else int(self.kinks.sum())

    def passed(self, tolerance=1e-6):
        return self.max_relative_error <= tolerance


def _result(name, analytic, numerical, kinks):
    """A GradientCheck whose verdict skips the entries in ``kinks``."""
    errors = relative_error(analytic, numerical)[~kinks]
    return GradientCheck(name, analytic, numerical, float(errors.max()) if errors.size else 0.0, kinks)


def relative_error(a, b, floor=1e-8):
    """|a - b| / (|a| + |b|), element-wise; the floor keeps two near-zero numbers from
    producing a large ratio out of rounding noise."""
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)


def _to_float64(obj):
    for name in ("weights", "biases", "output", "inputs", "mask"):
        value = getattr(obj, name, None)
        if isinstance(value, np.ndarray):
            setattr(obj, name, value.astype(np.float64))
    return obj


def _loss_gradient(loss, output, y):
    """dL/d(output) for the loss being checked.

    SoftmaxCategoricalCrossentropy's ``calculate`` takes logits, but its ``backward`` takes the
    softmax of them (its contract, so that a model can hand it the Softmax layer's output). Its
    gradient is therefore asked for with softmax(output): the check treats the output as logits,
    as ``calculate`` does, and compares dL/dlogits with the central difference of the same loss.
    """
    if isinstance(loss, SoftmaxCategoricalCrossentropy):
        return loss.backward(loss.activation.forward(output), y)
    return loss.backward(output, y)


def _kink_sides(layers):
    """The sign of every input to a kinked activation among ``layers`` (after a forward pass)."""
    signs = [np.sign(layer.inputs).ravel() for layer in layers if isinstance(layer, KINKED)]
    return np.concatenate(signs) if signs else np.zeros(0)


def _numerical(objective, array, h, layers=()):
    """Central differences of ``objective`` over every entry of ``array`` (changed in place and
    restored), and which entries crossed a kink: some input to a ReLU, LeakyReLU or Step among
    ``layers`` had another sign at p + h than at p - h (or was exactly 0 on one side)."""
    grad = np.zeros_like(array)
    kinks = np.zeros(array.shape, dtype=bool)
    flat, gflat, kflat = array.reshape(-1), grad.reshape(-1), kinks.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + h
        plus = objective()
        plus_sides = _kink_sides(layers)
        flat[i] = original - h
        minus = objective()
        kflat[i] = bool(np.any(plus_sides != _kink_sides(layers)))
        flat[i] = original
        gflat[i] = (plus - minus) / (2 * h)
    return grad, kinks


def gradcheck(model_or_layer, X, y=None, loss=None, h=1e-6):
    """Compare analytic and numerical gradients of a model or of one layer.

    - A Model: the objective is its loss plus regularization on (X, y), dropout masks held
      fixed; ``loss`` defaults to the model's. Every Dense weight and bias is checked.
    - ``loss=SoftmaxCategoricalCrossentropy()`` treats the checked output as logits (the loss
      applies softmax itself), for a layer and for a model alike.
    - A layer (Dense, an activation, Dropout): the objective is ``loss.calculate(output, y)``;
      without a loss it is sum(output * R) for a fixed random R. The inputs are checked (as
      'inputs') along with the layer's own parameters.

    Entries whose finite difference crosses a ReLU/LeakyReLU/Step kink are marked in each
    result's ``kinks`` and left out of its ``max_relative_error`` (see the module's docstring).

    Returns a list of GradientCheck, one per checked array.
    """
    from .model import Model

    h = positive(h, "h")        # h = 0 divided by zero; NaN made every check fail
    X = np.array(X, dtype=np.float64)
    if isinstance(model_or_layer, Model):
        return _check_model(model_or_layer, X, y, loss, h)
    return _check_layer(model_or_layer, X, y, loss, h)


def _check_model(model, X, y, loss, h):
    model = copy.deepcopy(model)
    for layer in model.layers:
        _to_float64(layer)
        if isinstance(layer, Dropout):
            layer.reuse_mask = True
    loss = loss if loss is not None else model.loss
    y = y.astype(np.float64) if np.asarray(y).dtype.kind == "f" else y

    def objective():
        output = model.forward(X, training=True)
        return loss.calculate(output, y) + regularization_loss(model.dense_layers)

    objective()  # draws the dropout masks, held fixed from now on
    output = model.forward(X, training=True)
    if loss is model.loss:
        model.backward(output, y)
    else:
        dvalues = _loss_gradient(loss, output, y)
        for layer in reversed(model.layers):
            dvalues = layer.backward(dvalues)
    results = []
    for i, layer in enumerate(model.layers):
        if isinstance(layer, Dense):
            for name, array in layer.parameters().items():
                analytic = getattr(layer, "d" + name).copy()
                numerical, kinks = _numerical(objective, array, h, model.layers)
                results.append(_result(f"layer {i} {name}", analytic, numerical, kinks))
    return results


def _check_layer(layer, X, y, loss, h):
    layer = _to_float64(copy.deepcopy(layer))
    if isinstance(layer, Dropout):
        layer.reuse_mask = True
    if loss is None:
        weights = np.random.RandomState(1).standard_normal(np.shape(layer.forward(X, training=True)))

        def score(output):
            return float(np.sum(output * weights))

        def dscore(output):
            return weights
    else:
        y = y.astype(np.float64) if np.asarray(y).dtype.kind == "f" else y

        def score(output):
            return loss.calculate(output, y)

        def dscore(output):
            return _loss_gradient(loss, output, y)

    inputs = X.copy()

    def objective():
        return score(layer.forward(inputs, training=True)) + regularization_loss([layer])

    objective()
    output = layer.forward(inputs, training=True)
    layer.backward(dscore(output))
    results = [("inputs", layer.dinputs.copy(), inputs)]
    if isinstance(layer, Dense):
        results += [(name, getattr(layer, "d" + name).copy(), array)
                    for name, array in layer.parameters().items()]
    checks = []
    for name, analytic, array in results:
        numerical, kinks = _numerical(objective, array, h, [layer])
        checks.append(_result(name, analytic, numerical, kinks))
    return checks
