"""Backpropagation: the chain rule through one neuron, one operation at a time; backward rules
broken on purpose for the gradient check to catch; training without gradients (random search);
and the seed notebook's XOR network that never learns."""

import numpy as np

from ..activations import ReLU, Sigmoid, Softmax
from ..layers import Dense
from ..losses import CategoricalCrossentropy, MeanSquaredError
from ..model import Model
from ..optimizers import SGD, Adam
from ..rng import as_rng

# ---- one neuron as a computational graph -------------------------------------------------------


def neuron_graph(inputs, weights, bias, dvalue=1.0):
    """The neuron ReLU(sum_i x_i w_i + b), forward and backward, one operation at a time.

    Returns a dict:
      values: node name -> forward value (x0.., w0.., b, p0.. = x_i w_i, z = sum + b, y = ReLU(z))
      grads:  node name -> dL/d(node), given dL/dy = ``dvalue``
      steps:  the operations in order, forward then backward: (direction, text, nodes it sets)

    Backward, by the chain rule: dy/dz is 1 where z > 0 and 0 otherwise; the sum passes its
    gradient unchanged to every term and to b; a product x_i w_i sends the gradient times the
    OTHER factor to each: dL/dw_i = dL/dp_i * x_i and dL/dx_i = dL/dp_i * w_i.
    """
    x = [float(v) for v in inputs]
    w = [float(v) for v in weights]
    if len(x) != len(w):
        raise ValueError(f"{len(x)} inputs need {len(x)} weights, got {len(w)}")
    n = len(x)
    values = {f"x{i}": x[i] for i in range(n)} | {f"w{i}": w[i] for i in range(n)} | {"b": float(bias)}
    steps = []
    for i in range(n):
        values[f"p{i}"] = x[i] * w[i]
        steps.append(("forward", f"p_{i} = x_{i} w_{i}", [f"p{i}"]))
    values["z"] = sum(values[f"p{i}"] for i in range(n)) + values["b"]
    steps.append(("forward", "z = " + " + ".join(f"p_{i}" for i in range(n)) + " + b", ["z"]))
    values["y"] = max(values["z"], 0.0)
    steps.append(("forward", r"y = \max(z, 0)", ["y"]))

    grads = {"y": float(dvalue)}
    grads["z"] = grads["y"] * (1.0 if values["z"] > 0 else 0.0)
    steps.append(("backward", r"\frac{\partial L}{\partial z} = \frac{\partial L}{\partial y}\cdot"
                  r"\mathbb{1}[z > 0]", ["y", "z"]))
    for i in range(n):
        grads[f"p{i}"] = grads["z"]
    grads["b"] = grads["z"]
    steps.append(("backward", r"\frac{\partial L}{\partial p_i} = \frac{\partial L}{\partial b} = "
                  r"\frac{\partial L}{\partial z}", [f"p{i}" for i in range(n)] + ["b"]))
    for i in range(n):
        grads[f"w{i}"] = grads[f"p{i}"] * x[i]
        grads[f"x{i}"] = grads[f"p{i}"] * w[i]
        steps.append(("backward", rf"\frac{{\partial L}}{{\partial w_{i}}} = \frac{{\partial L}}{{\partial p_{i}}}"
                      rf" x_{i},\ \frac{{\partial L}}{{\partial x_{i}}} = \frac{{\partial L}}{{\partial p_{i}}} w_{i}",
                      [f"w{i}", f"x{i}"]))
    return {"values": values, "grads": grads, "steps": steps}


def neuron_step(inputs, weights, bias, learning_rate=0.001, dvalue=1.0):
    """One gradient step on the neuron with nnengine: a Dense(n, 1) layer and ReLU, backward
    from dL/dy = ``dvalue``, then SGD. Returns (layer before as a dict, layer after, output after)."""
    layer = Dense(len(weights), 1, weight_scale=0.0, dtype=np.float64)
    layer.weights = np.asarray(weights, dtype=np.float64).reshape(-1, 1)
    layer.biases = np.array([[float(bias)]])
    relu = ReLU()
    relu.forward(layer.forward(np.asarray(inputs, dtype=np.float64).reshape(1, -1)))
    layer.backward(relu.backward(np.array([[float(dvalue)]])))
    before = {"dweights": layer.dweights[:, 0].copy(), "dbias": float(layer.dbiases[0, 0]),
              "dinputs": layer.dinputs[0].copy()}
    SGD(learning_rate=learning_rate).step(layer)
    output = float(relu.forward(layer.forward(np.asarray(inputs, dtype=np.float64).reshape(1, -1)))[0, 0])
    after = {"weights": layer.weights[:, 0].copy(), "bias": float(layer.biases[0, 0])}
    return before, after, output


# ---- backward rules broken on purpose -----------------------------------------------------------


class BrokenReLU(ReLU):
    """A ReLU whose backward forgets to stop the gradient where the input was negative."""

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        return self.dinputs


class BrokenDense(Dense):
    """A Dense layer whose backward averages the bias gradient over the batch instead of summing."""

    def backward(self, dvalues):
        super().backward(dvalues)
        self.dbiases = dvalues.mean(axis=0, keepdims=True)
        return self.dinputs


BROKEN = {"nothing": None, "ReLU's backward (forgets to zero the gradient)": "relu",
          "Dense's bias gradient (a mean instead of a sum)": "dense"}


def check_network(hidden=4, activation="ReLU", broken="nothing", samples=5, seed=0, origin=False):
    """A small classifier (2 -> hidden -> 3, softmax and cross-entropy) on a few spiral points,
    with one backward rule broken if asked, and its gradient check: nnengine.gradcheck's list
    of GradientCheck (parameter, analytic, numerical, max relative error, kinks).

    Each spiral arm starts at the origin (radius 0). There a hidden neuron's input is its bias,
    0 at the start: exactly ReLU's kink, so every first-layer bias's finite difference straddles
    it and the check must leave those entries out. Unless ``origin`` is True those three points
    are dropped, so that every entry is checked."""
    from .. import datasets
    from ..activations import Tanh
    from ..gradcheck import gradcheck

    rng = as_rng(int(seed))
    X, y = datasets.spiral(samples=samples, classes=3, rng=rng, dtype=np.float64)
    if not origin:
        away = np.any(X != 0, axis=1)
        X, y = X[away], y[away]
    kind = BROKEN[broken]
    first = (BrokenDense if kind == "dense" else Dense)(2, hidden, weight_scale=1.0, rng=rng, dtype=np.float64)
    acts = {"ReLU": BrokenReLU if kind == "relu" else ReLU, "Tanh": Tanh, "Sigmoid": Sigmoid}
    model = Model([first, acts[activation](), Dense(hidden, 3, weight_scale=1.0, rng=rng, dtype=np.float64),
                   Softmax()], loss=CategoricalCrossentropy())
    return gradcheck(model, X, y)


# ---- learning without gradients ---------------------------------------------------------------


def random_search_vs_gradients(iterations=1000, seed=0, learning_rate=0.05):
    """The book's random search on vertical data against gradient descent on the same network.

    Both start from the same 2-3-3 network (ReLU, softmax, cross-entropy). Random search adds
    0.05 * normal noise to every weight and bias and keeps the change only if the loss fell;
    gradient descent follows the gradient with Adam. Returns (search losses, descent losses),
    each the loss at every iteration (the search's is the best so far).
    """
    from ..datasets import vertical

    rng = as_rng(int(seed))
    X, y = vertical(samples=100, classes=3, rng=rng)
    layers = [Dense(2, 3, rng=rng), ReLU(), Dense(3, 3, rng=rng), Softmax()]
    start = [(layer.weights.copy(), layer.biases.copy()) for layer in layers if isinstance(layer, Dense)]
    loss = CategoricalCrossentropy()

    def current_loss():
        output = X
        for layer in layers:
            output = layer.forward(output)
        return loss.calculate(output, y)

    best = current_loss()
    search = []
    denses = [layer for layer in layers if isinstance(layer, Dense)]
    for _ in range(int(iterations)):
        saved = [(d.weights.copy(), d.biases.copy()) for d in denses]
        for d in denses:
            d.weights += 0.05 * rng.standard_normal(d.weights.shape).astype(d.weights.dtype)
            d.biases += 0.05 * rng.standard_normal(d.biases.shape).astype(d.biases.dtype)
        trial = current_loss()
        if trial < best:
            best = trial
        else:
            for d, (w, b) in zip(denses, saved):
                d.weights, d.biases = w, b
        search.append(best)

    for d, (w, b) in zip(denses, start):
        d.weights, d.biases = w.copy(), b.copy()
    model = Model(layers, loss=CategoricalCrossentropy(), optimizer=Adam(learning_rate=learning_rate))
    descent = [record["loss"] for record in model.fit(X, y, epochs=int(iterations))]
    return np.array(search), np.array(descent)


# ---- the XOR network that never learns ----------------------------------------------------------


XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])
NOTEBOOK_RATE_FACTOR = 2.0       # the engine's MSE gradient is half the notebook's: see xor_run


def xor_run(weight_scale=0.01, learning_rate=0.1, epochs=1000, seed=0, every=100):
    """The seed notebook's XOR network: 2 -> 4 -> 1, sigmoids, no biases, squared error, plain
    SGD, weights ``weight_scale`` * normal. Returns a dict: epochs and losses every ``every``
    epochs, the gradients of both weight matrices at the first step, the hidden sigmoids' outputs
    at the start (4 samples x 4 neurons), the final outputs, and the last loss.

    ``learning_rate`` is the notebook's. The notebook starts backpropagation from p - y summed
    over the 4 samples; the engine's MeanSquaredError is the mean of (p - y)^2, whose gradient is
    2 (p - y) / 4 = (p - y) / 2 per sample: half the notebook's. So the engine's SGD gets twice
    the notebook's rate (NOTEBOOK_RATE_FACTOR), and every step is exactly the notebook's step.

    With weights of 0.01 every sigmoid sits at 0.5 whatever the input, so the output is 0.5 for
    all four samples and the loss 0.25; the gradients that reach the weights are tiny, and the
    four samples' gradients nearly cancel, so a learning rate of 0.1 moves nothing.
    """
    rng = as_rng(int(seed))
    model = Model([Dense(2, 4, weight_scale=weight_scale, bias=False, rng=rng, dtype=np.float64), Sigmoid(),
                   Dense(4, 1, weight_scale=weight_scale, bias=False, rng=rng, dtype=np.float64), Sigmoid()],
                  loss=MeanSquaredError(), optimizer=SGD(learning_rate=NOTEBOOK_RATE_FACTOR * learning_rate))
    output = model.forward(XOR_X, training=True)
    model.backward(output, XOR_Y)
    first_gradients = [model.layers[0].dweights.copy(), model.layers[2].dweights.copy()]
    first_hidden = model.layers[1].output.copy()                   # (4, 4): each sample's hidden sigmoids
    history = model.fit(XOR_X, XOR_Y, epochs=int(epochs))
    marks = list(range(0, int(epochs), int(every))) + [int(epochs) - 1]
    return {"epochs": marks, "losses": [history[e]["loss"] for e in marks],
            "first_gradients": first_gradients, "first_hidden": first_hidden, "outputs": model.predict(XOR_X)[:, 0],
            "final_loss": history[-1]["loss"]}


def xor_verdict(run):
    """What an xor_run did: 'learned' when every output is on its target's side of 0.5;
    'stuck' when every output is still within 0.05 of 0.5 (the symmetric start never broke);
    otherwise 'not yet'."""
    outputs = np.asarray(run["outputs"])
    if np.all((outputs > 0.5) == (XOR_Y[:, 0] > 0.5)):
        return "learned"
    return "stuck" if np.all(np.abs(outputs - 0.5) < 0.05) else "not yet"
