"""Properties that hold for any shape and any numbers, searched by Hypothesis: what a learner
moving the sliders to odd values still relies on."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import nnengine as nn

SETTINGS = settings(max_examples=60, deadline=None)
sizes = st.integers(min_value=1, max_value=6)
seeds = st.integers(min_value=0, max_value=2**31 - 1)


def matrices(n_rows, n_cols, bound=1e4):
    return arrays(np.float64, (n_rows, n_cols),
                  elements=st.floats(-bound, bound, allow_nan=False, allow_infinity=False))


@st.composite
def score_matrices(draw, bound=1e4):
    return draw(matrices(draw(sizes), draw(st.integers(2, 6)), bound))


@SETTINGS
@given(n_samples=sizes, n_inputs=sizes, n_neurons=sizes, seed=seeds,
       penalties=st.booleans(), bias=st.booleans())
def test_dense_backward_agrees_with_gradcheck_for_any_shape(n_samples, n_inputs, n_neurons, seed,
                                                             penalties, bias):
    rng = np.random.RandomState(seed)
    options = {"weight_l2": 0.01, "weight_l1": 0.01} if penalties else {}
    layer = nn.Dense(n_inputs, n_neurons, weight_scale=1.0, bias=bias, rng=rng, dtype=np.float64, **options)
    if bias:
        layer.biases[:] = rng.standard_normal(layer.biases.shape)
    X = rng.standard_normal((n_samples, n_inputs))
    checks = nn.gradcheck(layer, X)
    assert [c.name for c in checks] == ["inputs", "weights"] + (["biases"] if bias else [])
    for check in checks:
        assert check.analytic.shape == check.numerical.shape
        np.testing.assert_allclose(check.analytic, check.numerical, rtol=1e-5, atol=1e-7, err_msg=check.name)


@SETTINGS
@given(n_samples=sizes, n_inputs=sizes, n_neurons=sizes, seed=seeds)
def test_dense_output_shape_and_dtype(n_samples, n_inputs, n_neurons, seed):
    layer = nn.Dense(n_inputs, n_neurons, rng=seed)
    out = layer.forward(np.random.RandomState(seed).standard_normal((n_samples, n_inputs)))
    assert out.shape == (n_samples, n_neurons)
    assert out.dtype == np.float32 and layer.weights.dtype == np.float32
    assert layer.weights.shape == (n_inputs, n_neurons) and layer.biases.shape == (1, n_neurons)
    np.testing.assert_array_equal(layer.biases, 0)


@SETTINGS
@given(scores=score_matrices())
def test_softmax_rows_are_probabilities_even_for_huge_scores(scores):
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, no 0/0
        probabilities = nn.Softmax().forward(scores)
    assert np.isfinite(probabilities).all()
    assert (probabilities >= 0).all() and (probabilities <= 1).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)
    # a higher score never gets a lower probability
    higher = scores[:, :, None] > scores[:, None, :]
    assert (probabilities[:, :, None] >= probabilities[:, None, :])[higher].all()


@SETTINGS
@given(scores=score_matrices(bound=50), shift=st.floats(-1e3, 1e3))
def test_softmax_ignores_a_constant_added_to_a_row(scores, shift):
    softmax = nn.Softmax()
    np.testing.assert_allclose(softmax.forward(scores + shift), softmax.forward(scores), atol=1e-9)


def test_softmax_of_1e4_is_one_hot_not_nan():
    out = nn.Softmax().forward(np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4]]))
    np.testing.assert_allclose(out, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])


@SETTINGS
@given(x=matrices(3, 4, bound=1e4))
def test_squashing_activations_stay_in_range(x):
    with np.errstate(over="raise", invalid="raise"):
        sigmoid = nn.Sigmoid().forward(x)
        tanh = nn.Tanh().forward(x)
    assert ((sigmoid >= 0) & (sigmoid <= 1)).all()
    assert ((tanh >= -1) & (tanh <= 1)).all()
    relu = nn.ReLU().forward(x)
    assert (relu >= 0).all() and np.array_equal(relu, np.where(x > 0, x, 0))
    np.testing.assert_array_equal(nn.Step().forward(x), (x > 0).astype(float))


@SETTINGS
@given(scores=score_matrices(bound=30), seed=seeds)
def test_cross_entropy_is_non_negative_and_sparse_equals_one_hot(scores, seed):
    probabilities = nn.Softmax().forward(scores)
    labels = np.random.RandomState(seed).randint(0, scores.shape[1], size=len(scores))
    loss = nn.CategoricalCrossentropy()
    sparse = loss.forward(probabilities, labels)
    assert (sparse >= 0).all() and np.isfinite(sparse).all()
    np.testing.assert_allclose(loss.forward(probabilities, np.eye(scores.shape[1])[labels]), sparse)
    np.testing.assert_allclose(loss.backward(probabilities, np.eye(scores.shape[1])[labels]),
                               loss.backward(probabilities, labels))


@SETTINGS
@given(p=arrays(np.float64, (5, 2), elements=st.floats(0, 1)), seed=seeds)
def test_binary_cross_entropy_is_finite_and_non_negative_even_at_0_and_1(p, seed):
    y = np.random.RandomState(seed).randint(0, 2, size=(5, 2))
    losses = nn.BinaryCrossentropy().forward(p, y)
    assert np.isfinite(losses).all() and (losses >= 0).all()
    assert np.isfinite(nn.BinaryCrossentropy().backward(p, y)).all()


@SETTINGS
@given(y_pred=matrices(4, 3, bound=1e3), y_true=matrices(4, 3, bound=1e3))
def test_regression_losses_are_non_negative_and_zero_when_exact(y_pred, y_true):
    for loss in (nn.MeanSquaredError(), nn.MeanAbsoluteError()):
        values = loss.forward(y_pred, y_true)
        assert values.shape == (4,) and (values >= 0).all()
        np.testing.assert_array_equal(loss.forward(y_true, y_true), 0)
    np.testing.assert_allclose(nn.MeanAbsoluteError().forward(y_pred, y_true),
                               np.abs(y_pred - y_true).mean(axis=1))


class Point:
    """A 2-D point on a loss surface: the kind of object the Optimizers page steps."""

    def __init__(self, xy):
        self.weights = np.array([xy], dtype=np.float64)
        self.dweights = None


OPTIMIZERS = {
    "sgd": lambda: nn.SGD(learning_rate=0.1),
    "momentum": lambda: nn.SGD(learning_rate=0.05, momentum=0.5),
    "sgd-decay": lambda: nn.SGD(learning_rate=0.1, decay=0.01),
    "adagrad": lambda: nn.Adagrad(learning_rate=0.1),
    "rmsprop": lambda: nn.RMSprop(learning_rate=0.05),
    "adam": lambda: nn.Adam(learning_rate=0.05),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=30, deadline=None)
@given(curvature=st.tuples(st.floats(0.2, 5), st.floats(0.2, 5)),
       start=st.tuples(st.floats(1, 5), st.floats(1, 5)), signs=st.tuples(st.booleans(), st.booleans()))
def test_optimizers_go_down_a_convex_bowl(name, curvature, start, signs):
    """On f(x, y) = (a x^2 + b y^2) / 2 every optimizer ends lower than it started."""
    a = np.array([curvature])
    start = [s if positive else -s for s, positive in zip(start, signs)]
    point = Point(start)
    optimizer = OPTIMIZERS[name]()

    def f(w):
        return float(0.5 * np.sum(a * w * w))

    initial = f(point.weights)
    for _ in range(100):
        point.dweights = a * point.weights
        optimizer.step(point)
    assert optimizer.iterations == 100
    assert np.isfinite(point.weights).all()
    assert f(point.weights) < 0.5 * initial
