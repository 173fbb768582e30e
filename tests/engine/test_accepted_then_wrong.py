"""Models the API accepts must train right, or be refused with a reason (issue 11, items 1-6).

Each test sets up a model a learner can build from the docs and checks either the numbers (against a
float64 numpy reference written out here, and PyTorch where it is installed) or the message."""

import io

import numpy as np
import pytest
from enginetest_helpers import max_error, spiral_classifier

import nnengine as nn


def softmax(z):
    exps = np.exp(z - z.max(axis=1, keepdims=True))
    return exps / exps.sum(axis=1, keepdims=True)


def float64_spiral(samples=10, seed=3):
    return nn.datasets.spiral(samples, 3, rng=np.random.RandomState(seed), dtype=np.float64)


def dense64(n_inputs, n_neurons, seed=0):
    layer = nn.Dense(n_inputs, n_neurons, weight_scale=0.5, rng=np.random.RandomState(seed), dtype=np.float64)
    layer.biases[:] = np.random.RandomState(seed + 1).uniform(-0.5, 0.5, layer.biases.shape)
    return layer


# -- 1. the fused softmax cross-entropy -------------------------------------------------------------


@pytest.mark.parametrize("last", [[nn.Softmax()], []], ids=["softmax-last", "no-softmax"])
def test_the_fused_loss_is_refused_as_a_model_loss_with_what_to_do_instead(last):
    """With a final Softmax its gradient went through Softmax.backward a second time (dweights off
    by 0.75 relative); without one, numpy raised a broadcast error."""
    layers = [nn.Dense(2, 4, rng=0), nn.ReLU(), nn.Dense(4, 3, rng=0)] + last
    with pytest.raises(ValueError, match="end the model with Softmax and use CategoricalCrossentropy"):
        nn.Model(layers, loss=nn.SoftmaxCategoricalCrossentropy(), optimizer=nn.SGD())


@pytest.mark.parametrize("one_hot", [False, True])
def test_gradcheck_with_the_fused_loss_treats_the_layer_output_as_logits(one_hot):
    """gradcheck(layer, X, y, loss=SoftmaxCategoricalCrossentropy()) reported error 1.0 on a
    correct Dense layer. The analytic gradients are also the reference's: X.T @ (softmax(z) - Y) / n."""
    rng = np.random.RandomState(4)
    X, y = rng.standard_normal((8, 2)), rng.randint(0, 3, size=8)
    layer = dense64(2, 3)
    labels = np.eye(3)[y] if one_hot else y
    checks = nn.gradcheck(layer, X, labels, loss=nn.SoftmaxCategoricalCrossentropy())
    assert max_error(checks) < 1e-6
    dlogits = (softmax(X @ layer.weights + layer.biases) - np.eye(3)[y]) / len(X)
    by_name = {check.name: check.analytic for check in checks}
    np.testing.assert_allclose(by_name["weights"], X.T @ dlogits, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(by_name["biases"], dlogits.sum(axis=0, keepdims=True), rtol=1e-12, atol=1e-15)


def test_gradcheck_of_a_model_with_the_fused_loss_given_treats_its_output_as_logits():
    X, y = float64_spiral()
    model = nn.Model([dense64(2, 5), nn.Tanh(), dense64(5, 3, seed=2), nn.Linear()], loss=nn.MeanSquaredError())
    assert max_error(nn.gradcheck(model, X, y, loss=nn.SoftmaxCategoricalCrossentropy())) < 1e-6


def test_gradcheck_with_the_fused_loss_agrees_with_pytorch_cross_entropy():
    torch = pytest.importorskip("torch")
    X, y = float64_spiral()
    layer = dense64(2, 3)
    checks = {c.name: c.analytic for c in nn.gradcheck(layer, X, y, loss=nn.SoftmaxCategoricalCrossentropy())}
    weights = torch.tensor(layer.weights, requires_grad=True)
    biases = torch.tensor(layer.biases, requires_grad=True)
    logits = torch.tensor(X) @ weights + biases
    torch.nn.functional.cross_entropy(logits, torch.tensor(y)).backward()
    np.testing.assert_allclose(checks["weights"], weights.grad.numpy(), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(checks["biases"], biases.grad.numpy(), rtol=1e-10, atol=1e-15)


def save_and_load(model):
    buffer = io.BytesIO()
    model.save(buffer)
    buffer.seek(0)
    return nn.Model.load(buffer)


@pytest.mark.parametrize("last, loss", [
    (nn.Softmax, nn.CategoricalCrossentropy), (nn.Softmax, nn.MeanSquaredError), (nn.Sigmoid, nn.BinaryCrossentropy),
    (nn.Sigmoid, nn.MeanSquaredError), (nn.Linear, nn.MeanSquaredError), (nn.Linear, nn.MeanAbsoluteError),
    (nn.Softmax, nn.BinaryCrossentropy), (nn.Tanh, nn.MeanAbsoluteError),
])
def test_every_loss_a_model_accepts_saves_and_loads(last, loss):
    model = nn.Model([nn.Dense(2, 3, rng=0), last()], loss=loss(), optimizer=nn.Adam())
    loaded = save_and_load(model)
    assert type(loaded.loss) is loss and type(loaded.layers[-1]) is last


class ScaledError(nn.MeanSquaredError):
    """A learner's own loss: fine to train with, but a model file holds only nnengine's losses."""


class HalfReLU(nn.ReLU):
    pass


@pytest.mark.parametrize("layers, loss, message", [
    ([nn.Dense(2, 1, rng=0), nn.Linear()], ScaledError(), "ScaledError"),
    ([nn.Dense(2, 1, rng=0), HalfReLU()], nn.MeanSquaredError(), "HalfReLU"),
], ids=["loss", "layer"])
def test_a_model_with_a_class_the_loader_does_not_know_is_not_saved(layers, loss, message):
    """Before, such a model saved, and its file then failed to load ("unknown loss")."""
    model = nn.Model(layers, loss=loss, optimizer=nn.SGD())
    X, y = np.ones((4, 2)), np.ones(4)
    model.fit(X, y, epochs=1)      # it trains
    with pytest.raises(ValueError, match=f"{message}.*cannot be saved"):
        model.save(io.BytesIO())


# -- 2. a loss other than categorical cross-entropy gets its targets as given --------------------------


def softmax_model(loss, seed=0):
    rng = np.random.RandomState(seed)
    return nn.Model([nn.Dense(2, 8, weight_scale=0.5, rng=rng, dtype=np.float64), nn.Tanh(),
                     nn.Dense(8, 3, weight_scale=0.5, rng=rng, dtype=np.float64), nn.Softmax()],
                    loss=loss, optimizer=nn.SGD(learning_rate=0.5))


@pytest.mark.parametrize("loss, reference", [
    (nn.MeanSquaredError(), lambda p, t: np.mean(np.mean((t - p) ** 2, axis=1))),
    (nn.MeanAbsoluteError(), lambda p, t: np.mean(np.mean(np.abs(t - p), axis=1))),
    (nn.BinaryCrossentropy(), lambda p, t: np.mean(np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)), axis=1))),
], ids=["mse", "mae", "bce"])
@pytest.mark.parametrize("samples", [20, 5])
def test_a_softmax_model_with_an_elementwise_loss_compares_outputs_with_the_one_hot_targets(loss, reference,
                                                                                            samples):
    """evaluate gave 1.883 where MeanSquaredError().calculate on the same targets gives 0.220 (the
    one-hot rows had been turned into class indices), and 5 samples raised a broadcast error."""
    X, y = float64_spiral(samples)
    targets = np.eye(3)[y]
    model = softmax_model(loss)
    probabilities = model.predict(X)
    scores = model.evaluate(X, targets)
    assert scores["loss"] == pytest.approx(type(loss)().calculate(probabilities, targets), rel=1e-12)
    assert scores["loss"] == pytest.approx(reference(probabilities, targets), rel=1e-12)
    assert scores["accuracy"] == np.mean(np.argmax(probabilities, axis=1) == y)      # still a classifier
    assert model.task == "classification"
    assert max_error(nn.gradcheck(model, X, targets, h=1e-5)) < 1e-6             # and it trains on that loss
    history = model.fit(X, targets, epochs=3)
    assert history[0]["data_loss"] == pytest.approx(scores["loss"], rel=1e-12)


def test_a_softmax_model_with_mse_asks_for_one_hot_rows_not_class_indices():
    X, y = float64_spiral()
    with pytest.raises(nn.LabelError, match=r"one-hot"):
        softmax_model(nn.MeanSquaredError()).fit(X, y, epochs=1)


# -- 3. labels that are not what the loss needs ------------------------------------------------------------


def test_label_error_is_both_a_value_error_and_a_type_error():
    assert issubclass(nn.LabelError, ValueError) and issubclass(nn.LabelError, TypeError)


@pytest.mark.parametrize("targets", [[[2.0]], [[-0.5]], [[np.nan]]])
def test_binary_cross_entropy_targets_must_lie_between_0_and_1(targets):
    """BinaryCrossentropy().calculate([[0.9]], [[2.0]]) returned -2.09, a negative 'loss'."""
    with pytest.raises(nn.LabelError, match=r"between 0 and 1"):
        nn.BinaryCrossentropy().calculate([[0.9]], targets)
    with pytest.raises(nn.LabelError, match=r"between 0 and 1"):
        nn.BinaryCrossentropy().backward([[0.9]], targets)


@pytest.mark.parametrize("loss", [nn.BinaryCrossentropy, nn.MeanSquaredError])
def test_a_sigmoid_model_is_not_fitted_on_labels_0_1_2(loss):
    """It 'trained' to a negative loss before."""
    X, y = float64_spiral()
    model = nn.Model([nn.Dense(2, 1, rng=0), nn.Sigmoid()], loss=loss(), optimizer=nn.SGD())
    with pytest.raises(nn.LabelError, match=r"targets .*must be between 0 and 1, got 2"):
        model.fit(X, y, epochs=1)
    assert len(model.history) == 0 and model.epochs_done == 0


def test_binary_targets_between_0_and_1_still_train():
    X, y = float64_spiral()
    model = nn.Model([nn.Dense(2, 1, rng=0), nn.Sigmoid()], loss=nn.BinaryCrossentropy(), optimizer=nn.SGD())
    assert len(model.fit(X, (y == 1).astype(float), epochs=2)) == 2
    assert len(model.fit(X, np.full(len(y), 0.25), epochs=1)) == 3          # soft targets are a BCE target


@pytest.mark.parametrize("rows, message", [
    (lambda y: np.zeros((len(y), 3)), "all zero"),
    (lambda y: np.full((len(y), 3), 1 / 3), "one-hot"),
    (lambda y: 0.9 * np.eye(3)[y] + 0.1 / 3, "one-hot"),
    (lambda y: 2 * np.eye(3)[y], "one-hot"),
], ids=["all-zero", "uniform", "smoothed", "twos"])
def test_one_hot_rows_must_be_exactly_one_hot(rows, message):
    """They were silently reduced by argmax (an all-zero row became class 0)."""
    X, y, model = spiral_classifier()
    with pytest.raises(nn.LabelError, match=message):
        model.fit(X, rows(y), epochs=1)
    with pytest.raises(nn.LabelError, match=message):
        model.evaluate(X, rows(y))
    with pytest.raises(nn.LabelError, match=message):
        nn.CategoricalCrossentropy().calculate(np.full((len(y), 3), 1 / 3), rows(y))
    assert len(model.history) == 0


@pytest.mark.parametrize("labels", [[0.0, 0.5, 1.0], [0, 1, 3], [-1, 0, 1]])
def test_class_labels_must_be_whole_numbers_in_range(labels):
    model = nn.Model([nn.Dense(2, 3, rng=0), nn.Softmax()], loss=nn.CategoricalCrossentropy(), optimizer=nn.SGD())
    with pytest.raises(nn.LabelError, match=r"whole numbers|between 0 and 2"):
        model.fit(np.ones((3, 2)), np.array(labels), epochs=1)


# -- 4. Step cannot be trained ------------------------------------------------------------------------------


@pytest.mark.parametrize("layers", [
    lambda: [nn.Dense(2, 4, rng=0), nn.Step(), nn.Dense(4, 3, rng=0), nn.Softmax()],
    lambda: [nn.Dense(2, 1, rng=0), nn.Step()],
], ids=["between", "last"])
def test_training_a_model_with_a_step_is_refused(layers):
    """Step's slope is 0 everywhere: the layers before it never learned, silently."""
    X, y, _ = spiral_classifier()
    last = layers()[-1]
    model = nn.Model(layers(), loss=nn.CategoricalCrossentropy() if isinstance(last, nn.Softmax)
                     else nn.MeanSquaredError(), optimizer=nn.SGD())
    labels = y if isinstance(last, nn.Softmax) else (y == 1).astype(float)
    with pytest.raises(ValueError, match=r"Step .*cannot be trained"):
        model.fit(X, labels, epochs=1)
    assert len(model.history) == 0
    with pytest.raises(ValueError, match=r"Step .*cannot be trained"):
        model.check_trainable()
    assert model.predict(X).shape[0] == len(X)           # it can still be shown
    assert np.isfinite(model.evaluate(X, labels)["loss"])


# -- 5. Dropout on integer inputs ---------------------------------------------------------------------------


def test_dropout_on_integer_inputs_keeps_the_mean():
    """The mask 1 / 0.4 = 2.5 was cast to the inputs' integer type, 2: mean 0.797 instead of about 1."""
    dropout = nn.Dropout(0.6, rng=0)
    output = dropout.forward(np.ones((1000, 100), dtype=np.int64))
    assert output.dtype.kind == "f" and dropout.mask.dtype.kind == "f"
    assert set(np.unique(output)) == {0.0, 2.5}
    assert abs(output.mean() - 1.0) < 0.02
    np.testing.assert_array_equal(dropout.backward(np.ones((1000, 100))), output)


# -- 6. a model with no Dense layer -------------------------------------------------------------------------


@pytest.mark.parametrize("layers, loss", [([nn.Softmax()], nn.CategoricalCrossentropy()),
                                          ([nn.ReLU(), nn.Linear()], nn.MeanSquaredError())])
def test_a_model_without_a_dense_layer_says_so(layers, loss):
    """It failed with "'>=' not supported between instances of 'int' and 'NoneType'"."""
    X, y, _ = spiral_classifier()
    model = nn.Model(layers, loss=loss, optimizer=nn.SGD())
    with pytest.raises(ValueError, match="no Dense layer"):
        model.fit(X, y, epochs=1)
    with pytest.raises(ValueError, match="no Dense layer"):
        model.evaluate(X, y)


# -- more of the same kind ----------------------------------------------------------------------------------


@pytest.mark.parametrize("last, loss, message", [
    (nn.Linear, nn.CategoricalCrossentropy, "CategoricalCrossentropy .*Softmax"),
    (nn.Sigmoid, nn.CategoricalCrossentropy, "CategoricalCrossentropy .*Softmax"),
    (nn.ReLU, nn.BinaryCrossentropy, "BinaryCrossentropy .*Sigmoid or Softmax"),
], ids=["cce-linear", "cce-sigmoid", "bce-relu"])
def test_a_probability_loss_needs_probabilities(last, loss, message):
    """Cross-entropy on raw outputs was accepted: negative outputs were clipped to 1e-7 and the
    gradient -1/1e-7 = -1e7 threw the weights away."""
    with pytest.raises(ValueError, match=message):
        nn.Model([nn.Dense(2, 3, rng=0), last()], loss=loss(), optimizer=nn.SGD())


def test_dense_layers_must_chain():
    """The mismatch surfaced only at the first forward pass, as a layer's feature count."""
    with pytest.raises(ValueError, match=r"layer 2 takes 5 inputs but the Dense layer before it gives 4"):
        nn.Model([nn.Dense(2, 4, rng=0), nn.ReLU(), nn.Dense(5, 3, rng=0), nn.Softmax()],
                 loss=nn.CategoricalCrossentropy())


@pytest.mark.parametrize("build, message", [
    (lambda: nn.Model([nn.Dense(2, 3, rng=0), nn.Softmax], loss=nn.CategoricalCrossentropy()), r"Softmax\(\)"),
    (lambda: nn.Model([nn.Dense(2, 3, rng=0), nn.Softmax()], loss=nn.CategoricalCrossentropy),
     r"CategoricalCrossentropy\(\)"),
    (lambda: nn.Model([nn.Dense(2, 3, rng=0), nn.Softmax()], loss=nn.CategoricalCrossentropy(), optimizer=nn.Adam),
     r"Adam\(\)"),
    (lambda: nn.Model([nn.Dense(2, 3, rng=0), "relu"], loss=nn.MeanSquaredError()), "forward and backward"),
    (lambda: nn.Model([nn.Dense(2, 3, rng=0)], loss="mse"), "loss"),
    (lambda: nn.Model([nn.Dense(2, 3, rng=0)], loss=nn.MeanSquaredError(), optimizer=0.1), "optimizer"),
], ids=["layer-class", "loss-class", "optimizer-class", "layer-string", "loss-string", "optimizer-number"])
def test_a_class_or_a_string_where_an_object_belongs_is_refused_when_the_model_is_built(build, message):
    """A class without () was accepted and failed at the first forward pass with a missing argument."""
    with pytest.raises(TypeError, match=message):
        build()


def test_a_file_describing_a_model_the_constructor_refuses_is_a_model_file_error():
    model = nn.Model([nn.Dense(2, 3, rng=0), nn.Softmax()], loss=nn.CategoricalCrossentropy(), optimizer=nn.SGD())
    buffer = io.BytesIO()
    model.save(buffer)
    data = dict(np.load(io.BytesIO(buffer.getvalue()), allow_pickle=False))
    data["description"] = np.array(str(data["description"]).replace('"Softmax"', '"Sigmoid"'))
    edited = io.BytesIO()
    np.savez(edited, **data)
    edited.seek(0)
    with pytest.raises(nn.ModelFileError, match="CategoricalCrossentropy"):
        nn.Model.load(edited)
