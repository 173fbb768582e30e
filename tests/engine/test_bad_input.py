"""Bad input fails early with a message that says what is wrong; training that blows up or is
interrupted leaves a usable model. A page shows these messages to the learner as they are."""

import numpy as np
import pytest
from enginetest_helpers import assert_same_parameters, parameters, sine_regressor, spiral_classifier

import nnengine as nn

# -- shapes ---------------------------------------------------------------------------------------


def test_dense_says_how_many_features_it_expected():
    with pytest.raises(ValueError, match=r"3 features per sample but this layer expects 2"):
        nn.Dense(2, 4, rng=0).forward(np.ones((5, 3)))


def test_model_fit_and_predict_report_wrong_feature_counts():
    X, y, model = spiral_classifier()
    with pytest.raises(ValueError, match="expects 2"):
        model.fit(np.ones((60, 5)), y, epochs=1)
    with pytest.raises(ValueError, match="expects 2"):
        model.predict(np.ones((4, 3)))


def test_inputs_must_be_a_2d_batch():
    with pytest.raises(ValueError, match="2-D array"):
        nn.Dense(2, 4, rng=0).forward(np.ones((2, 3, 2)))


def test_one_sample_as_a_flat_list_is_a_batch_of_one():
    assert nn.Dense(3, 2, rng=0).forward([1.0, 2.0, 3.0]).shape == (1, 2)


def test_labels_and_samples_must_match_in_number():
    X, y, model = spiral_classifier()
    with pytest.raises(ValueError, match=r"60 samples but its labels have 59"):
        model.fit(X, y[:-1], epochs=1)


def test_regression_targets_must_match_the_outputs():
    message = r"targets of shape \(3, 2\) do not match predictions of shape \(3, 1\)"
    with pytest.raises(ValueError, match=message):
        nn.MeanSquaredError().calculate(np.zeros((3, 1)), np.zeros((3, 2)))


# -- labels ---------------------------------------------------------------------------------------


def test_fractional_class_labels_are_refused():
    """nn.LabelError is both a ValueError and a TypeError (these asserted TypeError before)."""
    X, y, model = spiral_classifier()
    with pytest.raises(nn.LabelError, match="whole numbers 0..2, got 0.5"):
        model.fit(X, np.where(y == 1, 0.5, y).astype(float), epochs=1)
    with pytest.raises(nn.LabelError, match="whole numbers 0..2"):
        nn.CategoricalCrossentropy().calculate(np.full((2, 3), 1 / 3), np.array([0.5, 1.0]))


def test_whole_float_labels_are_fine():
    X, y, model = spiral_classifier()
    assert len(model.fit(X, y.astype(float), epochs=1)) == 1


def test_string_labels_are_refused():
    X, y, model = spiral_classifier()
    with pytest.raises(nn.LabelError, match="labels must be numbers"):
        model.fit(X, np.array(["a", "b", "c"] * 20), epochs=1)
    with pytest.raises(nn.LabelError, match="labels must be numbers"):
        model.evaluate(X, np.array(["a", "b", "c"] * 20))
    with pytest.raises(nn.LabelError, match="targets must be numbers"):
        nn.MeanSquaredError().calculate(np.zeros((2, 1)), np.array(["1", "2"]))


def test_class_labels_out_of_range_are_refused():
    X, y, model = spiral_classifier()
    with pytest.raises(nn.LabelError, match=r"between 0 and 2, got values from 0 to 3"):
        model.fit(X, np.where(y == 2, 3, y), epochs=1)
    with pytest.raises(nn.LabelError, match="between 0 and 2"):
        model.evaluate(X, np.full(60, -1))


def test_string_inputs_are_refused():
    with pytest.raises(ValueError, match="must be numbers"):
        nn.Dense(2, 3, rng=0).forward([["a", "b"]])


# -- NaN and infinity -------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinite_inputs_are_refused_everywhere(bad):
    X, y, model = spiral_classifier()
    X = X.copy()
    X[7, 1] = bad
    with pytest.raises(ValueError, match="NaN or infinite"):
        model.fit(X, y, epochs=1)
    with pytest.raises(ValueError, match="NaN or infinite"):
        model.predict(X)
    with pytest.raises(ValueError, match="NaN or infinite"):
        model.evaluate(X, y)
    with pytest.raises(ValueError, match="NaN or infinite"):
        model.fit(X[:10], y[:10], epochs=1, validation_data=(X, y))
    assert len(model.history) == 0


def test_nan_regression_targets_are_refused():
    X, y, model = sine_regressor()
    y = y.copy()
    y[3] = np.nan
    with pytest.raises(ValueError, match="labels contain NaN"):
        model.fit(X, y, epochs=1)


# -- empty batches and bad settings --------------------------------------------------------------------


def test_empty_batches_are_refused():
    X, y, model = spiral_classifier()
    empty = np.zeros((0, 2))
    no_labels = np.zeros(0, dtype=int)
    with pytest.raises(ValueError, match="empty batch"):
        nn.Dense(2, 3, rng=0).forward(empty)
    with pytest.raises(ValueError, match="empty batch"):
        model.fit(empty, no_labels, epochs=1)
    with pytest.raises(ValueError, match="empty batch"):
        model.predict(empty)
    with pytest.raises(ValueError, match="empty batch"):
        model.evaluate(empty, no_labels)
    with pytest.raises(ValueError, match="non-empty 2-D array"):
        nn.CategoricalCrossentropy().calculate(np.zeros((0, 3)), no_labels)


@pytest.mark.parametrize("batch_size", [0, -4, 2.5, True])
def test_batch_size_must_be_a_positive_whole_number(batch_size):
    X, y, model = spiral_classifier()
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(X, y, epochs=1, batch_size=batch_size)


def test_settings_out_of_range_are_refused():
    with pytest.raises(ValueError, match="epochs"):
        spiral_classifier()[2].fit(*spiral_classifier()[:2], epochs=-1)
    with pytest.raises(ValueError, match="n_inputs"):
        nn.Dense(0, 3)
    with pytest.raises(ValueError, match="weight_l2"):
        nn.Dense(2, 3, weight_l2=-1)
    with pytest.raises(ValueError, match="dropout rate"):
        nn.Dropout(1.0)
    with pytest.raises(ValueError, match="dropout rate"):
        nn.Dropout(-0.1)
    with pytest.raises(ValueError, match="at least one layer"):
        nn.Model([], loss=nn.MeanSquaredError())


def test_fit_without_an_optimizer_says_so():
    X, y, _ = spiral_classifier()
    model = nn.Model([nn.Dense(2, 3, rng=0), nn.Softmax()], loss=nn.CategoricalCrossentropy())
    with pytest.raises(ValueError, match="no optimizer"):
        model.fit(X, y, epochs=1)


# -- training that diverges ---------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("learning_rate", [1e30, 1e3, 10.0])
def test_diverging_loss_stops_fit_and_goes_back_to_the_best_epoch(learning_rate):
    """SGD with a huge learning rate on MSE regression: fit stops with TrainingDiverged at the
    first non-finite loss, and the model holds the weights it had at the start of the epoch with
    the lowest loss (the same numbers as a twin model trained that many epochs), none of them NaN.
    (It used to keep the last finite weights, whose loss can already be 1e20: changed on purpose.)"""
    X, y, model = sine_regressor(optimizer=nn.SGD(learning_rate=learning_rate))
    with pytest.raises(nn.TrainingDiverged) as caught:
        model.fit(X, y, epochs=1000)
    error = caught.value
    assert isinstance(error, FloatingPointError)
    assert error.epoch >= 1 and not np.isfinite(error.loss)
    assert f"epoch {error.epoch}" in str(error) and "learning rate" in str(error)
    assert all(np.isfinite(array).all() for array in parameters(model))
    assert len(model.history) == error.epoch  # records for every finite epoch, none for the bad one
    assert np.isfinite(model.history[-1]["loss"])
    losses = model.history.column("loss")
    assert error.best_epoch == int(np.argmin(losses)) and error.best_loss == losses.min()
    _, _, twin = sine_regressor(optimizer=nn.SGD(learning_rate=learning_rate))
    twin.fit(X, y, epochs=error.best_epoch)
    assert_same_parameters(model, twin)
    assert model.evaluate(X, y)["loss"] == pytest.approx(error.best_loss, rel=1e-5)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_diverging_mini_batches_keep_the_last_finite_step():
    X, y, model = sine_regressor(optimizer=nn.SGD(learning_rate=1e6))
    with pytest.raises(nn.TrainingDiverged):
        model.fit(X, y, epochs=100, batch_size=10)
    assert all(np.isfinite(array).all() for array in parameters(model))
    assert np.isfinite(model.predict(X)).all()


# -- callbacks ------------------------------------------------------------------------------------------


def test_callback_returning_false_stops_after_that_epoch():
    X, y, model = spiral_classifier()
    seen = []

    def callback(record):
        seen.append(record["epoch"])
        return record["epoch"] < 3

    history = model.fit(X, y, epochs=50, callback=callback)
    assert seen == [0, 1, 2, 3]
    assert len(history) == 4 and model.epochs_done == 4
    _, _, twin = spiral_classifier()
    twin.fit(X, y, epochs=4)
    assert_same_parameters(model, twin)
    model.fit(X, y, epochs=2)  # and training carries on from there
    assert [r["epoch"] for r in model.history][-3:] == [3, 4, 5]


def test_callback_returning_none_does_not_stop():
    X, y, model = spiral_classifier()
    assert len(model.fit(X, y, epochs=5, callback=lambda record: None)) == 5


class Interrupted(Exception):
    pass


def test_an_exception_in_the_callback_propagates_and_keeps_finished_epochs():
    X, y, model = spiral_classifier()

    def callback(record):
        if record["epoch"] == 4:
            raise Interrupted("stop button")

    with pytest.raises(Interrupted, match="stop button"):
        model.fit(X, y, epochs=50, callback=callback)
    assert len(model.history) == 5
    _, _, twin = spiral_classifier()
    twin.fit(X, y, epochs=5)
    assert_same_parameters(model, twin)
    assert all(np.isfinite(array).all() for array in parameters(model))
