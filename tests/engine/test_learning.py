"""The engine learns the book's workloads to the book's level, with fixed seeds drawn in the book's
order (one RandomState shared by the data, then the layers, then any validation data)."""

import numpy as np
import pytest

import nnengine as nn

slow = pytest.mark.slow


def spiral_run(seed):
    rng = np.random.RandomState(seed)
    X, y = nn.datasets.spiral(samples=100, classes=3, rng=rng)
    model = nn.Model([nn.Dense(2, 64, rng=rng), nn.ReLU(), nn.Dense(64, 3, rng=rng), nn.Softmax()],
                     loss=nn.CategoricalCrossentropy(), optimizer=nn.Adam(learning_rate=0.05, decay=5e-7))
    return model.fit(X, y, epochs=10_001)


@slow
def test_spiral_with_adam_reaches_the_books_accuracy():
    """Chapter 10's run: 2-64-3, Adam(0.05, decay 5e-7), 10 001 epochs, ending on 'epoch: 10000'."""
    history = spiral_run(0)
    assert len(history) == 10_001
    last = history[-1]
    assert last["epoch"] == 10_000
    assert last["accuracy"] >= 0.93
    assert last["loss"] < history[0]["loss"] / 5
    assert history[0]["loss"] == pytest.approx(np.log(3), abs=1e-3)  # starts at chance
    assert last["learning_rate"] == pytest.approx(0.05 / (1 + 5e-7 * 10_000))


@slow
def test_spiral_learns_for_other_seeds_too():
    """Not one lucky seed: over seeds 1..12 the median run reaches 0.90 and none falls below 0.78."""
    accuracies = [spiral_run(seed)[-1]["accuracy"] for seed in range(1, 13)]
    assert np.median(accuracies) >= 0.90, accuracies
    assert min(accuracies) >= 0.78, accuracies


@slow
def test_binary_spiral_generalises_to_new_data():
    """Chapter 16: a sigmoid output with binary cross-entropy and L2, checked on a fresh spiral."""
    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(100, 2, rng=rng)
    model = nn.Model([nn.Dense(2, 64, weight_l2=5e-4, bias_l2=5e-4, rng=rng), nn.ReLU(),
                      nn.Dense(64, 1, rng=rng), nn.Sigmoid()],
                     loss=nn.BinaryCrossentropy(), optimizer=nn.Adam(decay=5e-7))
    history = model.fit(X, y.reshape(-1, 1), epochs=10_000)
    X_val, y_val = nn.datasets.spiral(100, 2, rng=rng)  # drawn after the layers, as in the book
    scores = model.evaluate(X_val, y_val.reshape(-1, 1))
    assert scores["accuracy"] >= 0.88
    assert history[-1]["reg_loss"] > 0  # the penalty is part of the reported loss
    assert model.predict(X_val).shape == (200, 1)


@slow
def test_sine_regression_fits_within_the_books_precision():
    """Chapter 17: 1-64-64-1 with ReLU and a linear output; accuracy counts predictions within
    std(y) / 250. The book's 0.01 weight scale is enough here."""
    X, y = nn.datasets.sine()
    rng = np.random.RandomState(0)
    model = nn.Model([nn.Dense(1, 64, weight_scale=0.01, rng=rng), nn.ReLU(),
                      nn.Dense(64, 64, weight_scale=0.01, rng=rng), nn.ReLU(),
                      nn.Dense(64, 1, weight_scale=0.01, rng=rng), nn.Linear()],
                     loss=nn.MeanSquaredError(), optimizer=nn.Adam(learning_rate=0.005, decay=1e-3))
    model.fit(X, y, epochs=10_000)
    assert model.regression_precision == pytest.approx(float(np.std(y)) / 250)
    assert model.evaluate(X, y)["accuracy"] >= 0.90


@slow
def test_vertical_data_is_easy():
    rng = np.random.RandomState(0)
    X, y = nn.datasets.vertical(samples=100, classes=3, rng=rng)
    model = nn.Model([nn.Dense(2, 3, rng=rng), nn.ReLU(), nn.Dense(3, 3, rng=rng), nn.Softmax()],
                     loss=nn.CategoricalCrossentropy(), optimizer=nn.Adam(learning_rate=0.05, decay=5e-7))
    history = model.fit(X, y, epochs=10_001)
    assert history[-1]["accuracy"] >= 0.90


@slow
def test_digits_with_mini_batches_generalise():
    """Real data: 8x8 digits, 64-128-128-10, Adam, batches of 32 shuffled by rng, 20 epochs."""
    X, y = nn.datasets.digits()
    rng = np.random.RandomState(0)
    X_train, y_train, X_val, y_val = nn.datasets.split(X, y, 0.2, rng=rng)
    model = nn.Model([nn.Dense(64, 128, rng=rng), nn.ReLU(), nn.Dense(128, 128, rng=rng), nn.ReLU(),
                      nn.Dense(128, 10, rng=rng), nn.Softmax()],
                     loss=nn.CategoricalCrossentropy(), optimizer=nn.Adam(learning_rate=0.005))
    history = model.fit(X_train, y_train, epochs=20, batch_size=32, rng=rng, validation_data=(X_val, y_val))
    assert len(history) == 20
    assert history[-1]["val_accuracy"] >= 0.95
    assert model.evaluate(X_val, y_val)["accuracy"] == pytest.approx(history[-1]["val_accuracy"])


XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=np.float32)


def xor_model(seed, weight_scale, learning_rate):
    """The seed notebook's network: no biases, sigmoids, MSE, plain SGD."""
    rng = np.random.RandomState(seed)
    return nn.Model([nn.Dense(2, 4, bias=False, weight_scale=weight_scale, rng=rng), nn.Sigmoid(),
                     nn.Dense(4, 1, bias=False, weight_scale=weight_scale, rng=rng), nn.Sigmoid()],
                    loss=nn.MeanSquaredError(), optimizer=nn.SGD(learning_rate=learning_rate))


def test_xor_with_tiny_weights_never_learns():
    """The seed notebook's XOR: with 0.01-scale weights and no biases every output stays 0.5, so
    the loss prints 0.2500 at every hundredth epoch: the lesson of the Backpropagation page."""
    model = xor_model(0, 0.01, 0.1)
    history = model.fit(XOR_X, XOR_Y, epochs=1000)
    printed = [round(record["loss"], 4) for record in history if record["epoch"] % 100 == 0]
    assert printed == [0.25] * 10
    np.testing.assert_allclose(model.predict(XOR_X), 0.5, atol=1e-3)


@slow
def test_xor_learns_with_larger_weights_and_rate():
    """The same biasless network learns XOR once weights start at scale 1 and SGD takes big steps."""
    model = xor_model(0, 1.0, 2.0)
    history = model.fit(XOR_X, XOR_Y, epochs=20_000)
    assert history[-1]["loss"] < 0.01
    np.testing.assert_array_equal(model.predict(XOR_X) > 0.5, XOR_Y > 0.5)
