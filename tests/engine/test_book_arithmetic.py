"""The book's arithmetic, operation for operation: every optimizer's update and the learning-rate
decay round exactly as the book's code does, and Dense(book_precision=True) multiplies as the
book's nnfs.init() makes np.dot multiply (float64, stored as float32).

Each formula below is the book's line written out in numpy; the engine must give the same bits.
Where the order of operations matters, the test also checks that the other order really gives
different bits for these numbers, so the test can tell the two apart."""

import io

import numpy as np
import pytest

import nnengine as nn


class Point:
    """A bare parameter holder, as optimizer.step accepts."""

    def __init__(self, weights, biases):
        self.weights, self.biases = weights.copy(), biases.copy()


def gradients(steps, dtype=np.float32):
    rng = np.random.RandomState(0)
    return [(rng.standard_normal((40, 30)).astype(dtype) * 10.0 ** rng.uniform(-4, 1),
             rng.standard_normal((1, 30)).astype(dtype)) for _ in range(steps)]


def book_adam(params, grads, lr, decay, eps=1e-7, beta_1=0.9, beta_2=0.999):
    """The book's Optimizer_Adam, line for line, on a list of arrays."""
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    rate = lr
    for t, step_grads in enumerate(grads):
        if decay:
            rate = lr * (1. / (1. + decay * t))
        for i, g in enumerate(step_grads):
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            m_hat = m[i] / (1 - beta_1 ** (t + 1))
            v[i] = beta_2 * v[i] + (1 - beta_2) * g**2
            v_hat = v[i] / (1 - beta_2 ** (t + 1))
            params[i] += -rate * m_hat / (np.sqrt(v_hat) + eps)
    return params, rate


def book_rmsprop(params, grads, lr, decay, eps=1e-7, rho=0.9):
    cache = [np.zeros_like(p) for p in params]
    for t, step_grads in enumerate(grads):
        rate = lr * (1. / (1. + decay * t)) if decay else lr
        for i, g in enumerate(step_grads):
            cache[i] = rho * cache[i] + (1 - rho) * g**2
            params[i] += -rate * g / (np.sqrt(cache[i]) + eps)
    return params


def book_adagrad(params, grads, lr, eps=1e-7):
    cache = [np.zeros_like(p) for p in params]
    for step_grads in grads:
        for i, g in enumerate(step_grads):
            cache[i] += g**2
            params[i] += -lr * g / (np.sqrt(cache[i]) + eps)
    return params


def book_sgd(params, grads, lr, decay, momentum):
    velocity = [np.zeros_like(p) for p in params]
    for t, step_grads in enumerate(grads):
        rate = lr * (1. / (1. + decay * t)) if decay else lr
        for i, g in enumerate(step_grads):
            velocity[i] = momentum * velocity[i] - rate * g
            params[i] += velocity[i]
    return params


def engine_run(optimizer, grads):
    rng = np.random.RandomState(1)
    point = Point(rng.standard_normal((40, 30)).astype(np.float32), np.zeros((1, 30), np.float32))
    start = [point.weights.copy(), point.biases.copy()]
    for dweights, dbiases in grads:
        point.dweights, point.dbiases = dweights, dbiases
        optimizer.step(point)
    return start, [point.weights, point.biases]


@pytest.mark.parametrize("name", ["adam", "rmsprop", "adagrad", "sgd-momentum", "sgd"])
def test_every_optimizer_gives_the_books_bits(name):
    grads = gradients(50)
    optimizer, book = {
        "adam": (nn.Adam(learning_rate=0.05, decay=5e-2), lambda p: book_adam(p, grads, 0.05, 5e-2)[0]),
        "rmsprop": (nn.RMSprop(learning_rate=0.01, decay=1e-2), lambda p: book_rmsprop(p, grads, 0.01, 1e-2)),
        "adagrad": (nn.Adagrad(learning_rate=0.5), lambda p: book_adagrad(p, grads, 0.5)),
        "sgd-momentum": (nn.SGD(learning_rate=0.3, decay=1e-2, momentum=0.9),
                         lambda p: book_sgd(p, grads, 0.3, 1e-2, 0.9)),
        "sgd": (nn.SGD(learning_rate=0.3, decay=1e-2), lambda p: book_sgd(p, grads, 0.3, 1e-2, 0.0)),
    }[name]
    start, ours = engine_run(optimizer, grads)
    theirs = book([array.copy() for array in start])
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


def test_squaring_before_scaling_is_what_makes_the_difference():
    """(1 - beta_2) * g**2 and (1 - beta_2) * g * g differ in the last bit for many numbers:
    the reason the order is written the book's way."""
    g = gradients(1)[0][0]
    assert np.any((1 - 0.999) * g**2 != (1 - 0.999) * g * g)


def test_decay_is_computed_the_books_way_and_the_order_shows():
    optimizer = nn.Adam(learning_rate=0.05, decay=5e-7)
    point = Point(np.zeros((1, 1), np.float32), np.zeros((1, 1), np.float32))
    point.dweights, point.dbiases = np.ones((1, 1), np.float32), np.ones((1, 1), np.float32)
    differ = 0
    for t in range(3000):
        optimizer.step(point)
        assert optimizer.current_learning_rate == 0.05 * (1. / (1. + 5e-7 * t))
        differ += optimizer.current_learning_rate != 0.05 / (1 + 5e-7 * t)
    assert differ > 0


# -- book precision -------------------------------------------------------------------------------


def nnfs_dot(a, b):
    """np.dot as the book's nnfs.init() replaces it (nnfs/core.py)."""
    return np.dot(a.astype("float64"), b.astype("float64")).astype("float32")


def test_book_precision_multiplies_in_float64_and_stores_float32():
    rng = np.random.RandomState(0)
    layer = nn.Dense(64, 64, rng=rng, weight_scale=1.0, book_precision=True)
    plain = nn.Dense(64, 64, rng=0)
    plain.weights = layer.weights.copy()
    X = rng.standard_normal((300, 64)).astype(np.float32)
    dvalues = rng.standard_normal((300, 64)).astype(np.float32)
    out = layer.forward(X)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, nnfs_dot(X, layer.weights) + layer.biases)
    layer.backward(dvalues)
    np.testing.assert_array_equal(layer.dweights, nnfs_dot(X.T, dvalues))
    np.testing.assert_array_equal(layer.dinputs, nnfs_dot(dvalues, layer.weights.T))
    assert layer.dweights.dtype == layer.dinputs.dtype == np.float32
    # Without it the float32 product rounds as it goes: other bits (the choice is real).
    assert np.any(plain.forward(X) != out)
    plain.backward(dvalues)
    assert np.any(plain.dweights != layer.dweights)


def test_book_precision_is_a_model_setting_and_travels_with_the_file():
    rng = np.random.RandomState(0)
    model = nn.Model([nn.Dense(2, 4, rng=rng), nn.ReLU(), nn.Dense(4, 3, rng=rng), nn.Softmax()],
                     loss=nn.CategoricalCrossentropy(), optimizer=nn.Adam(), book_precision=True)
    assert all(layer.book_precision for layer in model.dense_layers)
    assert not nn.Dense(2, 3).book_precision                # off unless asked for
    buffer = io.BytesIO()
    model.save(buffer)
    loaded = nn.Model.load(io.BytesIO(buffer.getvalue()))
    assert all(layer.book_precision for layer in loaded.dense_layers)
    mixed = nn.Model([nn.Dense(2, 3, book_precision=True), nn.Softmax()], loss=nn.CategoricalCrossentropy())
    assert mixed.dense_layers[0].book_precision             # None leaves the layers as built


def test_book_precision_changes_nothing_in_float64():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((50, 8))
    a = nn.Dense(8, 5, rng=1, dtype=np.float64, book_precision=True)
    b = nn.Dense(8, 5, rng=1, dtype=np.float64)
    np.testing.assert_array_equal(a.forward(X), b.forward(X))
