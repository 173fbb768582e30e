"""Loss functions: how wrong the network's outputs are.

Each loss has ``forward(y_pred, y_true)`` -> one loss per sample, ``calculate(y_pred, y_true)``
-> their mean (the number training drives down), and ``backward(y_pred, y_true)`` -> dL/d(y_pred)
of that mean, kept in ``self.dinputs``. Dividing by the number of samples in ``backward`` makes
the gradient of a mean, so the step size does not depend on the batch size.

Inside, each loss is two steps: ``prepare`` checks the true values and puts them in the form the
math needs (it raises LabelError, saying what was expected, for labels the loss cannot use:
class labels out of range or not whole numbers, rows that are not exactly one-hot, binary
targets outside [0, 1], non-numbers), and ``sample_losses`` / ``gradient`` are the math alone.
``Model.fit`` prepares its labels once and then calls only the math at every step.
"""

import numpy as np

from .activations import Softmax
from .checks import LabelError

# Probabilities are kept inside [EPSILON, 1 - EPSILON] before taking a log: log(0) is -infinity.
EPSILON = 1e-7


def _as_pred(y_pred):
    y_pred = np.asarray(y_pred)
    if y_pred.ndim != 2 or y_pred.shape[0] == 0:
        raise ValueError(
            f"predictions must be a non-empty 2-D array (n_samples, n_outputs), got shape {y_pred.shape}"
        )
    return y_pred


def check_one_hot(rows):
    """Raise LabelError unless every row is exactly one-hot: zeros and a single 1.

    An all-zero row names no class and a soft row (0.7, 0.2, 0.1) several; taking their argmax
    would silently train on a class nobody gave.
    """
    is_binary = (rows == 0) | (rows == 1)
    ones = np.count_nonzero(rows == 1, axis=1)
    bad = ~is_binary.all(axis=1) | (ones != 1)
    if bad.any():
        row = int(np.argmax(bad))
        what = "is all zero" if not rows[row].any() else f"is {np.round(rows[row], 4).tolist()}"
        raise LabelError(
            f"one-hot labels must be rows of zeros with a single 1, but row {row} {what} "
            f"({np.count_nonzero(bad)} such rows); give class indices 0..{rows.shape[1] - 1} or exact one-hot rows"
        )


def class_labels(y_true, n_samples, n_classes):
    """Check class labels and return them as sparse integers, shape (n_samples,).

    Accepts sparse labels (n_samples,) of whole numbers 0..n_classes-1, or exactly one-hot rows
    (n_samples, n_classes); anything else raises LabelError saying what was expected.
    """
    y_true = np.asarray(y_true)
    if y_true.dtype.kind not in "iufb":
        raise LabelError(f"class labels must be numbers 0..{n_classes - 1}, got dtype {y_true.dtype}")
    if y_true.ndim == 2 and y_true.shape[1] == n_classes and n_classes > 1:
        check_one_hot(y_true)
        return np.argmax(y_true, axis=1)  # one-hot rows: the position of the 1
    if y_true.ndim == 2 and y_true.shape[1] == 1:
        y_true = y_true[:, 0]
    if y_true.ndim != 1:
        raise LabelError(
            f"class labels must be integers of shape ({n_samples},) or one-hot of shape "
            f"({n_samples}, {n_classes}), got shape {y_true.shape}"
        )
    if y_true.shape[0] != n_samples:
        raise LabelError(f"{y_true.shape[0]} labels for {n_samples} predictions")
    if y_true.dtype.kind not in "iu":
        whole = np.isfinite(y_true) & (y_true == np.round(y_true))
        if not whole.all():
            raise LabelError(
                f"class labels must be whole numbers 0..{n_classes - 1}, got {float(y_true[~whole][0])} "
                f"(dtype {y_true.dtype})"
            )
        y_true = y_true.astype(np.int64)
    if y_true.min() < 0 or y_true.max() >= n_classes:
        raise LabelError(
            f"class labels must be between 0 and {n_classes - 1}, got values from "
            f"{y_true.min()} to {y_true.max()}"
        )
    return y_true


def targets(y_true, shape, dtype=np.float64):
    """Check targets for element-wise losses and return them in ``shape`` and ``dtype``
    ((n,) is accepted for one output). They are compared with the outputs as given: class
    indices for several outputs are refused (give one-hot rows), never converted."""
    y_true = np.asarray(y_true)
    if y_true.dtype.kind not in "iufb":
        raise LabelError(f"targets must be numbers, got dtype {y_true.dtype}")
    if y_true.ndim == 1 and shape[1] == 1:
        y_true = y_true.reshape(-1, 1)
    if y_true.shape != tuple(shape):
        hint = (f"; give one target per output, shape {tuple(shape)} (one-hot rows for class labels)"
                if y_true.ndim == 1 and len(y_true) == shape[0] else "")
        raise LabelError(f"targets of shape {y_true.shape} do not match predictions of shape {tuple(shape)}{hint}")
    return y_true.astype(dtype, copy=False)


def check_between_0_and_1(y_true, what):
    """Raise LabelError unless every value lies in [0, 1] (a probability, a sigmoid's range)."""
    inside = (y_true >= 0) & (y_true <= 1)        # False for NaN
    if not inside.all():
        raise LabelError(f"{what} must be between 0 and 1, got {float(y_true[~inside].ravel()[0])}")


class Loss:
    """Shared plumbing: check, then compute. Subclasses define prepare, sample_losses, gradient."""

    def forward(self, y_pred, y_true):
        y_pred = _as_pred(y_pred)
        return self.sample_losses(y_pred, self.prepare(y_true, y_pred.shape, y_pred.dtype))

    def calculate(self, y_pred, y_true):
        """The mean loss over the batch, a float."""
        losses = self.forward(y_pred, y_true)
        return float(losses.sum() / len(losses))

    def backward(self, y_pred, y_true):
        y_pred = _as_pred(y_pred)
        self.dinputs = self.gradient(y_pred, self.prepare(y_true, y_pred.shape, y_pred.dtype))
        return self.dinputs

    def prepare(self, y_true, shape, dtype=np.float64):
        """Element-wise losses compare each output with a target of the same shape."""
        return targets(y_true, shape, dtype)

    def __repr__(self):
        return f"{type(self).__name__}()"


class CategoricalCrossentropy(Loss):
    """-log(probability given to the correct class), for softmax outputs.

    y_pred: (n_samples, n_classes) probabilities; y_true: sparse (n_samples,) or one-hot.
    """

    def prepare(self, y_true, shape, dtype=np.float64):
        """Sparse labels stay integers; one-hot rows stay rows (the book handles both) and must
        be exactly one-hot: for a soft row sum(y * p) is not the cross-entropy."""
        y_true = np.asarray(y_true)
        if y_true.ndim == 2 and y_true.shape[1] == shape[1] > 1 and y_true.dtype.kind in "iufb":
            if y_true.shape[0] != shape[0]:
                raise LabelError(f"{y_true.shape[0]} one-hot labels for {shape[0]} predictions")
            check_one_hot(y_true)
            return y_true.astype(dtype)
        return class_labels(y_true, shape[0], shape[1])

    def sample_losses(self, y_pred, labels):
        if labels.ndim == 2:
            # sum(y * p) over a row picks the probability of the class marked 1.
            correct = np.sum(y_pred * labels, axis=1)
        else:
            correct = y_pred[np.arange(len(y_pred)), labels]
        return -np.log(np.clip(correct, EPSILON, 1 - EPSILON))

    def gradient(self, y_pred, labels):
        one_hot = labels if labels.ndim == 2 else np.eye(y_pred.shape[1], dtype=y_pred.dtype)[labels]
        # d(-log p)/dp = -1/p for the correct class, 0 for the others. The book divides by p
        # unclipped; clipping gives the same numbers for every p >= 1e-7 and a finite gradient
        # (not infinity) for a probability of exactly 0. (Training fuses this with Softmax.)
        return -one_hot / np.clip(y_pred, EPSILON, 1 - EPSILON) / len(y_pred)


class SoftmaxCategoricalCrossentropy(Loss):
    """Softmax and categorical cross-entropy as one step: the fast, stable pair.

    ``forward(logits, y_true)`` applies softmax (kept in ``self.output``) and returns the
    per-sample cross-entropy. ``backward(probabilities, y_true)`` takes that softmax output and
    returns the gradient with respect to the logits, which simplifies to

        dL/dlogits = (probabilities - one_hot(y_true)) / n_samples

    the same numbers as Softmax.backward after CategoricalCrossentropy.backward, in one subtraction.
    """

    def __init__(self):
        self.activation = Softmax()
        self.loss = CategoricalCrossentropy()

    def forward(self, inputs, y_true):
        self.output = self.activation.forward(inputs)
        return self.loss.forward(self.output, y_true)

    def prepare(self, y_true, shape, dtype=np.float64):
        return self.loss.prepare(y_true, shape, dtype)

    def sample_losses(self, y_pred, labels):
        return self.loss.sample_losses(y_pred, labels)

    def gradient(self, y_pred, labels):
        if labels.ndim == 2:
            labels = np.argmax(labels, axis=1)
        dinputs = y_pred.copy()
        dinputs[np.arange(len(y_pred)), labels] -= 1
        return dinputs / len(y_pred)


class BinaryCrossentropy(Loss):
    """-(y log p + (1 - y) log(1 - p)) for sigmoid outputs, averaged over the outputs.

    y_pred: (n_samples, n_outputs) in (0, 1); y_true: 0 or 1 of the same shape ((n,) is fine
    for one output). Targets between 0 and 1 (soft targets) are fine; outside [0, 1] the
    'loss' can go negative, so they raise LabelError.
    """

    def prepare(self, y_true, shape, dtype=np.float64):
        y_true = targets(y_true, shape, dtype)
        check_between_0_and_1(y_true, "binary cross-entropy targets")
        return y_true

    def sample_losses(self, y_pred, y_true):
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        return np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1)

    def gradient(self, y_pred, y_true):
        n_samples, n_outputs = y_pred.shape
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        return -(y_true / p - (1 - y_true) / (1 - p)) / n_outputs / n_samples


class MeanSquaredError(Loss):
    """The mean of (y - prediction)^2 over the outputs: big errors count much more."""

    def sample_losses(self, y_pred, y_true):
        return np.mean((y_true - y_pred) ** 2, axis=-1)

    def gradient(self, y_pred, y_true):
        n_samples, n_outputs = y_pred.shape
        # d(y - p)^2/dp = -2 (y - p)
        return -2 * (y_true - y_pred) / n_outputs / n_samples


class MeanAbsoluteError(Loss):
    """The mean of |y - prediction| over the outputs: every unit of error counts the same."""

    def sample_losses(self, y_pred, y_true):
        return np.mean(np.abs(y_true - y_pred), axis=-1)

    def gradient(self, y_pred, y_true):
        n_samples, n_outputs = y_pred.shape
        # d|y - p|/dp = -sign(y - p). (The book's code drops this minus sign: its MAE climbs.)
        return -np.sign(y_true - y_pred) / n_outputs / n_samples


def regularization_loss(layers):
    """The L1 and L2 penalty of every layer that has them (Dense), added to the data loss.

    L1: lambda * sum(|w|) pulls weights to exactly zero; L2: lambda * sum(w^2) punishes large
    weights most. Layers without regularization contribute 0.
    """
    # Each layer's terms in the parameters' own dtype, summed layer by layer in this order, as the
    # book does: the same rounding, so the reg_loss printed is the book's to the last digit.
    total = 0.0
    for layer in layers:
        layer_total = 0.0
        for name, attribute in (("weight", "weights"), ("bias", "biases")):
            values = getattr(layer, attribute, None)
            l1 = getattr(layer, name + "_l1", 0.0)
            l2 = getattr(layer, name + "_l2", 0.0)
            if values is None:
                continue
            if l1:
                layer_total += l1 * np.abs(values).sum()
            if l2:
                layer_total += l2 * (values * values).sum()
        total += layer_total
    return float(total)
