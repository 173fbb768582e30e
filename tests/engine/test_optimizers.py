"""Optimizers step for step against a plain reference written here from the book's formulas, so the
numbers on the Optimizers page are the book's numbers."""

import numpy as np
import pytest

import nnengine as nn


class Reference:
    """The book's optimizer code, written out once for all five (one parameter set per name)."""

    def __init__(self, kind, learning_rate, decay=0.0, momentum=0.0, epsilon=1e-7, rho=0.9,
                 beta_1=0.9, beta_2=0.999):
        self.kind, self.learning_rate, self.decay = kind, learning_rate, decay
        self.momentum, self.epsilon, self.rho = momentum, epsilon, rho
        self.beta_1, self.beta_2 = beta_1, beta_2
        self.current_learning_rate = learning_rate
        self.iterations = 0
        self.memory = {}

    def step(self, params):
        """params: {name: (array, gradient)}; arrays are updated in place."""
        if self.decay:
            self.current_learning_rate = self.learning_rate * (1.0 / (1.0 + self.decay * self.iterations))
        lr = self.current_learning_rate
        for name, (w, g) in params.items():
            mem = self.memory.setdefault(name, {"m": np.zeros_like(w), "c": np.zeros_like(w)})
            if self.kind == "sgd" and not self.momentum:
                w += -lr * g
            elif self.kind == "sgd":
                updates = self.momentum * mem["m"] - lr * g
                mem["m"] = updates
                w += updates
            elif self.kind == "adagrad":
                mem["c"] += g ** 2
                w += -lr * g / (np.sqrt(mem["c"]) + self.epsilon)
            elif self.kind == "rmsprop":
                mem["c"] = self.rho * mem["c"] + (1 - self.rho) * g ** 2
                w += -lr * g / (np.sqrt(mem["c"]) + self.epsilon)
            elif self.kind == "adam":
                mem["m"] = self.beta_1 * mem["m"] + (1 - self.beta_1) * g
                mem["c"] = self.beta_2 * mem["c"] + (1 - self.beta_2) * g ** 2
                m_hat = mem["m"] / (1 - self.beta_1 ** (self.iterations + 1))
                c_hat = mem["c"] / (1 - self.beta_2 ** (self.iterations + 1))
                w += -lr * m_hat / (np.sqrt(c_hat) + self.epsilon)
        self.iterations += 1


CASES = [
    ("sgd", nn.SGD, {"learning_rate": 0.5}),
    ("sgd", nn.SGD, {"learning_rate": 1.0, "decay": 0.1}),
    ("sgd", nn.SGD, {"learning_rate": 0.3, "momentum": 0.9}),
    ("sgd", nn.SGD, {"learning_rate": 0.3, "decay": 1e-2, "momentum": 0.5}),
    ("adagrad", nn.Adagrad, {"learning_rate": 1.0}),
    ("adagrad", nn.Adagrad, {"learning_rate": 0.5, "decay": 1e-2, "epsilon": 1e-5}),
    ("rmsprop", nn.RMSprop, {"learning_rate": 0.001}),
    ("rmsprop", nn.RMSprop, {"learning_rate": 0.02, "decay": 1e-3, "rho": 0.99, "epsilon": 1e-6}),
    ("adam", nn.Adam, {"learning_rate": 0.001}),
    ("adam", nn.Adam, {"learning_rate": 0.05, "decay": 5e-2, "beta_1": 0.8, "beta_2": 0.99}),
]


@pytest.mark.parametrize("kind, cls, hyper", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_optimizer_matches_the_books_formulas_step_by_step(kind, cls, hyper):
    rng = np.random.RandomState(0)
    layers = [nn.Dense(3, 2, weight_scale=1.0, rng=rng, dtype=np.float64),
              nn.Dense(2, 4, weight_scale=1.0, rng=rng, dtype=np.float64)]
    for layer in layers:
        layer.biases[:] = rng.standard_normal(layer.biases.shape)
    ours = {f"{i} {name}": array.copy() for i, layer in enumerate(layers)
            for name, array in layer.parameters().items()}
    optimizer, reference = cls(**hyper), Reference(kind, **hyper)
    for step in range(25):
        grads = {}
        for i, layer in enumerate(layers):
            layer.dweights = rng.standard_normal(layer.weights.shape)
            layer.dbiases = rng.standard_normal(layer.biases.shape)
            grads[f"{i} weights"], grads[f"{i} biases"] = layer.dweights, layer.dbiases
        optimizer.step(layers)
        reference.step({name: (ours[name], grads[name]) for name in ours})
        assert optimizer.iterations == reference.iterations == step + 1
        assert optimizer.current_learning_rate == pytest.approx(reference.current_learning_rate, rel=1e-15)
        for i, layer in enumerate(layers):
            np.testing.assert_allclose(layer.weights, ours[f"{i} weights"], rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(layer.biases, ours[f"{i} biases"], rtol=1e-12, atol=1e-14)


def test_decay_follows_lr_over_one_plus_decay_times_steps():
    optimizer = nn.SGD(learning_rate=1.0, decay=0.1)
    point = Point([1.0, 1.0])
    rates = []
    for _ in range(5):
        point.dweights = np.zeros((1, 2))
        optimizer.step(point)
        rates.append(optimizer.current_learning_rate)
    np.testing.assert_allclose(rates, [1 / (1 + 0.1 * t) for t in range(5)])


def test_defaults_are_the_books():
    assert (nn.SGD().learning_rate, nn.SGD().decay, nn.SGD().momentum) == (1.0, 0.0, 0.0)
    assert (nn.Adagrad().learning_rate, nn.Adagrad().epsilon) == (1.0, 1e-7)
    rms = nn.RMSprop()
    assert (rms.learning_rate, rms.epsilon, rms.rho) == (0.001, 1e-7, 0.9)
    adam = nn.Adam()
    assert (adam.learning_rate, adam.epsilon, adam.beta_1, adam.beta_2) == (0.001, 1e-7, 0.9, 0.999)
    assert adam.iterations == 0 and adam.current_learning_rate == 0.001


class Point:
    """A point on a 2-D loss surface: just weights and their gradient."""

    def __init__(self, xy):
        self.weights = np.array([xy], dtype=np.float64)
        self.dweights = None


@pytest.mark.parametrize("kind, cls, hyper", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_2d_point_steps_like_the_reference(kind, cls, hyper):
    """The Optimizers page moves a bare point, with no biases, on f(x, y) = x^2 + 3 y^2."""
    point, optimizer = Point([1.5, -2.0]), cls(**hyper)
    ours, reference = point.weights.copy(), Reference(kind, **hyper)
    path = [point.weights.copy()]
    for _ in range(30):
        point.dweights = np.array([[2.0, 6.0]]) * point.weights
        reference_grad = np.array([[2.0, 6.0]]) * ours
        optimizer.step(point)  # a single object is fine, no list needed
        reference.step({"weights": (ours, reference_grad)})
        np.testing.assert_allclose(point.weights, ours, rtol=1e-12, atol=1e-14)
        path.append(point.weights.copy())
    assert len({tuple(p.ravel()) for p in path}) > 1  # it really moved


def test_optimizer_memory_is_kept_per_layer():
    """Two layers get separate caches: stepping one does not touch the other's memory."""
    a, b = Point([1.0, 1.0]), Point([1.0, 1.0])
    optimizer = nn.Adagrad(learning_rate=0.1)
    a.dweights = np.array([[1.0, 1.0]])
    b.dweights = np.array([[3.0, 3.0]])
    optimizer.step([a, b])
    np.testing.assert_allclose(optimizer.memory(a)["cache"], [[1.0, 1.0]])
    np.testing.assert_allclose(optimizer.memory(b)["cache"], [[9.0, 9.0]])
    assert optimizer.memory(Point([0.0, 0.0])) == {}


def test_fit_records_the_learning_rate_each_epoch_used():
    rng = np.random.RandomState(0)
    X, y = nn.datasets.vertical(10, 3, rng=rng)
    optimizer = nn.Adam(learning_rate=0.05, decay=0.5)
    model = nn.Model([nn.Dense(2, 3, rng=rng), nn.Softmax()], loss=nn.CategoricalCrossentropy(),
                     optimizer=optimizer)
    history = model.fit(X, y, epochs=4)
    np.testing.assert_allclose(history.column("learning_rate"), [0.05 / (1 + 0.5 * t) for t in range(4)])
    assert optimizer.iterations == 4
    model.fit(X, y, epochs=3, batch_size=10)  # 3 batches an epoch: one step each
    assert optimizer.iterations == 4 + 9


@pytest.mark.parametrize("cls", [nn.SGD, nn.Adagrad, nn.RMSprop, nn.Adam])
@pytest.mark.parametrize("bad", [0, -0.1, float("nan"), float("inf")])
def test_learning_rate_must_be_positive(cls, bad):
    with pytest.raises(ValueError, match="learning_rate"):
        cls(learning_rate=bad)


def test_negative_decay_or_momentum_is_refused():
    with pytest.raises(ValueError, match="decay"):
        nn.Adam(decay=-1)
    with pytest.raises(ValueError, match="momentum"):
        nn.SGD(momentum=-0.5)
