"""Model.fit, History, predict and evaluate: what the Training page and a Step button rely on."""

import numpy as np
import pytest
from enginetest_helpers import assert_same_parameters, sine_regressor, spiral_classifier

import nnengine as nn
import nnengine.model as model_module

FIELDS = {"epoch", "loss", "data_loss", "reg_loss", "accuracy", "learning_rate", "val_loss", "val_accuracy"}


def test_history_records_have_exactly_the_documented_keys():
    X, y, model = spiral_classifier()
    history = model.fit(X, y, epochs=3)
    records = history.to_records()
    assert len(records) == 3 and len(history) == 3
    for record in records:
        assert set(record) == FIELDS
        assert record["val_loss"] is None and record["val_accuracy"] is None
        assert record["loss"] == pytest.approx(record["data_loss"] + record["reg_loss"])
    assert [r["epoch"] for r in records] == [0, 1, 2]
    records[0]["loss"] = -1.0  # plain copies: editing them leaves the history alone
    assert history[0]["loss"] != -1.0


def test_a_record_shows_the_forward_pass_before_its_update():
    """As the book prints it: epoch 0's loss is the loss of the starting weights."""
    X, y, model = spiral_classifier()
    before = model.evaluate(X, y)
    history = model.fit(X, y, epochs=2)
    assert history[0]["data_loss"] == pytest.approx(before["loss"], rel=1e-6)
    assert history[0]["accuracy"] == pytest.approx(before["accuracy"])
    assert history[1]["data_loss"] < history[0]["data_loss"]


def test_reg_loss_is_reported_with_the_data_loss():
    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(20, 3, rng=rng)
    model = nn.Model([nn.Dense(2, 8, weight_l2=0.1, weight_scale=1.0, rng=rng), nn.ReLU(),
                      nn.Dense(8, 3, rng=rng), nn.Softmax()],
                     loss=nn.CategoricalCrossentropy(), optimizer=nn.SGD(learning_rate=0.1))
    expected_reg = nn.regularization_loss(model.dense_layers)
    record = model.fit(X, y, epochs=1)[0]
    assert expected_reg > 0
    assert record["reg_loss"] == pytest.approx(expected_reg, rel=1e-6)
    assert record["loss"] == pytest.approx(record["data_loss"] + expected_reg)


def test_validation_data_fills_val_loss_and_val_accuracy():
    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(20, 3, rng=rng)
    X_val, y_val = nn.datasets.spiral(10, 3, rng=rng)
    _, _, model = spiral_classifier(seed=1)
    history = model.fit(X, y, epochs=4, validation_data=(X_val, y_val))
    assert all(r["val_loss"] is not None and r["val_accuracy"] is not None for r in history)
    final = model.evaluate(X_val, y_val)
    assert history[-1]["val_loss"] == pytest.approx(final["loss"])
    assert history[-1]["val_accuracy"] == pytest.approx(final["accuracy"])
    assert 0.0 <= history[-1]["val_accuracy"] <= 1.0


def test_validation_every_n_epochs_and_always_on_the_last():
    X, y, model = spiral_classifier()
    history = model.fit(X, y, epochs=5, validation_data=(X, y), validation_freq=2)
    assert [r["val_loss"] is not None for r in history] == [True, False, True, False, True]


def test_fit_continues_numbering_and_appends_to_the_same_history():
    X, y, model = spiral_classifier()
    first = model.fit(X, y, epochs=3)
    second = model.fit(X, y, epochs=2)
    assert second is first is model.history
    assert [r["epoch"] for r in model.history] == [0, 1, 2, 3, 4]
    assert model.fit(X, y, epochs=0) is first and len(first) == 5


@pytest.mark.parametrize("make", [
    lambda: spiral_classifier(optimizer=nn.Adam(learning_rate=0.05, decay=1e-2)),
    lambda: spiral_classifier(optimizer=nn.SGD(learning_rate=0.5, decay=0.1, momentum=0.9)),
    lambda: sine_regressor(optimizer=nn.RMSprop(learning_rate=0.01, decay=1e-2)),
], ids=["adam", "sgd-momentum", "rmsprop-regression"])
def test_two_steps_of_one_epoch_equal_one_fit_of_two(make):
    """The Step button: fit(epochs=1) twice is exactly fit(epochs=2), optimizer state included."""
    X, y, stepped = make()
    stepped.fit(X, y, epochs=1)
    stepped.fit(X, y, epochs=1)
    _, _, whole = make()
    whole.fit(X, y, epochs=2)
    assert_same_parameters(stepped, whole)
    assert stepped.history.to_records() == whole.history.to_records()
    assert stepped.optimizer.iterations == whole.optimizer.iterations == 2


def test_mini_batches_shuffled_by_the_same_seed_give_the_same_weights():
    results = []
    for seed in (5, 5, 6):
        X, y, model = spiral_classifier()
        model.fit(X, y, epochs=3, batch_size=16, rng=np.random.RandomState(seed))
        results.append(model)
    assert_same_parameters(results[0], results[1])
    with pytest.raises(AssertionError):
        assert_same_parameters(results[0], results[2])


def test_a_shared_shuffling_rng_carries_on_across_fit_calls():
    X, y, stepped = spiral_classifier()
    rng = np.random.RandomState(3)
    stepped.fit(X, y, epochs=1, batch_size=7, rng=rng)
    stepped.fit(X, y, epochs=2, batch_size=7, rng=rng)
    X, y, whole = spiral_classifier()
    whole.fit(X, y, epochs=3, batch_size=7, rng=np.random.RandomState(3))
    assert_same_parameters(stepped, whole)


def test_mini_batches_without_rng_go_in_order():
    """Without rng the batches are taken in order, as the book does: a run repeats exactly, and
    one epoch of batches of 20 equals stepping by hand through the same three slices."""
    X, y, model = spiral_classifier(optimizer=nn.SGD(learning_rate=0.5))
    model.fit(X, y, epochs=1, batch_size=20)
    _, _, by_hand = spiral_classifier(optimizer=nn.SGD(learning_rate=0.5))
    for start in (0, 20, 40):
        output = by_hand.forward(X[start:start + 20], training=True)
        by_hand.backward(output, y[start:start + 20])
        by_hand.optimizer.step(by_hand.dense_layers)
    assert_same_parameters(model, by_hand)


def test_float64_model_stays_float64_through_fit():
    X, y, model = spiral_classifier(dtype=np.float64)
    model.layers.insert(2, nn.Dropout(0.1, rng=0))
    model.fit(X.astype(np.float32), y, epochs=3, batch_size=16, rng=0)
    assert all(array.dtype == np.float64 for _, array in model.parameters())
    assert model.predict(X).dtype == np.float64
    assert model.optimizer.memory(model.dense_layers[0])["cache"].dtype == np.float64


def test_float32_model_stays_float32_through_fit():
    X, y, model = spiral_classifier()
    model.fit(X.astype(np.float64), y, epochs=3)
    assert all(array.dtype == np.float32 for _, array in model.parameters())
    assert model.predict(X.astype(np.float64)).dtype == np.float32


def test_predict_and_evaluate_turn_dropout_off():
    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(20, 3, rng=rng)
    model = nn.Model([nn.Dense(2, 16, rng=rng), nn.ReLU(), nn.Dropout(0.5, rng=rng),
                      nn.Dense(16, 3, rng=rng), nn.Softmax()], loss=nn.CategoricalCrossentropy())
    np.testing.assert_array_equal(model.predict(X), model.predict(X))
    assert model.evaluate(X, y) == model.evaluate(X, y)
    probabilities = model.predict(X)
    assert probabilities.shape == (60, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-6)


def test_one_hot_and_sparse_labels_train_the_same():
    X, y, sparse = spiral_classifier()
    sparse.fit(X, y, epochs=3)
    _, _, one_hot = spiral_classifier()
    one_hot.fit(X, np.eye(3)[y], epochs=3)
    assert_same_parameters(sparse, one_hot)


def test_binary_and_regression_accuracy():
    model = nn.Model([nn.Dense(1, 1, rng=0), nn.Sigmoid()], loss=nn.BinaryCrossentropy())
    assert model.task == "binary"
    assert model.accuracy(np.array([[0.9], [0.2], [0.6]]), np.array([1, 0, 0])) == pytest.approx(2 / 3)
    regression = nn.Model([nn.Dense(1, 1, rng=0), nn.Linear()], loss=nn.MeanSquaredError())
    assert regression.task == "regression"
    regression.regression_precision = 0.1
    assert regression.accuracy(np.array([[1.05], [2.0]]), np.array([[1.0], [2.5]])) == 0.5


class FakeClock:
    """A clock that jumps a second every reading: every batch counts as 'a while'."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        self.now += 1.0
        return self.now


def test_progress_callback_between_batches_can_stop_after_a_finished_step(monkeypatch):
    """During a long epoch the callback also runs between batches; returning False there leaves
    the weights of the last finished batch step, and the unfinished epoch is recorded as partial
    (it used to leave no record, and the next fit reused its number: changed on purpose)."""
    monkeypatch.setattr(model_module, "time", FakeClock())
    X, y, model = spiral_classifier(optimizer=nn.SGD(learning_rate=0.5))
    seen = []

    def callback(record):
        seen.append(record)
        return record.get("batch") != 2

    model.fit(X, y, epochs=3, batch_size=10, callback=callback)
    assert [r["batch"] for r in seen] == [1, 2]
    assert all(r["batches"] == 6 and r["epoch"] == 0 for r in seen)
    assert len(model.history) == 1 and model.epochs_done == 1
    assert model.history[0]["partial"] is True and (model.history[0]["batch"], model.history[0]["batches"]) == (2, 6)
    _, _, two_steps = spiral_classifier(optimizer=nn.SGD(learning_rate=0.5))
    two_steps.fit(X[:20], y[:20], epochs=1, batch_size=10)
    assert_same_parameters(model, two_steps)
