"""Optimizers: 2-D loss surfaces for an optimizer to walk on.

A network's loss depends on thousands of weights; here it depends on two, so the whole surface
can be drawn and an optimizer's path followed on it. Each surface has ``value(w)`` (vectorised:
any array of points (..., 2) -> values (...)) and ``gradient(w)`` (one point (2,) -> (2,)).

The steps are taken by the engine's own optimizers: a ``Point`` has ``weights`` and ``dweights``
like a Dense layer, so ``optimizer.step(point)`` moves it exactly as it would move a layer.
"""

from dataclasses import dataclass, field

import numpy as np

from ..activations import Tanh
from ..layers import Dense
from ..losses import MeanSquaredError
from ..optimizers import SGD, Adagrad, Adam, RMSprop

BOX = (-4.0, 4.0)          # every surface is drawn over x and y in this range
LIMIT = 1e3                # a point this far from the origin has left for good: the run diverged


class Point:
    """A point on a loss surface, as an optimizer sees it: ``weights`` (2,) float64 (x and y)
    and ``dweights`` (2,), the surface's gradient there (set before each step)."""

    def __init__(self, start):
        self.weights = np.array(start, dtype=np.float64).reshape(2)
        self.dweights = np.zeros(2)


class Surface:
    """A loss over two numbers x and y. Subclasses set ``key``, ``title``, ``start`` (a start
    that shows the surface's character), ``minimum`` (where the lowest point is) and define
    ``value`` and ``gradient``."""

    key = ""
    title = ""
    start = (-3.5, 2.5)
    minimum = (0.0, 0.0)
    twins = ()               # other lowest points, as low as ``minimum``

    @property
    def minima(self):
        """Every lowest point (loss 0): ``minimum`` first, then its twins."""
        return (self.minimum, *self.twins)

    def value(self, w):
        """w: (..., 2) -> loss (...)."""
        raise NotImplementedError

    def gradient(self, w):
        """w: (2,) -> (dL/dx, dL/dy), shape (2,)."""
        raise NotImplementedError

    def grid(self, n=50):
        """The surface over the drawing box: xs (n,), ys (n,) and values (n, n), where
        values[i, j] is the loss at (xs[j], ys[i])."""
        xs = ys = np.linspace(*BOX, n)
        points = np.stack(np.meshgrid(xs, ys), axis=-1)          # (n, n, 2): points[i, j] = (xs[j], ys[i])
        return xs, ys, self.value(points)


class Bowl(Surface):
    """An elongated bowl: f = (x^2 / c + y^2) / 2, with conditioning c >= 1.

    The curvature is 1 across the bowl (y) and 1/c along it (x): c times flatter. A learning rate
    small enough not to bounce across the steep direction (below 2) crawls along the flat one,
    which is why plain SGD struggles when c is large.
    """

    key = "bowl"
    title = "Elongated bowl"
    start = (-3.5, 2.5)

    def __init__(self, conditioning=10.0):
        self.conditioning = float(conditioning)
        if not np.isfinite(self.conditioning) or self.conditioning < 1:
            raise ValueError(f"conditioning must be at least 1, got {conditioning!r}")

    def value(self, w):
        w = np.asarray(w, dtype=np.float64)
        return (w[..., 0] ** 2 / self.conditioning + w[..., 1] ** 2) / 2

    def gradient(self, w):
        return np.array([w[0] / self.conditioning, w[1]])


class Valley(Surface):
    """A curved valley like Rosenbrock's: f = (1 - x/2)^2 / 10 + (y + 2 - x^2/2)^2 / 4.

    The second term is zero along the parabola y = x^2/2 - 2 (the valley floor) and steep across
    it; the first, gentle one slopes along the floor down to the minimum at (2, 0). It is
    Rosenbrock's function (1 - u)^2 + 10 (v - u^2)^2 with u = x/2, v = y/2 + 1, scaled by 1/10.
    """

    key = "valley"
    title = "Curved valley (Rosenbrock-like)"
    start = (-3.0, -1.5)
    minimum = (2.0, 0.0)

    def value(self, w):
        w = np.asarray(w, dtype=np.float64)
        x, y = w[..., 0], w[..., 1]
        return (1 - x / 2) ** 2 / 10 + (y + 2 - x ** 2 / 2) ** 2 / 4

    def gradient(self, w):
        x, y = w
        floor = y + 2 - x ** 2 / 2                 # how far above the valley floor
        # d/dx: -(1 - x/2)/10 from the first term; the second is floor^2/4 with d(floor)/dx = -x
        return np.array([-(1 - x / 2) / 10 - x * floor / 2, floor / 2])


class Saddle(Surface):
    """A saddle between two valleys: f = x^2 / 4 + (y^2 - 4)^2 / 16.

    Along x the surface curves up everywhere; along y it has a hump at y = 0 and valleys at
    y = -2 and 2 (the minima, f = 0). At (0, 0) the gradient is zero but it is not a minimum: a
    saddle point. A start exactly on y = 0 never leaves that line; any offset grows and escapes.
    """

    key = "saddle"
    title = "Saddle"
    start = (-3.5, 0.05)
    minimum = (0.0, 2.0)
    twins = ((0.0, -2.0),)

    def value(self, w):
        w = np.asarray(w, dtype=np.float64)
        return w[..., 0] ** 2 / 4 + (w[..., 1] ** 2 - 4) ** 2 / 16

    def gradient(self, w):
        x, y = w
        # d/dy (y^2 - 4)^2 / 16 = 2 (y^2 - 4) 2y / 16
        return np.array([x / 2, y * (y ** 2 - 4) / 4])


class NetworkLoss(Surface):
    """The true loss of a tiny network over two of its weights.

    The network is 1 -> 2 (tanh) -> 1, fitted by mean squared error to 21 points made by the
    same network with its first-layer weights at (1.5, 0.5). x and y are those two weights; the
    biases (0.5, -0.5), the output weights (1, -1) and output bias 0 stay fixed. Values and
    gradients come from the engine's Dense, Tanh and MeanSquaredError, forward and backward.
    The surface has two equally deep valleys: at (-0.5, -1.5) the two neurons swap roles, each
    with its sign flipped, which the odd tanh and the output weights (1, -1) undo exactly. Between
    them lie flat plateaus where the tanh neurons saturate, and on the line y = -x, where the
    neurons mirror each other, the gradient never points off the line.
    """

    key = "network"
    title = "A tiny network's loss"
    start = (-1.0, 3.5)
    minimum = (1.5, 0.5)
    twins = ((-0.5, -1.5),)
    HIDDEN_BIASES = (0.5, -0.5)
    OUTPUT_WEIGHTS = (1.0, -1.0)

    def __init__(self):
        self.inputs = np.linspace(-2, 2, 21).reshape(-1, 1)               # (21, 1)
        self.hidden = self._dense(1, 2, np.array(self.HIDDEN_BIASES))
        self.tanh = Tanh()
        self.output = self._dense(2, 1, np.zeros(1))
        self.output.weights[:] = np.array(self.OUTPUT_WEIGHTS).reshape(2, 1)
        self.loss = MeanSquaredError()
        self.targets = self._predict(np.array(self.minimum))               # (21, 1)

    @staticmethod
    def _dense(n_inputs, n_neurons, biases):
        layer = Dense(n_inputs, n_neurons, weight_scale=0.0, rng=0, dtype=np.float64)
        layer.biases[:] = biases
        return layer

    def _predict(self, w):
        self.hidden.weights[:] = np.asarray(w, dtype=np.float64).reshape(1, 2)
        return self.output.forward(self.tanh.forward(self.hidden.forward(self.inputs)))

    def value(self, w):
        """Many weight pairs at once, still through the engine: pair k becomes hidden neurons 2k
        and 2k+1 of one wide Dense layer; the fixed output layer then reads each pair's two
        tanh outputs as one row, and each pair's MSE is the mean over the 21 samples."""
        w = np.asarray(w, dtype=np.float64)
        if w.shape == (2,):
            return self.point_value(w)
        pairs = w.reshape(-1, 2)                                           # (k, 2)
        k, n = len(pairs), len(self.inputs)
        wide = self._dense(1, 2 * k, np.tile(self.HIDDEN_BIASES, k))
        wide.weights[:] = pairs.reshape(1, 2 * k)
        hidden = self.tanh.forward(wide.forward(self.inputs))              # (n, 2k)
        predictions = self.output.forward(hidden.reshape(n * k, 2))        # (n*k, 1), sample-major
        # Rows: one per weight pair; columns: its prediction for each sample. MSE's mean over a
        # row's outputs is then the mean over the samples: that pair's loss.
        per_pair = predictions.reshape(n, k).T                             # (k, n)
        losses = self.loss.forward(per_pair, np.repeat(self.targets.T, k, axis=0))
        return losses.reshape(w.shape[:-1])

    def gradient(self, w):
        prediction = self._predict(w)
        # Backward through the same layers: dL/dprediction, then the output layer, tanh, and
        # the hidden layer, whose dweights (1, 2) are the gradient over the two weights.
        dvalues = self.loss.backward(prediction, self.targets)
        self.hidden.backward(self.tanh.backward(self.output.backward(dvalues)))
        return self.hidden.dweights.reshape(2).copy()

    def point_value(self, w):
        """The loss at one weight pair, by the ordinary forward pass and ``calculate``."""
        return self.loss.calculate(self._predict(w), self.targets)


SURFACES = {surface.key: surface for surface in (Bowl, Valley, Saddle, NetworkLoss)}


def make_surface(key, conditioning=10.0):
    """The surface called ``key`` (bowl, valley, saddle, network); conditioning is the bowl's."""
    if key not in SURFACES:
        raise ValueError(f"unknown surface {key!r}: choose one of {', '.join(SURFACES)}")
    return Bowl(conditioning) if key == "bowl" else SURFACES[key]()


# ---- the optimizers in the race ---------------------------------------------------------------

OPTIMIZERS = {"SGD": SGD, "SGD with momentum": SGD, "Adagrad": Adagrad, "RMSprop": RMSprop, "Adam": Adam}
# Which hyperparameters each one takes (besides the learning rate and decay).
EXTRA_SETTINGS = {"SGD": (), "SGD with momentum": ("momentum",), "Adagrad": ("epsilon",),
                  "RMSprop": ("rho", "epsilon"), "Adam": ("beta_1", "beta_2", "epsilon")}
# Each one's settings for the race: the book's momentum, rho and betas, and learning rates
# that suit surfaces of this size (the book's are for a network's thousands of weights).
RACERS = {
    "SGD": {"learning_rate": 0.3, "decay": 0.0},
    "SGD with momentum": {"learning_rate": 0.1, "decay": 0.0, "momentum": 0.9},
    "Adagrad": {"learning_rate": 1.0, "decay": 0.0, "epsilon": 1e-7},
    "RMSprop": {"learning_rate": 0.1, "decay": 0.0, "epsilon": 1e-7, "rho": 0.9},
    "Adam": {"learning_rate": 0.2, "decay": 0.0, "epsilon": 1e-7, "beta_1": 0.9, "beta_2": 0.999},
}


def make_optimizer(name, **settings):
    """A fresh engine optimizer: ``name`` is a key of OPTIMIZERS, settings its keyword arguments
    (plain SGD ignores a momentum it is given)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}: choose one of {', '.join(OPTIMIZERS)}")
    allowed = ("learning_rate", "decay", *EXTRA_SETTINGS[name])
    return OPTIMIZERS[name](**{k: v for k, v in settings.items() if k in allowed})


@dataclass
class Run:
    """One optimizer's walk. path (n + 1, 2): the start and each point after a step, while the
    run stayed finite and within LIMIT; losses (n + 1,): the loss at each of those points;
    learning_rates (n,): the rate each step used; diverged_at: the step that left (None if none
    did); steps: how many were asked for."""

    path: np.ndarray
    losses: np.ndarray
    learning_rates: np.ndarray
    diverged_at: int | None = None
    steps: int = 0
    settings: dict = field(default_factory=dict)

    @property
    def diverged(self):
        return self.diverged_at is not None


def race(surface, optimizer, start, steps, limit=LIMIT):
    """Walk ``steps`` steps of ``optimizer`` (an engine optimizer, or a function making one) on
    ``surface`` from ``start`` (x, y). Each step sets the point's dweights to the surface's
    gradient and calls ``optimizer.step(point)``. Stops, without raising, at the first step whose
    point or loss is not finite or whose point lies beyond ``limit``: that step is ``diverged_at``.
    Returns a Run."""
    if not hasattr(optimizer, "step"):
        optimizer = optimizer()
    point = Point(start)
    path, losses, rates = [point.weights.copy()], [float(surface.value(point.weights))], []
    diverged_at = None
    with np.errstate(all="ignore"):                  # overflow is expected when a run blows up
        for step in range(1, int(steps) + 1):
            point.dweights = surface.gradient(point.weights)
            optimizer.step(point)
            loss = float(surface.value(point.weights))
            if not (np.all(np.isfinite(point.weights)) and np.isfinite(loss)
                    and np.abs(point.weights).max() <= limit):
                diverged_at = step
                break
            path.append(point.weights.copy())
            losses.append(loss)
            rates.append(optimizer.current_learning_rate)
    return Run(np.array(path), np.array(losses), np.array(rates), diverged_at, int(steps),
               getattr(optimizer, "config", dict)())


def race_all(surface, start, steps, racers=None):
    """Every optimizer of ``racers`` (name -> settings; RACERS by default) from the same start:
    {name: Run}."""
    racers = RACERS if racers is None else racers
    return {name: race(surface, make_optimizer(name, **settings), start, steps)
            for name, settings in racers.items()}


def decay_curve(optimizer, steps):
    """The learning rate ``optimizer`` uses at each of ``steps`` steps, read from its
    current_learning_rate as it steps (on a point with zero gradient, which stays put).
    The book's decay: lr_t = learning_rate / (1 + decay * t), t = 0, 1, 2, ... Returns (steps,)."""
    point = Point((0.0, 0.0))
    rates = np.empty(int(steps))
    for t in range(int(steps)):
        optimizer.step(point)
        rates[t] = optimizer.current_learning_rate
    return rates


def curvatures(surface, at, h=1e-5):
    """The surface's curvatures at point ``at`` (2,): the eigenvalues of its Hessian, smallest
    first, from central differences of the gradient. Near a minimum plain SGD settles only when
    learning_rate < 2 / (largest curvature): a larger step overshoots the steepest direction by
    more than it started from, so every bounce grows. Returns (2,)."""
    at = np.asarray(at, dtype=np.float64)
    columns = [(surface.gradient(at + h * e) - surface.gradient(at - h * e)) / (2 * h) for e in np.eye(2)]
    hessian = np.array(columns).T
    return np.linalg.eigvalsh((hessian + hessian.T) / 2)


def first_step_below(run, level):
    """The first step at which ``run``'s loss is below ``level``, or None if it never is."""
    below = np.flatnonzero(run.losses < level)
    return int(below[0]) if below.size else None
