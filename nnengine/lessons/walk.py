"""One sample forward and backward through a whole network, operation by operation.

``walk(model, X, y, index)`` runs sample ``index`` through any nnengine Model (a float64 copy, so
the gradient check is exact) and keeps every intermediate: each Dense layer's weighted sums z,
each activation's output a, the loss, and backward every dL/da, dL/dz, dW, db and dX, in the
order backpropagation computes them. The numbers are the engine's own: the walk calls
``Layer.forward``, ``Model.backward`` and ``Loss.gradient`` and only records what they return.

For softmax with categorical cross-entropy the gradient reaching the output sums is the famous
short one. With p = softmax(z) and L = -log p_c (c the true class):

    dL/dp_k = -y_k / p_k                     (only the true class has y_k = 1)
    dp_k/dz_j = p_k (1[k = j] - p_j)         (softmax's Jacobian: diag(p) - p p^T)
    dL/dz_j = sum_k dL/dp_k dp_k/dz_j = -(1/p_c) p_c (1[c = j] - p_j) = p_j - y_j

so dL/dz = p - y (divided by the batch size for a mean loss). ``long_way`` computes the same
numbers through the Jacobian, as the book's Softmax.backward does.

The numerical check nudges each parameter by +-h. Where a nudge moves a ReLU's input across 0
(its kink) the finite difference measures a slope that is not the derivative at the point, so
those entries are named (``kinked``) and left out of the verdict: the kink rule.
"""

import copy
from dataclasses import dataclass, field

import numpy as np

from .. import datasets
from ..activations import ReLU, Sigmoid, Softmax
from ..gradcheck import _to_float64, gradcheck
from ..layers import Dense, Dropout
from ..losses import BinaryCrossentropy, CategoricalCrossentropy, regularization_loss
from ..model import Model
from ..optimizers import SGD, Adam
from ..rng import as_rng

# What the book's chapter 9 code (Ch9_Final.py: spiral_data(100, 3), Dense(2, 3), ReLU, Dense(3, 3),
# softmax with categorical cross-entropy, nnfs.init()) prints, recorded by running it (numpy 2.4).
CHAPTER_9_PRINTED = {
    "first_outputs": np.array([[0.33333334, 0.33333334, 0.33333334],
                               [0.3333332, 0.3333332, 0.33333364],
                               [0.3333329, 0.33333293, 0.3333342],
                               [0.3333326, 0.33333263, 0.33333477],
                               [0.33333233, 0.3333324, 0.33333528]]),
    "loss": 1.0986104,
    "accuracy": 0.34,
    "dweights 1": np.array([[1.5766357e-04, 7.8368583e-05, 4.7324400e-05],
                            [1.8161038e-04, 1.1045573e-05, -3.3096312e-05]]),
    "dbiases 1": np.array([[-3.60553473e-04, 9.66117223e-05, -1.03671395e-04]]),
    "dweights 2": np.array([[5.44109462e-05, 1.07411419e-04, -1.61822361e-04],
                            [-4.07913431e-05, -7.16780924e-05, 1.12469446e-04],
                            [-5.30112993e-05, 8.58172934e-05, -3.28059905e-05]]),
    "dbiases 2": np.array([[-1.0729185e-05, -9.4610732e-06, 2.0027859e-05]]),
}


# ---- the book's small network ---------------------------------------------------------------------


def book_network(hidden=3, seed=0, trained_epochs=0, dtype=np.float32):
    """The book's chapter 9 setup: spiral_data(100, 3) and Dense(2, hidden), ReLU, Dense(hidden, 3),
    softmax with categorical cross-entropy, everything drawn from one RandomState(seed) in the book's
    order. With hidden=3 these are exactly the book's weights. ``trained_epochs`` > 0 first trains it
    with chapter 10's optimizer (Adam, learning rate 0.05, decay 5e-7), so the walk can show a network
    that has learned something. Returns (X, y, model)."""
    rng = as_rng(int(seed))
    X, y = datasets.spiral(samples=100, classes=3, rng=rng, dtype=dtype)
    book = dtype == np.float32            # products as nnfs.init() makes np.dot: float64, rounded to float32
    model = Model([Dense(2, hidden, rng=rng, dtype=dtype, book_precision=book), ReLU(),
                   Dense(hidden, 3, rng=rng, dtype=dtype, book_precision=book),
                   Softmax()], loss=CategoricalCrossentropy(), optimizer=Adam(learning_rate=0.05, decay=5e-7))
    if trained_epochs:
        model.fit(X, y, epochs=int(trained_epochs))
    return X, y, model


def as_float64(model):
    """A float64 copy of a model (the original is untouched): the same numbers, computed exactly
    enough for a gradient check."""
    model = copy.deepcopy(model)
    for layer in model.layers:
        _to_float64(layer)
    return model


# ---- the walk -------------------------------------------------------------------------------------


@dataclass
class Column:
    """One column of neurons in the drawing: the inputs, or a Dense layer with what follows it.

    z: the Dense layer's weighted sums (None for the inputs); a: what the column passes on (the
    activation's output, or the inputs themselves); dz = dL/dz and da = dL/da, filled backward.
    activation: the name of the function from z to a ('' for the inputs, 'none' without one).
    """
    name: str
    a: np.ndarray
    z: np.ndarray | None = None
    activation: str = ""
    dz: np.ndarray | None = None
    da: np.ndarray | None = None


@dataclass
class Link:
    """A Dense layer between two columns: its weights and biases and, backward, their gradients
    for this sample, and the gradient it sends to its inputs (dX)."""
    weights: np.ndarray
    biases: np.ndarray | None
    dweights: np.ndarray
    dbiases: np.ndarray | None
    dinputs: np.ndarray


@dataclass
class Operation:
    """One operation of the walk: direction ('forward' or 'backward'), a short title, and which
    quantities it makes known: ('a'|'z'|'loss'|'dz'|'da'|'dW', column); the first names the
    operation (ui/walk_tex.py writes its formula with the numbers)."""
    direction: str
    title: str
    makes: tuple


@dataclass
class Walk:
    index: int
    x: np.ndarray                 # (1, n_inputs), float64
    target: np.ndarray            # the sample's label (class index, or targets row)
    task: str                     # 'classification', 'binary' or 'regression'
    columns: list
    links: list
    output: np.ndarray            # the model's output for the sample (probabilities for a classifier)
    loss: float                   # data loss plus any regularization
    data_loss: float
    output_gradient: np.ndarray   # dL/dz of the output layer, from Model.backward
    loss_gradient: np.ndarray     # dL/d(output), from the loss alone (the long way's first half)
    steps: list = field(default_factory=list)
    dropout: bool = False         # the model has Dropout (off in the walk, as when predicting)
    model: Model | None = None    # the float64 copy the numbers come from


ACT_NAMES = {"ReLU": "ReLU", "LeakyReLU": "leaky ReLU", "Sigmoid": "sigmoid", "Tanh": "tanh", "Linear": "linear",
             "Step": "step", "Softmax": "softmax"}


def _groups(model):
    """The model's layers grouped as (Dense, its activation or None); Dropout layers are skipped
    (they pass values through when predicting)."""
    groups = []
    for layer in model.layers:
        if isinstance(layer, Dense):
            groups.append([layer, None])
        elif isinstance(layer, Dropout):
            continue
        elif groups and groups[-1][1] is None:
            groups[-1][1] = layer
        else:
            raise ValueError(f"the walk needs each activation right after a Dense layer, found {layer!r}")
    return groups


def walk(model, X, y, index):
    """Sample ``index`` of (X, y) through ``model``, forward and backward, every number kept.

    The model is copied to float64 and run with dropout off (as when predicting); its loss is the
    model's own, plus any L1/L2 penalty. Returns a Walk."""
    X = np.asarray(X)
    index = int(index)
    if not 0 <= index < len(X):
        raise ValueError(f"sample index must be from 0 to {len(X) - 1}, got {index}")
    net = as_float64(model)
    # Dropout passes everything through when predicting: the walk's copy leaves it out, so its forward pass
    # (and the gradient check's, which runs in training mode) is the prediction's.
    net.layers = [layer for layer in net.layers if not isinstance(layer, Dropout)]
    groups = _groups(net)
    x = np.asarray(X[index:index + 1], dtype=np.float64)
    target = np.asarray(y)[index:index + 1]
    if target.dtype.kind == "f":
        target = target.astype(np.float64)

    output = net.forward(x, training=False)
    net.backward(output, target)
    data_loss = net.loss.calculate(output, target)
    loss = data_loss + regularization_loss(net.dense_layers)

    columns = [Column("inputs", x[0].copy(), da=net.layers[0].dinputs[0].copy())]
    links = []
    n_hidden = len(groups) - 1
    for number, (dense, act) in enumerate(groups):
        name = "outputs" if number == n_hidden else ("hidden" if n_hidden == 1 else f"hidden {number + 1}")
        a = act.output if act is not None else dense.output
        # dL/dz: what the activation's backward gave (Model.backward sets Softmax's to the fused p - y);
        # a last Dense layer without an activation receives the loss's gradient itself.
        dz = act.dinputs if act is not None else net.loss.dinputs
        columns.append(Column(name, a[0].copy(), z=dense.output[0].copy(),
                              activation=type(act).__name__ if act is not None else "none", dz=dz[0].copy()))
        links.append(Link(dense.weights.copy(), None if dense.biases is None else dense.biases.copy(),
                          dense.dweights.copy(), None if dense.biases is None else dense.dbiases.copy(),
                          dense.dinputs[0].copy()))
    # dL/da of each column is the gradient the next Dense layer sent back (its dX); the output's is the loss's.
    for column, link in zip(columns[1:-1], links[1:]):
        column.da = link.dinputs.copy()
    loss_gradient = net.loss.gradient(output, net._labels(target, 1))
    columns[-1].da = loss_gradient[0].copy()
    result = Walk(index=index, x=x, target=target, task=net.task, columns=columns, links=links,
                  output=output[0].copy(), loss=float(loss), data_loss=float(data_loss),
                  output_gradient=columns[-1].dz.copy(), loss_gradient=loss_gradient[0].copy(),
                  dropout=any(isinstance(layer, Dropout) for layer in model.layers), model=net)
    result.steps = _steps(result)
    return result


# ---- the operations, in order -----------------------------------------------------------------------


def _steps(w):
    """Every operation of the walk, forward then backward, in order."""
    steps = [Operation("forward", "the sample enters", (("a", 0),))]
    for k, column in enumerate(w.columns[1:], start=1):
        steps.append(Operation("forward", f"{column.name}: weighted sums", (("z", k),)))
        name = column.activation
        title = (f"{column.name}: {ACT_NAMES.get(name, name)}" if name not in ("none", "Linear")
                 else f"{column.name}: passed on as they are")
        steps.append(Operation("forward", title, (("a", k),)))
    steps.append(Operation("forward", "the loss", (("loss", 0),)))

    last = len(w.columns) - 1
    steps.append(Operation("backward", "the gradient at the output sums", (("da", last), ("dz", last))))
    for k in range(last, 0, -1):
        steps.append(Operation("backward", f"{w.columns[k].name}: dW, db and dX", (("dW", k), ("da", k - 1))))
        if k > 1:
            column = w.columns[k - 1]
            steps.append(Operation("backward", f"{column.name}: back through {ACT_NAMES.get(column.activation, 'it')}",
                                   (("dz", k - 1),)))
    return steps


# ---- the long way, the check, the update -----------------------------------------------------------


def long_way(probabilities, label):
    """dL/dz for softmax then categorical cross-entropy the long way, as two backward steps:
    the loss's gradient -y/p, then softmax's Jacobian diag(p) - p p^T times it. Returns
    (dL/dp, the Jacobian, dL/dz)."""
    p = np.asarray(probabilities, dtype=np.float64).reshape(1, -1)
    dloss = CategoricalCrossentropy().backward(p, np.array([int(label)]))
    jacobian = Softmax.jacobian(p[0])
    return dloss[0], jacobian, jacobian @ dloss[0]


def numerical_check(w, h=1e-6):
    """Every Dense weight and bias of the walk's network, for this one sample: the analytic
    gradient from backward against the central difference (L(p + h) - L(p - h)) / 2h, by
    nnengine.gradcheck. Its kink rule applies: entries whose +-h nudge moves some ReLU input across 0
    are named in each result's ``kinks`` and left out of its ``max_relative_error``."""
    return gradcheck(w.model, w.x, w.target, h=h)


# A central difference's own rounding error is about eps * |L| / h: 2e-10 for a loss near 1 with h = 1e-6.
# Where analytic and numerical gradients differ by less than this floor, the difference says nothing
# about the backward rule, however large it is relative to a tiny gradient.
ROUNDING_FLOOR = 1e-9


def verdict(checks, floor=ROUNDING_FLOOR):
    """(passed, largest relative error, entries rescued by the floor) over ``numerical_check``'s results.
    An entry passes when its relative error is below 1e-6 or, failing that, its absolute difference is
    below ``floor`` (the rescued ones); entries that cross a ReLU kink are left out (gradcheck's kink rule)."""
    worst, rescued, passed = 0.0, 0, True
    for check in checks:
        kinks = check.kinks if check.kinks is not None else np.zeros(check.analytic.shape, dtype=bool)
        difference = np.abs(check.analytic - check.numerical)
        errors = difference / np.maximum(np.abs(check.analytic) + np.abs(check.numerical), 1e-8)
        counted = ~kinks
        if counted.any():
            worst = max(worst, float(errors[counted].max()))
        high = counted & (errors >= 1e-6)
        rescued += int(np.count_nonzero(high & (difference < floor)))
        passed = passed and not bool(np.any(high & (difference >= floor)))
    return passed, worst, rescued


@dataclass
class Update:
    learning_rate: float
    loss_before: float
    loss_after: float
    output_before: np.ndarray
    output_after: np.ndarray


def sgd_update(w, learning_rate):
    """One plain SGD step on this sample's gradients (W <- W - rate * dW, b likewise) on a copy of
    the walk's network; the sample's loss and outputs before and after."""
    net = copy.deepcopy(w.model)
    net.forward(w.x, training=False)
    net.backward(net.layers[-1].output, w.target)
    SGD(learning_rate=float(learning_rate)).step(net.dense_layers)
    output = net.forward(w.x, training=False)
    after = net.loss.calculate(output, w.target) + regularization_loss(net.dense_layers)
    return Update(float(learning_rate), w.loss, float(after), w.output.copy(), output[0].copy())


# ---- a batch --------------------------------------------------------------------------------------


@dataclass
class BatchGradients:
    indices: list
    per_sample: list              # per sample: [dW1, db1, dW2, db2, ...] each from a batch of 1
    batch: list                   # the same arrays from one backward pass over the whole batch
    names: list


def batch_gradients(model, X, y, indices):
    """The gradients of the mean loss over the samples ``indices``, from one backward pass over the
    batch, beside each sample's own: Model.backward divides by the batch size, so the batch's
    gradient is the mean of the per-sample gradients."""
    net = as_float64(model)
    indices = [int(i) for i in indices]
    if not indices:
        raise ValueError("a batch needs at least one sample")

    net.layers = [layer for layer in net.layers if not isinstance(layer, Dropout)]

    def gradients(rows):
        xb = np.asarray(X, dtype=np.float64)[rows]
        yb = np.asarray(y)[rows]
        output = net.forward(xb, training=False)
        net.backward(output, yb)
        return [getattr(d, "d" + name).copy() for d in net.dense_layers for name in d.parameters()]

    names = [f"layer {k} {name}" for k, d in enumerate(net.dense_layers, start=1) for name in d.parameters()]
    per_sample = [gradients([i]) for i in indices]
    return BatchGradients(indices, per_sample, gradients(indices), names)


def chapter_9_batch(book_precision=True):
    """The book's chapter 9 run with nnengine: the untrained 2-3-3 network on all 300 spiral
    samples in float32 (as nnfs.init() makes it; with ``book_precision`` each matrix product is
    also multiplied in float64 and rounded to float32, as its patched np.dot does), one forward and
    one backward pass. Returns a dict with the same keys as CHAPTER_9_PRINTED."""
    X, y, model = book_network(hidden=3)
    for dense in model.dense_layers:
        dense.book_precision = bool(book_precision)      # float64 products rounded to float32, as nnfs.init()
    output = model.forward(X, training=False)
    model.backward(output, y)
    d1, d2 = model.dense_layers
    return {"first_outputs": output[:5].copy(), "loss": model.loss.calculate(output, y),
            "accuracy": float(model.accuracy(output, y)),
            "dweights 1": d1.dweights.copy(), "dbiases 1": d1.dbiases.copy(),
            "dweights 2": d2.dweights.copy(), "dbiases 2": d2.dbiases.copy()}


def chapter_9_float64():
    """The same gradients computed in float64 from the same (float32) weights and data: how far the
    book's float32 numbers are from the exact ones."""
    X, y, model = book_network(hidden=3)
    result = batch_gradients(model, X, y, range(len(X)))
    return dict(zip(["dweights 1", "dbiases 1", "dweights 2", "dbiases 2"], result.batch))


def default_sample(X, model=None):
    """A good first sample: not at the origin (where every hidden sum is exactly its bias and
    ReLU's kink makes the numerical check meaningless) and, when there is one, a sample with at
    least one ReLU of every hidden layer on and one off; the first found from a sixth of the way in."""
    X = np.asarray(X)
    start = len(X) // 6
    away = [i for i in list(range(start, len(X))) + list(range(start)) if np.abs(X[i]).sum() > 0.1]
    if model is not None and away:
        net = as_float64(model)
        net.forward(np.asarray(X, dtype=np.float64), training=False)
        on = [layer.inputs > 0 for layer in net.layers if isinstance(layer, ReLU)]
        for i in away:
            if on and all(0 < r[i].sum() < r.shape[1] for r in on):
                return i
    return away[0] if away else 0


def binary_gradient_is_p_minus_y(output, target):
    """For a sigmoid output with binary cross-entropy the gradient at the output sum is also
    p - y (over the number of outputs): (-(y/p) + (1 - y)/(1 - p)) * p (1 - p) = p - y."""
    p = np.asarray(output, dtype=np.float64).reshape(1, -1)
    t = np.asarray(target, dtype=np.float64).reshape(1, -1)
    dloss = BinaryCrossentropy().backward(p, t)
    sigmoid = Sigmoid()
    sigmoid.output = p
    return sigmoid.backward(dloss)[0], ((p - t) / p.shape[1])[0]
