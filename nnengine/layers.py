"""Layers with parameters or with randomness: Dense and Dropout.

Every layer has the book's anatomy: ``forward`` keeps its result in ``self.output`` and returns
it; ``backward(dvalues)`` takes the gradient of the loss with respect to that output and sets
``self.dinputs`` (plus the parameter gradients), so every intermediate can be inspected.
"""

import numpy as np

from .checks import as_batch, float_dtype, non_negative, positive_int, real_number
from .rng import as_rng, standard_normal


class Dense:
    """A fully connected layer: every neuron sees every input.

    output = inputs @ weights + biases

    Shapes: inputs (n_samples, n_inputs), weights (n_inputs, n_neurons),
    biases (1, n_neurons), output (n_samples, n_neurons).

    The weights are stored inputs-by-neurons, the transpose of writing one row of weights per
    neuron. Stored this way a whole batch goes through with one matrix product and no transpose:
    row i of ``inputs @ weights`` holds every neuron's weighted sum for sample i.

    Every option is checked: sizes are whole numbers, the scale and penalties finite and >= 0,
    ``bias`` True or False (a bias penalty needs biases), ``dtype`` float32 or float64 (the
    dtypes a model file holds: float16 keeps 3 digits, too few to train, and integer weights
    cannot take a fractional step).

    Weights start as ``weight_scale`` (0.01, as in the book) times standard normal numbers drawn
    from ``rng``; biases start at zero. ``weight_l1``, ``weight_l2``, ``bias_l1`` and ``bias_l2``
    add L1/L2 penalties to the loss (see ``nnengine.regularization_loss``) and their gradients here.

    ``book_precision=True`` computes the three matrix products (forward, and the two of backward)
    the way the book's code does: its ``nnfs.init()`` replaces ``np.dot`` by one that multiplies in
    float64 and rounds the result to float32. The numbers stored stay float32; only the rounding
    inside each product changes (a float32 product rounds every partial sum). Off by default
    because it is slower (see bench/README.md); the app turns it on where it shows the book's
    numbers (``nnengine.book``). It changes nothing for a float64 layer.
    """

    def __init__(self, n_inputs, n_neurons, *, weight_scale=0.01, bias=True,
                 weight_l1=0.0, weight_l2=0.0, bias_l1=0.0, bias_l2=0.0,
                 rng=None, dtype=np.float32, book_precision=False):
        self.n_inputs = positive_int(n_inputs, "n_inputs")
        self.n_neurons = positive_int(n_neurons, "n_neurons")
        self.weight_scale = non_negative(weight_scale, "weight_scale")
        self.weight_l1 = non_negative(weight_l1, "weight_l1")
        self.weight_l2 = non_negative(weight_l2, "weight_l2")
        self.bias_l1 = non_negative(bias_l1, "bias_l1")
        self.bias_l2 = non_negative(bias_l2, "bias_l2")
        if not isinstance(bias, (bool, np.bool_)):
            raise ValueError(f"bias must be True or False, got {bias!r}")
        for name in ("bias_l1", "bias_l2"):
            if getattr(self, name) and not bias:
                raise ValueError(f"{name} needs biases: this layer has bias=False")
        dtype = float_dtype(dtype)
        draws = standard_normal(as_rng(rng), (self.n_inputs, self.n_neurons), dtype)
        self.weights = dtype.type(self.weight_scale) * draws
        self.biases = np.zeros((1, self.n_neurons), dtype=dtype) if bias else None
        self.book_precision = bool(book_precision)

    def _dot(self, a, b):
        """a @ b, in the layer's dtype; multiplied in float64 first when ``book_precision``."""
        if self.book_precision:
            return (a.astype(np.float64, copy=False) @ b.astype(np.float64, copy=False)).astype(self.weights.dtype)
        return a @ b

    def forward(self, inputs, training=False):
        """inputs: (n_samples, n_inputs) -> output: (n_samples, n_neurons)."""
        # Inputs are computed in the weights' dtype (float32 by default, as in the book).
        self.inputs = as_batch(inputs, self.n_inputs, self.weights.dtype)
        self.output = self._dot(self.inputs, self.weights)
        if self.biases is not None:
            self.output += self.biases  # broadcast: the same bias for every sample
        return self.output

    def backward(self, dvalues):
        """dvalues: dL/d(output), (n_samples, n_neurons) -> dinputs: (n_samples, n_inputs).

        Each weight w[i, j] multiplies input i on its way to neuron j, so its gradient is
        input i times the gradient arriving at neuron j, summed over the batch: inputs.T @ dvalues.
        A bias is added unchanged, so its gradient is the arriving gradient summed over the batch.
        Each input reaches every neuron through one weight: dinputs = dvalues @ weights.T.
        """
        self.dweights = self._dot(self.inputs.T, dvalues)
        if self.weight_l1:
            # d|w|/dw is the sign of w (the book takes +1 at exactly zero).
            self.dweights += self.weight_l1 * np.where(self.weights < 0, -1, 1).astype(self.weights.dtype)
        if self.weight_l2:
            # d(w^2)/dw = 2w
            self.dweights += (2 * self.weight_l2) * self.weights
        if self.biases is not None:
            self.dbiases = dvalues.sum(axis=0, keepdims=True)
            if self.bias_l1:
                self.dbiases += self.bias_l1 * np.where(self.biases < 0, -1, 1).astype(self.biases.dtype)
            if self.bias_l2:
                self.dbiases += (2 * self.bias_l2) * self.biases
        self.dinputs = self._dot(dvalues, self.weights.T)
        return self.dinputs

    def parameters(self):
        """The layer's trainable arrays by name: weights, and biases when the layer has them."""
        params = {"weights": self.weights}
        if self.biases is not None:
            params["biases"] = self.biases
        return params

    def __repr__(self):
        return f"Dense({self.n_inputs}, {self.n_neurons})"


class Dropout:
    """Dropout: during training, zero each input with probability ``rate``.

    The survivors are divided by the keep probability (1 - rate), "inverted" dropout, so the
    expected sum reaching the next layer is the same in training and in prediction, where
    ``forward(x, training=False)`` passes everything through unchanged.

    The mask is drawn from ``rng`` (the book: ``binomial(1, 1 - rate) / (1 - rate)``). Setting
    ``reuse_mask = True`` keeps the last mask, which a gradient check needs. The mask is in the
    inputs' float dtype, or float64 for integer inputs (an integer mask would cut 1 / 0.4 = 2.5
    down to 2).
    """

    def __init__(self, rate, rng=None):
        rate = real_number(rate, "dropout rate")
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"dropout rate must be at least 0 and below 1, got {rate}")
        self.rate = rate
        self.rng = as_rng(rng)
        self.reuse_mask = False
        self.mask = None

    def forward(self, inputs, training=True):
        self.inputs = np.asarray(inputs)
        if not training or self.rate == 0.0:
            self.mask = None
            self.output = self.inputs
            return self.output
        if not (self.reuse_mask and self.mask is not None and self.mask.shape == self.inputs.shape):
            keep = 1.0 - self.rate
            kept = self.rng.binomial(1, keep, size=self.inputs.shape)
            dtype = self.inputs.dtype if self.inputs.dtype.kind == "f" else np.float64
            self.mask = (kept / keep).astype(dtype)
        self.output = self.inputs * self.mask
        return self.output

    def backward(self, dvalues):
        # Each output is input * mask, so the gradient flows back scaled by the same mask.
        self.dinputs = dvalues if self.mask is None else dvalues * self.mask
        return self.dinputs

    def __repr__(self):
        return f"Dropout({self.rate})"
