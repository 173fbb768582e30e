"""State that must survive: a model saved and loaded trains on exactly as if it had never been
saved; a diverged fit leaves the model and its optimizer at their best epoch, ready for a retry;
a callback stop inside an epoch leaves History and epochs_done consistent."""

import io
import json

import numpy as np
import pytest
from enginetest_helpers import assert_same_parameters

import nnengine as nn


def dropout_classifier(dtype, optimizer):
    """Spiral data and a classifier with Dropout (its own RandomState), L2 and an optimizer."""
    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(30, 3, rng=rng, dtype=dtype)
    model = nn.Model([nn.Dense(2, 16, weight_l2=5e-4, bias_l2=5e-4, rng=rng, dtype=dtype), nn.ReLU(),
                      nn.Dropout(0.1, rng=np.random.RandomState(7)), nn.Dense(16, 3, rng=rng, dtype=dtype),
                      nn.Softmax()],
                     loss=nn.CategoricalCrossentropy(), optimizer=optimizer)
    return X, y, model


def round_trip(model, metadata=None):
    buffer = io.BytesIO()
    model.save(buffer, metadata=metadata)
    return nn.Model.load(io.BytesIO(buffer.getvalue()))


OPTIMIZERS = {
    "adam": lambda: nn.Adam(learning_rate=0.05, decay=1e-2),
    "sgd-momentum": lambda: nn.SGD(learning_rate=0.5, decay=1e-2, momentum=0.9),
    "rmsprop": lambda: nn.RMSprop(learning_rate=0.01, decay=1e-3),
    "adagrad": lambda: nn.Adagrad(learning_rate=0.5),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("batch_size", [None, 32])
def test_save_load_continue_equals_continue_bit_for_bit(dtype, name, batch_size):
    X, y, straight = dropout_classifier(dtype, OPTIMIZERS[name]())
    _, _, halves = dropout_classifier(dtype, OPTIMIZERS[name]())
    shuffle_a, shuffle_b = np.random.RandomState(3), np.random.RandomState(3)   # the caller's
    straight.fit(X, y, epochs=120, batch_size=batch_size, rng=shuffle_a)
    halves.fit(X, y, epochs=100, batch_size=batch_size, rng=shuffle_b)
    loaded = round_trip(halves)
    assert loaded.state_restored
    loaded.fit(X, y, epochs=20, batch_size=batch_size, rng=shuffle_b)
    # Loss, accuracy and learning rate of every epoch, the weights, and the optimizer itself.
    assert loaded.history.to_records() == straight.history.to_records()
    assert loaded.epochs_done == straight.epochs_done == 120
    assert_same_parameters(loaded, straight)
    assert loaded.optimizer.iterations == straight.optimizer.iterations
    assert loaded.optimizer.current_learning_rate == straight.optimizer.current_learning_rate
    for layer_a, layer_b in zip(loaded.dense_layers, straight.dense_layers):
        memory_a, memory_b = loaded.optimizer.memory(layer_a), straight.optimizer.memory(layer_b)
        assert memory_a.keys() == memory_b.keys()
        for key in memory_a:
            np.testing.assert_array_equal(memory_a[key], memory_b[key])
    assert loaded.predict(X).dtype == dtype


def test_metadata_comes_back_and_must_be_a_json_dict():
    _, _, model = dropout_classifier(np.float32, nn.Adam())
    metadata = {"dataset": "spiral", "hidden": [64, 32], "seed": 0, "lr": 0.05, "note": None}
    loaded = round_trip(model, metadata)
    assert loaded.metadata == metadata
    assert round_trip(model).metadata is None
    with pytest.raises(TypeError, match="metadata must be a dict"):
        model.save(io.BytesIO(), metadata=[1, 2])
    with pytest.raises((TypeError, ValueError)):
        model.save(io.BytesIO(), metadata={"x": object()})
    with pytest.raises(ValueError):
        model.save(io.BytesIO(), metadata={"x": float("nan")})    # not JSON


def test_a_file_written_before_the_training_state_loads_without_it():
    """Version 1 files (weights, settings and epochs_done) still load: a fresh optimizer, an empty
    History, and state_restored False to say so."""
    buffer = io.BytesIO()
    description = {"format": "nnengine-model", "version": 1, "epochs_done": 7,
                   "layers": [{"type": "Dense", "n_inputs": 2, "n_neurons": 3}, {"type": "Softmax"}],
                   "loss": "CategoricalCrossentropy", "optimizer": {"type": "Adam", "learning_rate": 0.01}}
    np.savez(buffer, description=np.array(json.dumps(description)),
             layer0_weights=np.ones((2, 3), np.float32), layer0_biases=np.zeros((1, 3), np.float32))
    model = nn.Model.load(io.BytesIO(buffer.getvalue()))
    assert model.state_restored is False and model.metadata is None
    assert model.epochs_done == 7 and len(model.history) == 0 and model.optimizer.iterations == 0
    model.fit(np.ones((4, 2)), [0, 1, 2, 0], epochs=2)
    assert [r["epoch"] for r in model.history] == [7, 8]


# -- a saved state is checked as strictly as the weights -------------------------------------------


def saved_parts(dtype=np.float32):
    X, y, model = dropout_classifier(dtype, nn.Adam(learning_rate=0.05))
    model.fit(X, y, epochs=3)
    buffer = io.BytesIO()
    model.save(buffer)
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    return json.loads(str(arrays.pop("description"))), arrays


def load_parts(description, arrays):
    buffer = io.BytesIO()
    np.savez(buffer, description=np.array(json.dumps(description)), **arrays)
    return nn.Model.load(io.BytesIO(buffer.getvalue()))


def test_the_unchanged_parts_load():
    assert load_parts(*saved_parts()).optimizer.iterations == 3


def _set(path, value):
    def change(description, arrays):
        target = description
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _array(name, value):
    def change(description, arrays):
        arrays[name] = value(arrays[name]) if callable(value) else value
    return change


def _drop(name):
    def change(description, arrays):
        del arrays[name]
    return change


@pytest.mark.parametrize("change, message", [
    (_set(("state", "optimizer_state", "iterations"), -1), "step count must be a whole number"),
    (_set(("state", "optimizer_state", "iterations"), 2.5), "step count must be a whole number"),
    (_set(("state", "optimizer_state", "current_learning_rate"), float("nan")), "current learning rate"),
    (_set(("state", "optimizer_state", "current_learning_rate"), -0.1), "current learning rate"),
    (_set(("state", "optimizer_state"), None), "no optimizer state"),
    (_set(("state", "epochs_done"), -4), "epochs_done must be"),
    (_set(("state", "epochs_done"), 2), "epoch numbers must be whole, increasing and below epochs_done"),
    (_set(("state",), None), "no training state"),
    (_set(("metadata",), [1, 2]), "metadata must be a JSON object"),
    (_set(("state", "dropout"), {}), "do not match the model's Dropout layers"),
    (_set(("state", "dropout", "2", "pos"), 700), "random state of Dropout layer 2"),
    (_set(("state", "dropout", "2", "type"), "Pickle"), "random state of Dropout layer 2"),
    (_array("layer2_rng_keys", lambda keys: keys[:100]), "random state of Dropout layer 2"),
    (_array("layer2_rng_keys", lambda keys: keys.astype(np.float64)), "random state of Dropout layer 2"),
    (_array("optimizer_momentums", lambda m: m[:-1]), "momentums have shape"),
    (_array("optimizer_cache", lambda c: -c), "negative"),
    (_array("optimizer_cache", lambda c: np.full_like(c, np.nan)), "cache contain NaN"),
    (_array("optimizer_momentums", lambda m: m.astype(np.float64)), "momentums are float64"),
    (_drop("optimizer_cache"), r"memories are \['momentums'\]"),
    (_array("history", lambda h: h[:, :5]), "history has shape"),
    (_array("history", lambda h: np.where(np.arange(h.shape[1]) == 1, np.nan, h)), "loss holds NaN"),
    (_array("history", lambda h: np.where(np.arange(h.shape[1]) == 4, 1.5, h)), "accuracy must lie between"),
    (_array("history", lambda h: h[::-1]), "epoch numbers must be whole, increasing"),
    (_array("history", lambda h: np.where(np.arange(h.shape[1]) == 8, 2.0, h)), "partial epochs"),
    (_drop("history"), "no training history"),
], ids=lambda value: value if isinstance(value, str) else None)
def test_a_bad_saved_state_is_refused_by_name(change, message):
    description, arrays = saved_parts()
    change(description, arrays)
    with pytest.raises(nn.ModelFileError, match=message):
        load_parts(description, arrays)


# -- divergence: back to the best epoch --------------------------------------------------------------


def sine_model(optimizer):
    rng = np.random.RandomState(0)
    X, y = nn.datasets.sine(200)
    model = nn.Model([nn.Dense(1, 32, weight_scale=0.1, rng=rng), nn.ReLU(), nn.Dense(32, 1, weight_scale=0.1, rng=rng),
                      nn.Linear()], loss=nn.MeanSquaredError(), optimizer=optimizer)
    return X, y, model


def test_after_divergence_the_model_and_optimizer_are_back_at_the_best_epoch_and_a_retry_trains():
    X, y, model = sine_model(nn.SGD(learning_rate=1e3, momentum=0.9))
    start_loss = model.evaluate(X, y)["loss"]
    with pytest.raises(nn.TrainingDiverged) as caught:
        model.fit(X, y, epochs=200)
    error = caught.value
    losses = model.history.column("loss")
    assert error.best_epoch == int(np.argmin(losses)) and error.best_loss == losses.min()
    assert error.best_loss <= start_loss
    assert f"the start of epoch {error.best_epoch}" in str(error) and "optimizer" in str(error)
    # The weights give the best epoch's loss again, and the optimizer is as it was then.
    assert model.evaluate(X, y)["loss"] == pytest.approx(error.best_loss, rel=1e-6)
    assert model.optimizer.iterations == error.best_epoch
    velocity = model.optimizer.memory(model.dense_layers[0])
    assert not velocity or np.abs(velocity["momentums"]).max() < 1e6
    # A retry at a sane rate, same optimizer and momentum, trains.
    model.optimizer.learning_rate = model.optimizer.current_learning_rate = 1e-3
    model.fit(X, y, epochs=300)
    assert np.isfinite(model.history.column("loss")).all()
    assert model.history[-1]["loss"] < 0.8 * error.best_loss


def test_divergence_in_the_first_epoch_goes_back_to_where_the_fit_started():
    X, y, model = sine_model(nn.SGD(learning_rate=1e3, momentum=0.9))
    model.fit(X, y, epochs=1)
    before = [array.copy() for _, array in model.parameters()]
    model.optimizer.learning_rate = model.optimizer.current_learning_rate = 1e30
    with pytest.raises(nn.TrainingDiverged) as caught:
        model.fit(X, y, epochs=5, batch_size=50)
    assert caught.value.best_epoch is None and "where this fit started" in str(caught.value)
    for (_, array), saved in zip(model.parameters(), before):
        np.testing.assert_array_equal(array, saved)
    assert model.optimizer.iterations == 1


def test_the_happy_path_keeps_training_exactly_as_before():
    """The copies kept for a rollback never touch the numbers of a run that does not diverge."""
    X, y, a = sine_model(nn.Adam(learning_rate=0.01))
    _, _, b = sine_model(nn.Adam(learning_rate=0.01))
    a.fit(X, y, epochs=30)
    for _ in range(3):
        b.fit(X, y, epochs=10)
    assert a.history.to_records() == b.history.to_records()
    assert_same_parameters(a, b)


# -- a stop inside an epoch ---------------------------------------------------------------------------


def test_a_stop_inside_an_epoch_records_it_as_partial_and_uses_up_its_number(monkeypatch):
    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(100, 3, rng=rng)
    model = nn.Model([nn.Dense(2, 8, rng=rng), nn.ReLU(), nn.Dense(8, 3, rng=rng), nn.Softmax()],
                     loss=nn.CategoricalCrossentropy(), optimizer=nn.Adam())
    clock = iter(np.arange(0.0, 1e4, 0.2))      # every batch seems to take 0.2 s: progress after each
    monkeypatch.setattr(nn.model.time, "perf_counter", lambda: next(clock))
    seen = []

    def callback(record):
        seen.append(dict(record))
        return not (record["epoch"] == 1 and record.get("batch") == 3)

    model.fit(X, y, epochs=5, batch_size=30, callback=callback)   # 10 batches an epoch
    assert [r["epoch"] for r in model.history] == [0, 1] and model.epochs_done == 2
    partial = model.history[1]
    assert partial["partial"] is True and (partial["batch"], partial["batches"]) == (3, 10)
    assert partial["loss"] == seen[-1]["loss"] and partial["accuracy"] == seen[-1]["accuracy"]
    assert "partial" not in model.history[0]
    assert model.optimizer.iterations == 13
    model.fit(X, y, epochs=1, batch_size=30)
    assert model.history[-1]["epoch"] == 2          # not 1 again: it was reported to the callback
    # The partial record survives a file, marked as such.
    loaded = round_trip(model)
    assert loaded.history.to_records() == model.history.to_records()


@pytest.mark.parametrize("optimizer", [nn.SGD(0.5, momentum=0.9), nn.Adagrad(0.5), nn.RMSprop(0.02), nn.Adam(0.05)])
def test_a_deep_copy_of_a_model_trains_on_exactly_as_the_model(optimizer):
    """copy.deepcopy(model) copies the optimizer's memory with it (the memory was keyed by id(layer),
    so a copy's layers, with new ids, started from an empty memory and trained differently)."""
    import copy

    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(samples=30, classes=3, rng=rng)
    model = nn.Model([nn.Dense(2, 8, rng=rng), nn.ReLU(), nn.Dense(8, 3, rng=rng), nn.Softmax()],
                     loss=nn.CategoricalCrossentropy(), optimizer=optimizer)
    model.fit(X, y, epochs=5)
    twin = copy.deepcopy(model)
    model.fit(X, y, epochs=5)
    twin.fit(X, y, epochs=5)
    for (name, mine), (_, its) in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(mine, its, err_msg=name)
