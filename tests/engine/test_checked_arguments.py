"""Arguments are checked where they are given (and where a model file gives them), with a message
that names the argument and the range it must lie in (issue 11, items 10 and 11)."""

import io
import json

import numpy as np
import pytest
from enginetest_helpers import sine_regressor, spiral_classifier

import nnengine as nn

NAN, INF = float("nan"), float("inf")

# -- 10. optimizer hyperparameters --------------------------------------------------------------------

UNIT = r"at least 0 and below 1"
POSITIVE = r"a finite number above 0"
NON_NEGATIVE = r"a finite number of at least 0"

BAD_HYPERPARAMETERS = [
    (nn.Adam, "beta_1", 1.0, UNIT), (nn.Adam, "beta_1", -0.1, UNIT), (nn.Adam, "beta_1", NAN, UNIT),
    (nn.Adam, "beta_2", 1.0, UNIT), (nn.Adam, "beta_2", 1.5, UNIT),
    (nn.RMSprop, "rho", 1.0, UNIT), (nn.RMSprop, "rho", -0.5, UNIT),
    (nn.SGD, "momentum", 1.5, UNIT), (nn.SGD, "momentum", 1.0, UNIT), (nn.SGD, "momentum", INF, UNIT),
    (nn.Adam, "epsilon", NAN, POSITIVE), (nn.Adam, "epsilon", 0.0, POSITIVE), (nn.Adagrad, "epsilon", -1e-7, POSITIVE),
    (nn.RMSprop, "epsilon", INF, POSITIVE),
    (nn.Adam, "decay", -1e-3, NON_NEGATIVE), (nn.SGD, "decay", NAN, NON_NEGATIVE),
    (nn.Adagrad, "decay", INF, NON_NEGATIVE),
    (nn.SGD, "learning_rate", 0.0, POSITIVE), (nn.Adam, "learning_rate", -0.01, POSITIVE),
    (nn.RMSprop, "learning_rate", NAN, POSITIVE), (nn.Adagrad, "learning_rate", INF, POSITIVE),
]


@pytest.mark.parametrize("optimizer, name, value, message", BAD_HYPERPARAMETERS,
                         ids=[f"{o.__name__}-{n}={v}" for o, n, v, _ in BAD_HYPERPARAMETERS])
def test_optimizer_hyperparameters_out_of_range_are_refused_by_name(optimizer, name, value, message):
    """Adam(beta_1=1) or epsilon=NaN reached NaN at epoch 1 (and was told "a lower learning rate
    usually helps"); SGD(momentum=1.5) blew up silently."""
    with pytest.raises(ValueError, match=rf"{name} must be {message}"):
        optimizer(**{name: value})


@pytest.mark.parametrize("value", ["0.9", True, None, [0.9]])
def test_hyperparameters_must_be_numbers(value):
    with pytest.raises(ValueError, match="beta_1 must be a number"):
        nn.Adam(beta_1=value)
    with pytest.raises(ValueError, match="learning_rate must be a number"):
        nn.SGD(learning_rate=value)


def test_edge_values_inside_the_ranges_are_accepted_and_numpy_numbers_too():
    nn.Adam(beta_1=0.0, beta_2=0.0, epsilon=1e-300, decay=0.0)
    nn.SGD(learning_rate=np.float32(0.5), momentum=np.float64(0.99), decay=np.int64(0))
    nn.RMSprop(rho=0.0)


def file_with(model, **optimizer_changes):
    """The bytes of ``model`` saved, with its described optimizer settings changed."""
    buffer = io.BytesIO()
    model.save(buffer)
    data = dict(np.load(io.BytesIO(buffer.getvalue()), allow_pickle=False))
    description = json.loads(str(data["description"]))
    description["optimizer"].update(optimizer_changes)
    data["description"] = np.array(json.dumps(description))
    edited = io.BytesIO()
    np.savez(edited, **data)
    edited.seek(0)
    return edited


@pytest.mark.parametrize("changes, name", [
    ({"beta_1": 1.0}, "beta_1"), ({"beta_2": -0.1}, "beta_2"), ({"epsilon": 0.0}, "epsilon"),
    ({"epsilon": -1e-7}, "epsilon"), ({"decay": -1.0}, "decay"),
])
def test_a_model_file_with_hyperparameters_out_of_range_is_refused(changes, name):
    """A file with beta_1 = 1 loaded, and its model then reached NaN at the first step."""
    _, _, model = spiral_classifier()
    with pytest.raises(nn.ModelFileError, match=rf"optimizer has bad settings: {name} must be"):
        nn.Model.load(file_with(model, **changes))


def test_a_model_file_with_sgd_momentum_1_is_refused():
    _, _, model = spiral_classifier(optimizer=nn.SGD(momentum=0.9))
    with pytest.raises(nn.ModelFileError, match=rf"momentum must be {UNIT}"):
        nn.Model.load(file_with(model, momentum=1.0))


# -- layers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [NAN, INF, -INF, "0.1"])
def test_leaky_relu_alpha_must_be_a_finite_number(alpha):
    """LeakyReLU(nan) turned every negative input into NaN."""
    with pytest.raises(ValueError, match="alpha must be"):
        nn.LeakyReLU(alpha)


@pytest.mark.parametrize("options, message", [
    ({"dtype": np.float16}, "float32 or float64"),
    ({"dtype": np.int32}, "float32 or float64"),
    ({"bias": "no"}, "bias must be True or False"),
    ({"weight_scale": "0.1"}, "weight_scale must be a number"),
    ({"weight_l1": NAN}, "weight_l1 must be a finite number of at least 0"),
    ({"bias_l2": -1e-4}, "bias_l2 must be a finite number of at least 0"),
])
def test_dense_options_are_checked(options, message):
    """A float16 layer trained, saved, and then its file did not load; an integer layer could not learn."""
    with pytest.raises(ValueError, match=message):
        nn.Dense(2, 3, **options)


@pytest.mark.parametrize("rate", [NAN, "0.5", None])
def test_dropout_rate_must_be_a_number(rate):
    with pytest.raises(ValueError, match="rate must be"):
        nn.Dropout(rate)


# -- 11. fit's own arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize("epochs", [2.7, "3", 3.0, None, True, -1])
def test_epochs_must_be_a_whole_number(epochs):
    """2.7 silently ran 2 epochs and "3" was accepted."""
    X, y, model = spiral_classifier()
    with pytest.raises(ValueError, match="epochs must be a whole number"):
        model.fit(X, y, epochs=epochs)
    assert len(model.history) == 0


def test_numpy_integers_are_whole_numbers():
    X, y, model = spiral_classifier()
    assert len(model.fit(X, y, epochs=np.int64(3), batch_size=np.int32(20), validation_data=(X, y),
                         validation_freq=np.uint8(2))) == 3
    assert len(model.fit(X, y, epochs=0)) == 3


@pytest.mark.parametrize("freq", [0, -2, 1.5, "2"])
def test_validation_freq_must_be_a_positive_whole_number(freq):
    """validation_freq=0 raised ZeroDivisionError."""
    X, y, model = spiral_classifier()
    with pytest.raises(ValueError, match="validation_freq must be a whole number of at least 1"):
        model.fit(X, y, epochs=3, validation_data=(X, y), validation_freq=freq)


@pytest.mark.parametrize("validation_data", [(np.ones((3, 2)),), "data", (np.ones((3, 2)), np.zeros(3), 1)])
def test_validation_data_must_be_a_pair(validation_data):
    X, y, model = spiral_classifier()
    with pytest.raises(ValueError, match=r"validation_data must be a pair \(X_val, y_val\)"):
        model.fit(X, y, epochs=1, validation_data=validation_data)


def test_a_callback_that_is_not_a_function_is_refused_before_training():
    """It failed after the first epoch had already changed the weights."""
    X, y, model = spiral_classifier()
    before = model.layers[0].weights.copy()
    with pytest.raises(TypeError, match="callback must be a function"):
        model.fit(X, y, epochs=2, callback="print")
    np.testing.assert_array_equal(model.layers[0].weights, before)


def test_a_finite_input_too_large_for_float32_is_reported_as_such():
    """1e39 is a finite float64 that becomes infinity in float32: it was reported as "NaN or infinite"."""
    X, y, model = spiral_classifier()
    X = X.astype(np.float64)
    X[4, 0] = 1e39
    for call in (lambda: model.fit(X, y, epochs=1), lambda: model.predict(X), lambda: model.evaluate(X, y),
                 lambda: model.fit(X[:9], y[:9], epochs=1, validation_data=(X, y))):
        with pytest.raises(ValueError, match=r"too large for float32 .*3\.4e\+?38"):
            call()
    assert len(model.history) == 0


def test_float64_models_take_what_float32_cannot_hold():
    X, y, model = spiral_classifier(dtype=np.float64)
    X = X.astype(np.float64)
    X[4, 0] = 1e39
    assert np.isfinite(model.predict(X)).all()             # finite in float64: accepted, not refused


def test_regression_targets_too_large_for_float32_are_reported_as_such():
    """They became infinity in float32 and the run 'diverged' at epoch 0 ("a lower learning rate usually helps")."""
    X, y, model = sine_regressor()
    y = y.astype(np.float64)
    y[3] = -1e39
    with pytest.raises(ValueError, match="labels .*too large for float32"):
        model.fit(X, y, epochs=1)


@pytest.mark.parametrize("h", [0, -0.0, NAN, INF, "1e-6"])
def test_gradcheck_step_must_be_a_finite_number_above_0(h):
    """h = 0 raised ZeroDivisionError; NaN made every check 'fail' with error NaN."""
    with pytest.raises(ValueError, match="h must be"):
        nn.gradcheck(nn.Dense(2, 3, rng=0, dtype=np.float64), np.ones((2, 2)), h=h)


# -- datasets and the rest -------------------------------------------------------------------------------------

MAKERS = [nn.datasets.spiral, nn.datasets.vertical, nn.datasets.sine, nn.datasets.xor, nn.datasets.circles,
          nn.datasets.moons, nn.datasets.blobs]


@pytest.mark.parametrize("maker", MAKERS + [nn.datasets.digits], ids=lambda maker: maker.__name__)
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float16])
def test_datasets_are_made_in_float32_or_float64_only(maker, dtype):
    """spiral(dtype=np.int32) returned inputs that were all 0: every coordinate cut to a whole number."""
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        maker(dtype=dtype)


@pytest.mark.parametrize("maker", MAKERS, ids=lambda maker: maker.__name__)
def test_datasets_in_float64_are_float64(maker):
    assert maker(rng=0, dtype=np.float64)[0].dtype == np.float64


def test_split_needs_as_many_labels_as_samples():
    """It raised IndexError from inside the shuffle."""
    X, y = nn.datasets.spiral(10, 3, rng=0)
    with pytest.raises(ValueError, match="30 samples but 5 labels"):
        nn.datasets.split(X, y[:5], 0.2, rng=0)


@pytest.mark.parametrize("option", ["bias_l1", "bias_l2"])
def test_a_bias_penalty_needs_biases(option):
    """It was accepted on a layer without biases and silently did nothing."""
    with pytest.raises(ValueError, match=f"{option} needs biases"):
        nn.Dense(2, 3, bias=False, **{option: 0.1})
    assert nn.Dense(2, 3, bias=False, **{option: 0.0}).biases is None


def test_softmax_of_one_flat_row_says_it_takes_a_batch():
    """It raised IndexError ('invalid index to scalar variable')."""
    with pytest.raises(ValueError, match=r"Softmax takes a 2-D batch"):
        nn.Softmax().forward([1.0, 2.0, 3.0])
