"""ui/training.py: settings become data and a model in the book's order of random draws."""

import numpy as np
import pytest

import nnengine as nn
from ui import training, training_reproduce
from ui.state import parse_layers


def test_default_settings_draw_the_books_data_then_weights_then_validation_data():
    setup = training.build(training.Settings())
    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(100, 3, rng=rng)
    first = nn.Dense(2, 64, rng=rng)
    nn.Dense(64, 3, rng=rng)
    X_val, _ = nn.datasets.spiral(100, 3, rng=rng)
    np.testing.assert_array_equal(setup.X, X)
    np.testing.assert_array_equal(setup.model.layers[0].weights, first.weights)
    np.testing.assert_array_equal(setup.X_val, X_val)
    assert [type(layer).__name__ for layer in setup.model.layers] == ["Dense", "ReLU", "Dense", "Softmax"]


@pytest.mark.slow
def test_default_run_lands_on_the_books_numbers():
    settings = training.Settings()
    setup = training.build(settings)
    history = setup.model.fit(setup.X, setup.y, epochs=settings.epochs, **training.fit_kwargs(settings, setup))
    assert history[-1]["epoch"] == 10_000
    assert history[-1]["accuracy"] >= 0.93
    assert history[-1]["val_accuracy"] is not None


@pytest.mark.parametrize("dataset, task, outputs", [
    ("spiral", "classification", 3), ("vertical", "classification", 3), ("blobs", "classification", 3),
    ("xor", "binary", 1), ("circles", "binary", 1), ("moons", "binary", 1), ("sine", "regression", 1),
    ("digits", "classification", 10)])
def test_every_dataset_gets_the_output_and_loss_its_task_needs(dataset, task, outputs):
    setup = training.build(training.Settings(dataset=dataset, epochs=5))
    assert setup.task == task
    assert setup.model.n_outputs == outputs
    history = setup.model.fit(setup.X, setup.y, epochs=3, **training.fit_kwargs(training.Settings(), setup))
    assert len(history) == 3 and np.isfinite(history[-1]["loss"])


def test_two_classes_of_spiral_are_a_binary_task():
    setup = training.build(training.Settings(classes=2))
    assert setup.task == "binary" and isinstance(setup.model.loss, nn.BinaryCrossentropy)


def test_digits_always_hold_out_a_share():
    setup = training.build(training.Settings(dataset="digits"))
    assert len(setup.X_val) == round(1797 * 0.2) and len(setup.X) == 1797 - len(setup.X_val)


def test_architecture_regularization_dropout_and_optimizer_follow_the_settings():
    settings = training.Settings(hidden=(16, 8), activation="Tanh", dropout=0.1, l2=5e-4, optimizer="SGD",
                                 lr=0.5, momentum=0.8)
    model = training.build(settings).model
    names = [type(layer).__name__ for layer in model.layers]
    assert names == ["Dense", "Tanh", "Dropout", "Dense", "Tanh", "Dropout", "Dense", "Softmax"]
    hidden = model.dense_layers[:2]
    assert all(layer.weight_l2 == layer.bias_l2 == 5e-4 for layer in hidden)
    assert model.dense_layers[-1].weight_l2 == 0
    assert isinstance(model.optimizer, nn.SGD) and model.optimizer.momentum == 0.8


def test_no_hidden_layers_is_a_linear_classifier():
    model = training.build(training.Settings(hidden=())).model
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Softmax"]


def test_boundary_rows_cover_the_data_with_one_cell_per_grid_square():
    settings = training.Settings()
    setup = training.build(settings)
    cells, points = training.boundary_rows(setup, settings, resolution=20)
    assert len(cells) == 400 and len(points) == 600
    assert min(c["x1"] for c in cells) < setup.raw[:, 0].min()
    assert {c["class"] for c in cells} <= {"0", "1", "2"}
    assert all(0 <= c["confidence"] <= 1 for c in cells)


def test_history_rows_are_thinned_but_keep_the_last_epoch():
    setup = training.build(training.Settings())
    records = setup.model.fit(setup.X, setup.y, epochs=1000).records
    rows = training.history_rows(records, max_points=100)
    epochs = sorted({r["epoch"] for r in rows})
    assert len(epochs) <= 102 and epochs[-1] == 999


def test_the_validation_curves_keep_their_points_whatever_the_stride():
    # Validation every 250 epochs of 15 305: a shared stride of 76 would keep only epochs 0 and 9 500.
    records = [{"epoch": e, "loss": 1.0, "accuracy": 0.5, "val_loss": 1.0 if e % 250 == 0 else None,
                "val_accuracy": 0.5 if e % 250 == 0 else None} for e in range(15_305)]
    rows = training.history_rows(records, max_points=200)
    validated = sorted(r["epoch"] for r in rows if r["curve"] == "validation loss")
    assert validated == list(range(0, 15_305, 250))          # 62 points, none lost
    assert len([r for r in rows if r["curve"] == "training loss"]) <= 201


@pytest.mark.parametrize("text, layers", [("64", (64,)), ("16, 8", (16, 8)), ("0", ()), ("", ())])
def test_hidden_layer_text(text, layers):
    assert parse_layers(text, 6, 512) == layers


@pytest.mark.parametrize("text", ["64,x", "600", "1,2,3,4,5,6,7", "-3", "1.5"])
def test_bad_hidden_layer_text_is_refused(text):
    with pytest.raises(ValueError):
        parse_layers(text, 6, 512)


def test_presets_are_the_books_chapter_settings():
    assert training.preset("Chapter 10: Adam on the spiral") == training.Settings()
    chapter_16 = training.preset("Chapter 16: binary classification")
    assert chapter_16.classes == 2 and chapter_16.l2 == 5e-4 and chapter_16.lr == 0.001
    assert training.task_of(chapter_16) == "binary"
    for name in training.PRESETS:
        setup = training.build(training.preset(name))
        assert setup.model.count_parameters() > 0


@pytest.mark.parametrize("settings", [
    training.Settings(epochs=200),
    training.Settings(dataset="digits", epochs=3, batch_size=32, lr=0.005),
    training.Settings(dataset="moons", hidden=(8, 8), dropout=0.1, l2=1e-4, features=("x1", "x2", "x1*x2"),
                      epochs=100, val_split=0.2),
    training.Settings(dataset="sine", samples=200, hidden=(16,), loss="MAE", optimizer="SGD", lr=0.1, epochs=100),
], ids=["default", "digits", "moons-features-dropout", "sine-mae-sgd"])
def test_the_reproduce_script_prints_the_pages_numbers(settings, capsys):
    """The script uses numpy and nnengine only, and gives the same final record as the page's run."""
    setup = training.build(settings)
    script = training_reproduce.reproduce_script(settings, setup)
    assert "from ui" not in script and "import nnengine as nn" in script
    exec(compile(script, "reproduce_run.py", "exec"), {})
    printed = capsys.readouterr().out.strip()
    last = setup.model.fit(setup.X, setup.y, epochs=settings.epochs, validation_freq=max(1, settings.epochs // 200),
                           **training.fit_kwargs(settings, setup))[-1]
    assert printed == (f"epoch: {last['epoch']}, accuracy: {last['accuracy']:.3f}, loss: {last['loss']:.4f}, "
                       f"validation accuracy: {last['val_accuracy']:.3f}, validation loss: {last['val_loss']:.4f}")


def test_larger_networks_get_a_coarser_boundary_grid():
    assert training.grid_resolution(training.build(training.Settings())) == 50
    assert training.grid_resolution(training.build(training.Settings(hidden=(512, 512)))) == 25


def test_discrete_boundary_and_hidden_validation_points():
    settings = training.Settings()
    setup = training.build(settings)
    cells, points = training.boundary_rows(setup, settings, resolution=10, validation=False, discrete=True)
    assert {c["confidence"] for c in cells} == {1.0}
    assert {p["set"] for p in points} == {"training"}


def test_misclassified_digits_are_titled_with_truth_and_reading():
    settings = training.Settings(dataset="digits", epochs=1)
    setup = training.build(settings)
    rows, wrong, checked = training.misclassified_rows(setup, most=3)
    assert checked == len(setup.X_val) and wrong > 0            # an untrained model misreads many
    assert len(rows) == 3 * 64 and rows[0]["image"].startswith("#") and "read as" in rows[0]["image"]
    assert all(0 <= r["ink"] <= 1 for r in rows)


@pytest.mark.parametrize("classes, task, expected_task, outputs", [
    (("no", "yes"), "classification", "binary", 1), (("a", "b", "c"), "classification", "classification", 3),
    ((), "regression", "regression", 1)])
def test_an_uploaded_table_builds_with_a_held_out_share_and_scaled_features(classes, task, expected_task, outputs):
    rng = np.random.RandomState(5)
    X = rng.standard_normal((100, 3)).astype(np.float32) * 50 + 10
    y = (rng.randint(0, len(classes), 100) if classes else rng.standard_normal((100, 1)).astype(np.float32))
    uploaded = training.Uploaded(X, y, task, classes)
    settings = training.Settings(dataset="upload", upload="file:label:" + task, epochs=3)
    setup = training.build(settings, uploaded)
    assert setup.task == expected_task and setup.model.n_outputs == outputs and setup.model.n_inputs == 3
    assert len(setup.X) == 80 and len(setup.X_val) == 20                   # 0.2 held out when 0 is asked
    np.testing.assert_allclose(setup.X.mean(axis=0), 0, atol=1e-5)         # scaled by the training rows
    history = setup.model.fit(setup.X, setup.y, epochs=3, **training.fit_kwargs(settings, setup))
    assert np.isfinite(history[-1]["loss"])


def test_the_seed_xor_preset_never_learns_and_larger_weights_and_rate_fix_it():
    settings = training.preset("Seed notebook: the XOR network that never learns")
    setup = training.build(settings)
    history = setup.model.fit(setup.X, setup.y, epochs=settings.epochs, **training.fit_kwargs(settings, setup))
    assert all(abs(history[e]["loss"] - np.log(2)) < 1e-3 for e in (0, 500, 999))
    better = training.Settings(**{**settings.__dict__, "init_scale": 1.0, "lr": 2.0})
    setup = training.build(better)
    history = setup.model.fit(setup.X, setup.y, epochs=better.epochs, **training.fit_kwargs(better, setup))
    assert history[-1]["loss"] < 0.5 and history[-1]["accuracy"] > 0.8
