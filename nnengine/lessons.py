"""Math that only the lessons need: the long ways round, and the mistakes worth seeing.

The engine proper does each of these in one line of numpy; here they are spelled out, or done
wrong on purpose, so a page can set them beside the real thing. Numpy only.
"""

import numpy as np

from .layers import Dense
from .rng import as_rng

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
    from .activations import ReLU, Softmax
    from .datasets import spiral
    from .losses import CategoricalCrossentropy
    from .model import Model
    from .optimizers import Adam

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


# ---- why non-linearity ----------------------------------------------------------------------


def collapse_linear(layers):
    """Stacked layers with no activation between them, multiplied out into ONE layer.

    (x @ W1 + b1) @ W2 + b2 = x @ (W1 @ W2) + (b1 @ W2 + b2): however many linear layers are
    stacked, the result is a single linear map, so depth adds nothing without an activation.
    layers: Dense layers, each one's n_inputs equal to the previous one's n_neurons.
    Returns a float64 Dense layer computing the same function.
    """
    weights = np.eye(layers[0].n_inputs)
    biases = np.zeros((1, layers[0].n_inputs))
    for layer in layers:
        layer_biases = 0 if layer.biases is None else layer.biases
        weights, biases = weights @ layer.weights, biases @ layer.weights + layer_biases
    single = Dense(weights.shape[0], weights.shape[1], weight_scale=0.0, dtype=np.float64)
    single.weights, single.biases = weights.astype(np.float64), np.asarray(biases, dtype=np.float64)
    return single


def relu_pairs(pairs, output_bias=0.0):
    """The hand-tuned network of the activations chapter: 1 input, n neuron pairs, 1 output.

    Pair k is a neuron of hidden layer 1, h1 = ReLU(w x + b), feeding only the k-th neuron of
    hidden layer 2, h2 = ReLU(v h1 + c), whose output reaches the output neuron with weight o.
    pairs: a list of (w, b, v, c, o). Returns the layers [Dense, ReLU, Dense, ReLU, Dense].

    The first neuron decides where the pair switches on (at x = -b / w) and how steeply it
    rises; the second, with a negative weight and a positive bias, clips that rise so the pair
    adds a bounded step; o scales and signs the step in the sum.
    """
    from .activations import ReLU

    pairs = np.asarray(pairs, dtype=np.float64).reshape(-1, 5)
    n = len(pairs)
    w, b, v, c, o = pairs.T
    first, second, out = (Dense(1, n, weight_scale=0.0, dtype=np.float64),
                          Dense(n, n, weight_scale=0.0, dtype=np.float64),
                          Dense(n, 1, weight_scale=0.0, dtype=np.float64))
    first.weights, first.biases = w.reshape(1, n), b.reshape(1, n)
    second.weights, second.biases = np.diag(v), c.reshape(1, n)      # pair k talks only to pair k
    out.weights, out.biases = o.reshape(n, 1), np.array([[float(output_bias)]])
    return [first, ReLU(), second, ReLU(), out]


def run_layers(layers, X):
    """Forward pass through a list of layers; returns the last output."""
    output = np.asarray(X, dtype=np.float64)
    for layer in layers:
        output = layer.forward(output)
    return output


def sine_pieces(n_pairs=8):
    """Pair settings that draw sin(2 pi x) on [0, 1] as n_pairs straight pieces.

    Pair k rises by sin(x_(k+1)) - sin(x_k) across its own piece [x_k, x_(k+1)]: its first
    neuron switches on at x_k with slope n_pairs (w = n, b = -k), its second neuron clips the
    rise at height 1 (v = -1, c = 1) and the output weight -height flips and scales that step.
    Returns (pairs, output bias).
    """
    knots = np.linspace(0, 1, n_pairs + 1)
    heights = np.diff(np.sin(2 * np.pi * knots))
    pairs = [(float(n_pairs), -float(k), -1.0, 1.0, -float(h)) for k, h in enumerate(heights)]
    return pairs, float(heights.sum())


def trained_sine_network(seed=0, hidden=8, epochs=3000):
    """A 1-hidden-hidden-1 ReLU network trained by the engine on sin(2 pi x), for comparison
    with a hand-tuned one. Returns (model, mean squared error on the training points)."""
    from .activations import Linear, ReLU
    from .datasets import sine
    from .losses import MeanSquaredError
    from .model import Model
    from .optimizers import Adam

    X, y = sine(samples=200)
    rng = as_rng(int(seed))
    model = Model([Dense(1, hidden, weight_scale=0.5, rng=rng), ReLU(),
                   Dense(hidden, hidden, weight_scale=0.5, rng=rng), ReLU(),
                   Dense(hidden, 1, weight_scale=0.5, rng=rng), Linear()],
                  loss=MeanSquaredError(), optimizer=Adam(learning_rate=0.01, decay=1e-3))
    model.fit(X, y, epochs=epochs)
    return model, model.evaluate(X, y)["loss"]


# ---- softmax, step by step ------------------------------------------------------------------


def softmax_steps(scores, subtract_max=True):
    """Softmax of one row of scores, with every intermediate kept for display.

    Returns a dict: shifted (scores minus their max, or the scores), exps, total, probabilities.
    Without the shift, exp overflows to infinity once a score passes about 709 (88 in float32),
    and infinity / infinity is nan.
    """
    scores = np.asarray(scores, dtype=np.float64)
    shifted = scores - scores.max() if subtract_max else scores
    with np.errstate(over="ignore", invalid="ignore"):
        exps = np.exp(shifted)
        total = exps.sum()
        probabilities = exps / total
    return {"shifted": shifted, "exps": exps, "total": total, "probabilities": probabilities}


# ---- loss on a small regression ---------------------------------------------------------------


def regression_points(outlier=False):
    """Eight points near the line y = 1 + 0.5 x (fixed noise drawn from RandomState(0)).

    With ``outlier`` the last point is moved 4 units up, to show how one bad point pulls each
    loss: squared error grows with the square of that miss, absolute error only with its size.
    Returns x (8,), y (8,), float64.
    """
    x = np.arange(8) * 0.5
    y = 1 + 0.5 * x + 0.15 * np.random.RandomState(0).standard_normal(8)
    if outlier:
        y[-1] += 4.0
    return x, y


def linear_stack_demo(seed=0, samples=200):
    """Three random layers 1 -> 8 -> 8 -> 1 (weights and biases standard normal, from
    RandomState(seed)), run on x in [0, 1) with no activation and with ReLU between them.

    Returns a dict: x, straight (no activation), bent (ReLU between), and the collapsed single
    layer's weight and bias with the largest gap between its outputs and the stack's.
    """
    from .activations import ReLU

    rng = as_rng(int(seed))
    stack = [Dense(n_in, n_out, weight_scale=1.0, rng=rng, dtype=np.float64)
             for n_in, n_out in ((1, 8), (8, 8), (8, 1))]
    for layer in stack:
        layer.biases = rng.standard_normal(layer.biases.shape)
    x = (np.arange(samples) / samples).reshape(-1, 1)
    single = collapse_linear(stack)
    straight = run_layers(stack, x)[:, 0]
    bent = run_layers([stack[0], ReLU(), stack[1], ReLU(), stack[2]], x)[:, 0]
    return {"x": x[:, 0], "straight": straight, "bent": bent,
            "weight": float(single.weights[0, 0]), "bias": float(single.biases[0, 0]),
            "gap": float(np.abs(single.forward(x)[:, 0] - straight).max())}
