"""Activations: why a network needs non-linearity, a sine fitted by hand, softmax step by step."""

import numpy as np

from ..layers import Dense
from ..rng import as_rng

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
    from ..activations import ReLU

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
    # At x = 0 every pair outputs -height, so the bias is the heights' sum: sin(2 pi) - sin(0) = 0.
    # Floating point leaves about -2e-16 (shown as "-0.00"); rounding gives the exact 0.
    return pairs, float(round(heights.sum(), 12)) + 0.0


def trained_sine_network(seed=0, hidden=8, epochs=3000):
    """A 1-hidden-hidden-1 ReLU network trained by the engine on sin(2 pi x), for comparison
    with a hand-tuned one. Returns (model, mean squared error on the training points)."""
    from ..activations import Linear, ReLU
    from ..datasets import sine
    from ..losses import MeanSquaredError
    from ..model import Model
    from ..optimizers import Adam

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


def naive_softmax_trouble(scores):
    """What goes wrong when softmax does not subtract the max first, or None when nothing does
    (its probabilities equal the stable ones):

    'overflow': some exp(score) is infinite (a score above about 709), so that class gets
    inf / inf = nan; 'sum overflow': every exp is finite but their sum is not, so every
    probability is finite / inf = 0; 'underflow': every exp(score) is 0 (all scores below about
    -745), so every probability is 0 / 0 = nan.
    """
    naive, stable = softmax_steps(scores, subtract_max=False), softmax_steps(scores)
    if np.allclose(naive["probabilities"], stable["probabilities"], rtol=1e-9, atol=1e-12):
        return None
    if np.isinf(naive["exps"]).any():
        return "overflow"
    if np.isinf(naive["total"]):
        return "sum overflow"
    if naive["total"] == 0:
        return "underflow"
    return "rounding"


def linear_stack_demo(seed=0, samples=200):
    """Three random layers 1 -> 8 -> 8 -> 1 (weights and biases standard normal, from
    RandomState(seed)), run on x in [0, 1) with no activation and with ReLU between them.

    Returns a dict: x, straight (no activation), bent (ReLU between), and the collapsed single
    layer's weight and bias with the largest gap between its outputs and the stack's.
    """
    from ..activations import ReLU

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
