"""Every backward rule agrees with a float64 numerical gradient (nn.gradcheck), and the check itself
catches a wrong rule. A learner relies on backward giving the true slope of the loss."""

import numpy as np
import pytest
from enginetest_helpers import max_error

import nnengine as nn

TOLERANCE = 1e-6


def away_from_zero(rng, shape, low=0.2, high=2.0):
    """Random numbers with |x| in [low, high]: no input sits on a ReLU or |x| kink."""
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def dense64(n_inputs, n_neurons, seed=0, **options):
    """A float64 Dense layer with large enough weights and non-zero biases, so that every gradient
    is well above rounding noise and the L1 kink at zero is never touched."""
    rng = np.random.RandomState(seed)
    layer = nn.Dense(n_inputs, n_neurons, weight_scale=0.5, rng=rng, dtype=np.float64, **options)
    if layer.biases is not None:
        layer.biases[:] = away_from_zero(rng, layer.biases.shape, 0.1, 0.5)
    return layer


def softmax_rows(rng, n_samples, n_classes):
    scores = rng.standard_normal((n_samples, n_classes))
    exps = np.exp(scores)
    return exps / exps.sum(axis=1, keepdims=True)


# -- layers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("options", [
    {},
    {"bias": False},
    {"weight_l1": 0.01},
    {"weight_l2": 0.02},
    {"bias_l1": 0.03},
    {"bias_l2": 0.04},
    {"weight_l1": 0.01, "weight_l2": 0.02, "bias_l1": 0.03, "bias_l2": 0.04},
], ids=["plain", "no-bias", "weight-l1", "weight-l2", "bias-l1", "bias-l2", "all-penalties"])
def test_dense_backward_matches_numerical_gradient(options):
    X = np.random.RandomState(1).standard_normal((5, 4))
    checks = nn.gradcheck(dense64(4, 3, **options), X)
    names = [check.name for check in checks]
    expected = ["inputs", "weights"] if options.get("bias") is False else ["inputs", "weights", "biases"]
    assert names == expected
    assert max_error(checks) < TOLERANCE, [(c.name, c.max_relative_error) for c in checks]
    assert all(check.passed() for check in checks)


def test_dense_penalties_change_the_gradient():
    """The penalty terms really are part of dweights: with L2 the gradient differs by 2 * l2 * w."""
    X = np.random.RandomState(1).standard_normal((5, 4))
    dvalues = np.random.RandomState(2).standard_normal((5, 3))
    plain, penalised = dense64(4, 3), dense64(4, 3, weight_l2=0.1, bias_l1=0.2)
    plain.forward(X)
    plain.backward(dvalues)
    penalised.forward(X)
    penalised.backward(dvalues)
    np.testing.assert_allclose(penalised.dweights - plain.dweights, 0.2 * plain.weights)
    np.testing.assert_allclose(penalised.dbiases - plain.dbiases, 0.2 * np.sign(plain.biases))
    np.testing.assert_allclose(penalised.dinputs, plain.dinputs)


def test_dense_backward_by_hand():
    """dweights = inputs.T @ dvalues, dbiases = column sums, dinputs = dvalues @ weights.T."""
    layer = dense64(3, 2)
    X = np.arange(6.0).reshape(2, 3)
    dvalues = np.array([[1.0, -2.0], [0.5, 3.0]])
    layer.forward(X)
    dinputs = layer.backward(dvalues)
    np.testing.assert_allclose(layer.output, X @ layer.weights + layer.biases)
    np.testing.assert_allclose(layer.dweights, X.T @ dvalues)
    np.testing.assert_allclose(layer.dbiases, [[1.5, 1.0]])
    np.testing.assert_allclose(dinputs, dvalues @ layer.weights.T)
    assert dinputs is layer.dinputs


ACTIVATIONS = [nn.ReLU(), nn.LeakyReLU(alpha=0.1), nn.Sigmoid(), nn.Tanh(), nn.Linear(), nn.Step(),
               nn.Softmax()]


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=repr)
def test_activation_backward_matches_numerical_gradient(activation):
    X = away_from_zero(np.random.RandomState(3), (6, 4))
    checks = nn.gradcheck(activation, X)
    assert [check.name for check in checks] == ["inputs"]
    assert max_error(checks) < TOLERANCE


def test_step_lets_no_gradient_through():
    step = nn.Step()
    step.forward(np.array([[-1.0, 2.0]]))
    np.testing.assert_array_equal(step.backward(np.array([[3.0, 4.0]])), [[0.0, 0.0]])


def test_dropout_backward_with_a_fixed_mask():
    dropout = nn.Dropout(0.3, rng=0)
    X = np.random.RandomState(4).standard_normal((6, 5))
    assert max_error(nn.gradcheck(dropout, X)) < TOLERANCE


def test_dropout_backward_scales_by_the_same_mask():
    dropout = nn.Dropout(0.5, rng=0)
    X = np.ones((50, 10))
    out = dropout.forward(X)
    assert set(np.unique(out)) <= {0.0, 2.0}  # inverted dropout: survivors divided by 1 - rate
    np.testing.assert_array_equal(dropout.backward(np.full_like(X, 3.0)), 3.0 * out)
    np.testing.assert_array_equal(dropout.forward(X, training=False), X)


# -- losses ---------------------------------------------------------------------------------------


def loss_cases():
    rng = np.random.RandomState(5)
    probabilities = softmax_rows(rng, 6, 3)
    labels = np.array([0, 1, 2, 2, 1, 0])
    sigmoid_out = rng.uniform(0.1, 0.9, size=(6, 2))
    binary = rng.randint(0, 2, size=(6, 2)).astype(float)
    targets = rng.standard_normal((6, 2))
    predictions = targets + away_from_zero(rng, (6, 2), 0.1, 1.0)  # |y - p| >= 0.1: no |x| kink
    return [
        ("cce-sparse", nn.CategoricalCrossentropy(), probabilities, labels),
        ("cce-one-hot", nn.CategoricalCrossentropy(), probabilities, np.eye(3)[labels]),
        ("bce", nn.BinaryCrossentropy(), sigmoid_out, binary),
        ("mse", nn.MeanSquaredError(), predictions, targets),
        ("mae", nn.MeanAbsoluteError(), predictions, targets),
    ]


@pytest.mark.parametrize("name, loss, y_pred, y_true", loss_cases(), ids=[c[0] for c in loss_cases()])
def test_loss_backward_matches_numerical_gradient(name, loss, y_pred, y_true):
    """Through a Linear layer the only thing checked is the loss's own backward."""
    checks = nn.gradcheck(nn.Linear(), y_pred, y_true, loss=loss)
    assert max_error(checks) < TOLERANCE


@pytest.mark.parametrize("name, loss, y_pred, y_true", loss_cases(), ids=[c[0] for c in loss_cases()])
def test_loss_calculate_is_the_mean_of_forward(name, loss, y_pred, y_true):
    per_sample = loss.forward(y_pred, y_true)
    assert per_sample.shape == (len(y_pred),)
    assert loss.calculate(y_pred, y_true) == pytest.approx(float(np.mean(per_sample)))


class FusedOnLogits:
    """Adapter for gradcheck: the fused loss's objective on logits, with its backward fed the
    softmax output as its contract says."""

    def __init__(self):
        self.fused = nn.SoftmaxCategoricalCrossentropy()

    def calculate(self, logits, y_true):
        return self.fused.calculate(logits, y_true)

    def backward(self, logits, y_true):
        return self.fused.backward(nn.Softmax().forward(logits), y_true)


@pytest.mark.parametrize("one_hot", [False, True])
def test_fused_softmax_cross_entropy_gives_the_gradient_wrt_logits(one_hot):
    rng = np.random.RandomState(6)
    logits = rng.standard_normal((7, 4))
    labels = rng.randint(0, 4, size=7)
    y = np.eye(4)[labels] if one_hot else labels
    assert max_error(nn.gradcheck(nn.Linear(), logits, y, loss=FusedOnLogits())) < TOLERANCE


def test_fused_gradient_equals_softmax_backward_after_cce_backward():
    rng = np.random.RandomState(7)
    logits = rng.standard_normal((8, 3))
    labels = rng.randint(0, 3, size=8)
    softmax = nn.Softmax()
    probabilities = softmax.forward(logits)
    two_steps = softmax.backward(nn.CategoricalCrossentropy().backward(probabilities, labels))
    fused = nn.SoftmaxCategoricalCrossentropy()
    fused_loss = fused.calculate(logits, labels)
    np.testing.assert_allclose(fused.output, probabilities)
    np.testing.assert_allclose(fused.backward(probabilities, labels), two_steps, atol=1e-12)
    expected = (probabilities - np.eye(3)[labels]) / 8
    np.testing.assert_allclose(fused.dinputs, expected, atol=1e-15)
    assert fused_loss == pytest.approx(nn.CategoricalCrossentropy().calculate(probabilities, labels))


def test_model_trains_softmax_cce_through_the_fused_gradient():
    """A Softmax + CCE model's backward gives the same layer gradients as the two-step chain."""
    rng = np.random.RandomState(8)
    X, y = nn.datasets.spiral(10, 3, rng=rng, dtype=np.float64)
    model = nn.Model([dense64(2, 5, seed=1), nn.Tanh(), dense64(5, 3, seed=2), nn.Softmax()],
                     loss=nn.CategoricalCrossentropy())
    output = model.forward(X, training=True)
    model.backward(output, y)
    fused_grads = [layer.dweights.copy() for layer in model.dense_layers]
    dvalues = nn.CategoricalCrossentropy().backward(output, y)
    for layer in reversed(model.layers):
        dvalues = layer.backward(dvalues)
    for fused, chained in zip(fused_grads, [layer.dweights for layer in model.dense_layers]):
        np.testing.assert_allclose(fused, chained, rtol=1e-10, atol=1e-14)


def test_regularization_loss_counts_every_penalty():
    """The penalty added to the loss is the one whose gradient backward adds: weights and biases."""
    layer = nn.Dense(2, 2, weight_l1=0.1, weight_l2=0.2, bias_l1=0.3, bias_l2=0.4, dtype=np.float64, rng=0)
    layer.weights[:] = [[1.0, -2.0], [0.5, 0.0]]
    layer.biases[:] = [[-1.0, 3.0]]
    weights_part = 0.1 * 3.5 + 0.2 * 5.25
    biases_part = 0.3 * 4.0 + 0.4 * 10.0
    assert nn.regularization_loss([layer]) == pytest.approx(weights_part + biases_part)
    assert nn.regularization_loss([nn.ReLU(), nn.Dense(2, 2, rng=0)]) == 0.0


# -- softmax's Jacobian -------------------------------------------------------------------------------


def test_softmax_jacobian_is_diag_minus_outer():
    s = nn.Softmax().forward(np.array([[1.0, 2.0, 0.5, -1.0]]))[0]
    expected = np.array([[s[i] * ((i == j) - s[j]) for j in range(4)] for i in range(4)])
    J = nn.Softmax.jacobian(s)
    np.testing.assert_allclose(J, expected, atol=1e-15)
    np.testing.assert_allclose(J, np.diag(s) - np.outer(s, s), atol=1e-15)
    np.testing.assert_allclose(J.sum(axis=1), 0, atol=1e-15)  # probabilities always sum to 1


def test_softmax_backward_is_each_rows_jacobian_times_dvalues():
    rng = np.random.RandomState(9)
    softmax = nn.Softmax()
    outputs = softmax.forward(rng.standard_normal((5, 4)))
    dvalues = rng.standard_normal((5, 4))
    expected = np.array([nn.Softmax.jacobian(row) @ d for row, d in zip(outputs, dvalues)])
    np.testing.assert_allclose(softmax.backward(dvalues), expected, atol=1e-14)


# -- whole models ---------------------------------------------------------------------------------------


def model_cases():
    rng = np.random.RandomState(10)
    X = rng.standard_normal((12, 3))
    classes = rng.randint(0, 3, size=12)
    binary = rng.randint(0, 2, size=(12, 1)).astype(float)
    targets = rng.standard_normal((12, 2))
    return [
        ("softmax-cce-weight-penalties-dropout",
         [dense64(3, 6, 1, weight_l1=1e-3, weight_l2=2e-3), nn.ReLU(),
          nn.Dropout(0.25, rng=1), dense64(6, 3, 2, weight_l2=5e-3), nn.Softmax()],
         nn.CategoricalCrossentropy(), X, classes),
        ("softmax-cce-l1-l2-dropout",
         [dense64(3, 6, 1, weight_l1=1e-3, weight_l2=2e-3, bias_l1=3e-3, bias_l2=4e-3), nn.ReLU(),
          nn.Dropout(0.25, rng=1), dense64(6, 3, 2, weight_l2=5e-3), nn.Softmax()],
         nn.CategoricalCrossentropy(), X, classes),
        ("sigmoid-bce-l2",
         [dense64(3, 5, 3, weight_l2=5e-4, bias_l2=5e-4), nn.LeakyReLU(0.05), dense64(5, 1, 4), nn.Sigmoid()],
         nn.BinaryCrossentropy(), X, binary),
        ("tanh-mse-dropout",
         [dense64(3, 6, 5), nn.Tanh(), nn.Dropout(0.1, rng=2), dense64(6, 2, 6, weight_l1=1e-3), nn.Linear()],
         nn.MeanSquaredError(), X, targets),
        ("sigmoid-mae-no-bias",
         [dense64(3, 4, 7, bias=False), nn.Sigmoid(), dense64(4, 2, 8), nn.Linear()],
         nn.MeanAbsoluteError(), X, targets + 5.0),
    ]


@pytest.mark.parametrize("name, layers, loss, X, y", model_cases(), ids=[c[0] for c in model_cases()])
def test_model_gradients_match_numerical_gradients(name, layers, loss, X, y):
    model = nn.Model(layers, loss=loss, optimizer=nn.SGD())
    checks = nn.gradcheck(model, X, y)
    n_arrays = sum(len(layer.parameters()) for layer in model.dense_layers)
    assert len(checks) == n_arrays
    assert all(check.analytic.shape == check.numerical.shape for check in checks)
    assert max_error(checks) < TOLERANCE, [(c.name, c.max_relative_error) for c in checks]


def test_gradcheck_leaves_the_model_unchanged():
    _, layers, loss, X, y = model_cases()[0]
    model = nn.Model(layers, loss=loss)
    before = [array.copy() for _, array in model.parameters()]
    nn.gradcheck(model, X, y)
    for (_, after), original in zip(model.parameters(), before):
        np.testing.assert_array_equal(after, original)
        assert after.dtype == np.float64


# -- the check can fail -------------------------------------------------------------------------------


class BrokenReLU(nn.ReLU):
    """A deliberately wrong rule: lets the gradient through even where the neuron was off."""

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        return self.dinputs


def test_gradcheck_catches_a_wrong_activation_backward():
    X = away_from_zero(np.random.RandomState(11), (6, 4))
    checks = nn.gradcheck(BrokenReLU(), X)
    assert max_error(checks) > 0.5
    assert not checks[0].passed()


def test_gradcheck_catches_a_wrong_backward_inside_a_model():
    rng = np.random.RandomState(12)
    X = rng.standard_normal((10, 3))
    y = rng.randint(0, 3, size=10)
    good = nn.Model([dense64(3, 6, 1), nn.ReLU(), dense64(6, 3, 2), nn.Softmax()],
                    loss=nn.CategoricalCrossentropy())
    broken = nn.Model([dense64(3, 6, 1), BrokenReLU(), dense64(6, 3, 2), nn.Softmax()],
                      loss=nn.CategoricalCrossentropy())
    assert max_error(nn.gradcheck(good, X, y)) < TOLERANCE
    checks = {check.name: check for check in nn.gradcheck(broken, X, y)}
    assert checks["layer 0 weights"].max_relative_error > 0.1
    assert checks["layer 2 weights"].passed()  # the layer after the broken rule is still right


def test_gradcheck_catches_a_loss_with_a_missing_factor():
    """MSE's gradient without its factor 2 (a classic slip) is off by a relative error of 1/3."""

    class HalfMSE(nn.MeanSquaredError):
        def backward(self, y_pred, y_true):
            return super().backward(y_pred, y_true) / 2

    rng = np.random.RandomState(13)
    y_pred, y_true = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    checks = nn.gradcheck(nn.Linear(), y_pred, y_true, loss=HalfMSE())
    assert max_error(checks) == pytest.approx(1 / 3, rel=1e-4)


# -- kinks: a finite difference across ReLU's corner is not a derivative ----------------------------


def kinked_model(activation):
    """A correct 2-5-3 network whose data include the origin: there, with biases of 0, every hidden
    input is exactly 0, so each first-layer bias's finite difference straddles the kink."""
    rng = np.random.RandomState(21)
    X = np.vstack([[0.0, 0.0], rng.standard_normal((6, 2))])
    y = np.array([0, 1, 2, 0, 1, 2, 0])
    first = nn.Dense(2, 5, weight_scale=1.0, rng=rng, dtype=np.float64)     # biases 0
    return nn.Model([first, activation, dense64(5, 3, 22), nn.Softmax()], loss=nn.CategoricalCrossentropy()), X, y


@pytest.mark.parametrize("activation", [nn.ReLU(), nn.LeakyReLU(0.05)], ids=repr)
def test_gradcheck_names_entries_across_a_kink_and_leaves_them_out(activation):
    model, X, y = kinked_model(activation)
    checks = {check.name: check for check in nn.gradcheck(model, X, y)}
    biases = checks["layer 0 biases"]
    assert biases.kinks.all() and biases.kink_count == 5                  # every bias straddles the corner
    assert checks["layer 0 weights"].kink_count == 0                      # x = 0 there: weights do not move it
    assert checks["layer 2 weights"].kink_count == 0
    # the entries left out really are ones the central difference gets wrong
    assert float(np.max(np.abs(biases.analytic - biases.numerical))) > 1e-3
    assert all(check.passed() for check in checks.values())


def test_gradcheck_without_kinks_checks_every_entry():
    model, X, y = kinked_model(nn.Tanh())
    assert all(check.kink_count == 0 for check in nn.gradcheck(model, X, y))


def test_a_relu_input_at_zero_is_named_in_a_layer_check():
    X = away_from_zero(np.random.RandomState(23), (3, 4))
    X[1, 2] = 0.0
    check = nn.gradcheck(nn.ReLU(), X)[0]
    assert check.kink_count == 1 and check.kinks[1, 2]
    assert check.passed()
