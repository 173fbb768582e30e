"""The forward pass the long way round: one neuron, one layer, batches, the transpose
mistakes, and where a random seed must be set."""

import numpy as np

from ..layers import Dense
from ..rng import as_rng

# ---- one neuron, one layer: the plain-Python way -------------------------------------------


def neuron_terms(inputs, weights, bias):
    """One neuron written out: each input times its weight, then the sum plus the bias.

    Returns (products, output): products[i] = inputs[i] * weights[i];
    output = sum(products) + bias.
    """
    if len(inputs) != len(weights):
        raise ValueError(f"{len(inputs)} inputs need {len(inputs)} weights, got {len(weights)}")
    products = [float(x) * float(w) for x, w in zip(inputs, weights)]
    return products, sum(products) + float(bias)


def layer_loop(inputs, weights, biases):
    """A layer with two plain loops: for each neuron, add up input * weight, then its bias.

    inputs: n_inputs numbers; weights: one row of n_inputs weights per neuron; biases: one per
    neuron. Returns a list with one output per neuron.
    """
    outputs = []
    for neuron_weights, neuron_bias in zip(weights, biases):
        total = 0.0
        for value, weight in zip(inputs, neuron_weights):
            total += value * weight
        outputs.append(total + neuron_bias)
    return outputs


def layer_dot(inputs, weights, biases):
    """The same layer with one dot product: weights (n_neurons, n_inputs) @ inputs (n_inputs,)
    gives every neuron's weighted sum at once."""
    weights, inputs = np.asarray(weights, dtype=float), np.asarray(inputs, dtype=float)
    return np.dot(weights, inputs) + np.asarray(biases, dtype=float)


def dense_from_rows(weights, biases):
    """A Dense layer holding weights written one row per neuron, as the series writes them.

    weights: (n_neurons, n_inputs); biases: (n_neurons,). The layer stores the transpose,
    (n_inputs, n_neurons), so that a batch passes through as inputs @ weights.
    """
    weights = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    biases = np.asarray(biases, dtype=np.float64).reshape(1, -1)
    if biases.shape[1] != weights.shape[0]:
        raise ValueError(f"{weights.shape[0]} neurons need {weights.shape[0]} biases, got {biases.shape[1]}")
    layer = Dense(weights.shape[1], weights.shape[0], weight_scale=0.0, dtype=np.float64)
    layer.weights = weights.T.copy()
    layer.biases = biases.copy()
    return layer


# ---- batches and the transpose ---------------------------------------------------------------


def batch_layer(inputs, weights, biases):
    """A batch through a layer whose weights are written one row per neuron:
    inputs (n_samples, n_inputs) @ weights.T (n_inputs, n_neurons) + biases."""
    inputs, weights = np.asarray(inputs, dtype=float), np.asarray(weights, dtype=float)
    return np.dot(inputs, weights.T) + np.asarray(biases, dtype=float)


def shape_error_without_transpose(inputs, weights):
    """Try inputs @ weights with the weights still one row per neuron. Returns numpy's error
    message when the shapes do not line up, or None when they happen to (a square matrix)."""
    try:
        np.dot(np.asarray(inputs, dtype=float), np.asarray(weights, dtype=float))
    except ValueError as error:
        return str(error)
    return None


def chained_layers(inputs, weights1, biases1, weights2, biases2, transpose_second=True):
    """Two layers chained, both written one row per neuron.

    With ``transpose_second=False`` the second layer's weights are used as written. When that
    matrix is square no error appears, yet each neuron gets the wrong weights (a column instead
    of its row): the quiet mistake.
    """
    hidden = batch_layer(inputs, weights1, biases1)
    weights2 = np.asarray(weights2, dtype=float)
    used = weights2.T if transpose_second else weights2
    return hidden, np.dot(hidden, used) + np.asarray(biases2, dtype=float)


# ---- where a seed must be set ---------------------------------------------------------------


def seeded_layers(inputs, seed=0, draws_before=0, weight_scale=0.10):
    """The seeded 4 -> 5 -> 2 example: seed a RandomState, let ``draws_before`` numbers be
    drawn first (as earlier notebook cells would), then build Dense(4, 5) and Dense(5, 2) with
    weights ``weight_scale`` * standard normal and pass ``inputs`` through both.

    Returns (first layer output, second layer output), float64.
    """
    rng = as_rng(int(seed))
    if draws_before:
        rng.standard_normal(int(draws_before))
    layer1 = Dense(4, 5, weight_scale=weight_scale, rng=rng, dtype=np.float64)
    layer2 = Dense(5, 2, weight_scale=weight_scale, rng=rng, dtype=np.float64)
    out1 = layer1.forward(inputs)
    return out1, layer2.forward(out1)


# ---- why batches help -----------------------------------------------------------------------


def batch_loss_spread(batch_sizes=(1, 4, 16, 64), draws=40, seed=0, epochs=300):
    """How well a batch's loss estimates the loss over all the data.

    Trains the book's spiral classifier (2-64-3, Adam) for a few epochs so that samples differ
    in how wrong they are, then draws ``draws`` random batches of each size and computes each
    batch's mean loss. Returns (loss over all data, {batch size: array of batch losses}).
    Small batches scatter widely around the full-data loss; larger ones close in on it, and so
    do the gradients computed from them.
    """
    from ..activations import ReLU, Softmax
    from ..datasets import spiral
    from ..losses import CategoricalCrossentropy
    from ..model import Model
    from ..optimizers import Adam

    rng = as_rng(int(seed))
    X, y = spiral(samples=100, classes=3, rng=rng)
    model = Model([Dense(2, 64, rng=rng), ReLU(), Dense(64, 3, rng=rng), Softmax()],
                  loss=CategoricalCrossentropy(), optimizer=Adam(learning_rate=0.05, decay=5e-7))
    model.fit(X, y, epochs=epochs)
    per_sample = model.loss.forward(model.predict(X), y)
    spread = {}
    for size in batch_sizes:
        size = min(int(size), len(X))
        spread[size] = np.array([per_sample[rng.choice(len(X), size, replace=False)].mean()
                                 for _ in range(draws)])
    return float(per_sample.mean()), spread
