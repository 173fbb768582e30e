"""Small helpers shared by the engine tests (imported by name: tests/engine is on sys.path)."""

import numpy as np

import nnengine as nn


def parameters(model):
    """Every trainable array of a model, as a list of copies."""
    return [array.copy() for _, array in model.parameters()]


def assert_same_parameters(model_a, model_b):
    """Both models hold exactly the same trainable numbers."""
    names_a = [name for name, _ in model_a.parameters()]
    names_b = [name for name, _ in model_b.parameters()]
    assert names_a == names_b
    for (name, a), (_, b) in zip(model_a.parameters(), model_b.parameters()):
        np.testing.assert_array_equal(a, b, err_msg=name)


def spiral_classifier(seed=0, samples=20, hidden=16, optimizer=None, dtype=np.float32):
    """A small spiral classifier drawn in the book's order from one RandomState(seed):
    data first, then the layers. Returns (X, y, model)."""
    rng = np.random.RandomState(seed)
    X, y = nn.datasets.spiral(samples, 3, rng=rng)
    model = nn.Model(
        [nn.Dense(2, hidden, rng=rng, dtype=dtype), nn.ReLU(),
         nn.Dense(hidden, 3, rng=rng, dtype=dtype), nn.Softmax()],
        loss=nn.CategoricalCrossentropy(),
        optimizer=optimizer if optimizer is not None else nn.Adam(learning_rate=0.05, decay=1e-3),
    )
    return X, y, model


def sine_regressor(seed=0, samples=50, optimizer=None):
    """A small sine regressor (1-8-1, ReLU, Linear, MSE). Returns (X, y, model)."""
    rng = np.random.RandomState(seed)
    X, y = nn.datasets.sine(samples)
    model = nn.Model(
        [nn.Dense(1, 8, rng=rng), nn.ReLU(), nn.Dense(8, 1, rng=rng), nn.Linear()],
        loss=nn.MeanSquaredError(),
        optimizer=optimizer if optimizer is not None else nn.SGD(learning_rate=0.1),
    )
    return X, y, model


def max_error(checks):
    """The largest relative error over a gradcheck result (a list of GradientCheck)."""
    assert checks, "gradcheck returned no checks"
    return max(check.max_relative_error for check in checks)
