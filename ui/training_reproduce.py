"""The Training page's reproduce script: a standalone file (numpy and nnengine only) that repeats a run
exactly, drawing every random number in the page's order (ui/training.py builds the run the same way)."""

from ui.training import DRAWN, HELD_OUT_DEFAULT, MULTICLASS, TWO_D, task_of


def _layer_code(settings, n_inputs, n_outputs, task):
    """The model's layers as nnengine calls, exactly as build_model makes them."""
    s, lines, width = settings, [], n_inputs
    penalties = (f", weight_l1={s.l1!r}, weight_l2={s.l2!r}, bias_l1={s.l1!r}, bias_l2={s.l2!r}"
                 if (s.l1 or s.l2) else "")
    activation = {"ReLU": "nn.ReLU()", "Leaky ReLU": "nn.LeakyReLU(0.01)", "Tanh": "nn.Tanh()",
                  "Sigmoid": "nn.Sigmoid()"}[s.activation]
    precision = ", book_precision=True" if s.book_precision else ""
    for neurons in s.hidden:
        lines.append(f"nn.Dense({width}, {neurons}, weight_scale={s.init_scale!r}, rng=rng{penalties}{precision})")
        lines.append(activation)
        if s.dropout:
            lines.append(f"nn.Dropout({s.dropout!r}, rng=rng)")
        width = neurons
    lines.append(f"nn.Dense({width}, {n_outputs}, weight_scale={s.init_scale!r}, rng=rng{precision})")
    output, loss = {"classification": ("nn.Softmax()", "nn.CategoricalCrossentropy()"),
                    "binary": ("nn.Sigmoid()", "nn.BinaryCrossentropy()"),
                    "regression": ("nn.Linear()", "nn.MeanAbsoluteError()" if s.loss == "MAE"
                                   else "nn.MeanSquaredError()")}[task]
    lines.append(output)
    optimizer = {"SGD": f"nn.SGD({s.lr!r}, decay={s.decay!r}, momentum={s.momentum!r})",
                 "Adagrad": f"nn.Adagrad({s.lr!r}, decay={s.decay!r})",
                 "RMSprop": f"nn.RMSprop({s.lr!r}, decay={s.decay!r})",
                 "Adam": f"nn.Adam({s.lr!r}, decay={s.decay!r})"}[s.optimizer]
    return lines, loss, optimizer


SCRIPT_HEADER = '''"""Repeat a Training-page run of Neural Network Explorer with nnengine alone.

How to run it: install the engine once, from the folder of the Neural Network Explorer repository (the one
with pyproject.toml; it needs numpy only), then run this file from anywhere:

    pip install -e .                  # in the repository's folder (or: pip install /path/to/that/folder)
    python reproduce_run.py

It prints the final epoch's numbers, the same as the page's after the same number of epochs.
"""'''


def _data_code(settings, samples=None, rng="rng"):
    s = settings
    n = samples or s.samples
    if s.dataset == "digits":
        return "nn.datasets.digits()"
    if s.dataset == "sine":
        return f"nn.datasets.sine(samples={n}, noise={s.noise!r}, rng={rng})"
    classes = f"classes={s.classes}, " if s.dataset in MULTICLASS else ""
    return f"nn.datasets.{s.dataset}(samples={n}, {classes}noise={s.noise!r}, rng={rng})"


def _points_code(settings, points):
    """Your own points as literal numbers, and the page's arrays and validation share made from them exactly
    as ui/drawn_points.py makes them (a run trained on these points from its start)."""
    s = settings
    regression = s.points_task == "regression"
    kept = [p for p in points if regression or p[2] < s.classes]
    rows = [", ".join(f"({x}, {y}, {c})" for x, y, c in kept[k:k + 8]) for k in range(0, len(kept), 8)]
    lines = ["# Your points: x and y in hundredths of the plane's units, and the class.", "points = ["]
    lines += [f"    {row}," for row in rows]
    lines += ["]", "xy = np.array([[x, y] for x, y, _ in points], dtype=np.float32).reshape(-1, 2) / 100"]
    lines.append("X, y = xy[:, :1], xy[:, 1:]                    # y against x" if regression else
                 "X, y = xy, np.array([c for _, _, c in points], dtype=np.int64)")
    if s.val_split:
        lines += [f"held = np.floor((np.arange(len(X)) + 1) * {s.val_split!r}) > np.floor(np.arange(len(X)) * "
                  f"{s.val_split!r})   # evenly spaced, in the order placed",
                  "X, y, X_val, y_val = X[~held], y[~held], X[held], y[held]"]
    return lines


def reproduce_script(settings, setup, points=None):
    """A standalone script (numpy and nnengine only) that repeats the run ``setup`` was built for,
    drawing every random number in the same order as the page, and prints the final numbers the
    page shows (``points``: your own points, for that dataset)."""
    s = settings
    if s.dataset == DRAWN:
        return _drawn_script(s, setup, points)
    task = task_of(s)
    data = _data_code(s)
    held_out = s.val_split or (HELD_OUT_DEFAULT if s.dataset == "digits" else 0.0)
    layers, loss, optimizer = _layer_code(s, setup.model.n_inputs, setup.model.n_outputs, task)
    two_d = s.dataset in TWO_D
    lines = [SCRIPT_HEADER, "",
             "import numpy as np", "", "import nnengine as nn", "",
             f"rng = np.random.RandomState({s.seed})           # one stream: data, then layers, then validation",
             f"X, y = {data}"]
    if held_out:
        lines.append(f"X, y, X_val, y_val = nn.datasets.split(X, y, {held_out!r}, rng=rng)")
    if task == "binary":
        lines.append("y = y.reshape(-1, 1)")
    lines.append("model = nn.Model([")
    lines += [f"    {layer}," for layer in layers]
    lines.append(f"], loss={loss}, optimizer={optimizer})")
    if not held_out and s.val_fixed:
        lines.append(f"X_val, y_val = {_data_code(s, s.val_samples, f'np.random.RandomState([{s.seed}, 2])')}"
                     "        # a validation set from its own stream: the same for every network")
    elif not held_out:
        lines.append(f"X_val, y_val = {_data_code(s, s.val_samples)}        # a fresh validation set, drawn after "
                     "the model")
    if task == "binary":
        lines.append("y_val = y_val.reshape(-1, 1)")
    if two_d and tuple(s.features) != ("x1", "x2"):
        lines.append(f"X, X_val = nn.datasets.features(X, {s.features!r}), nn.datasets.features(X_val, {s.features!r})")
    batch = (f"batch_size={s.batch_size}, rng=np.random.RandomState({s.seed + 1})" if s.batch_size
             else "batch_size=None")
    lines += [f"history = model.fit(X, y, epochs={s.epochs}, {batch}, validation_data=(X_val, y_val),",
              f"                    validation_freq={max(1, s.epochs // 200)})",
              "last = history[-1]",
              "print(f\"epoch: {last['epoch']}, accuracy: {last['accuracy']:.3f}, loss: {last['loss']:.4f}, \"",
              "      f\"validation accuracy: {last['val_accuracy']:.3f}, validation loss: {last['val_loss']:.4f}\")",
              ""]
    return "\n".join(lines)


def _drawn_script(settings, setup, points):
    """The script for your own points: the points written out, no random data; the layers from the seed."""
    s = settings
    task = task_of(s)
    layers, loss, optimizer = _layer_code(s, setup.model.n_inputs, setup.model.n_outputs, task)
    validated = bool(s.val_split) and len(setup.X_val) > 0
    lines = [SCRIPT_HEADER, "", "import numpy as np", "", "import nnengine as nn", ""] + _points_code(s, points)
    if task == "binary":
        lines.append("y = y.reshape(-1, 1)" + ("; y_val = y_val.reshape(-1, 1)" if s.val_split else ""))
    if task != "regression" and tuple(s.features) != ("x1", "x2"):
        lines.append(f"X = nn.datasets.features(X, {s.features!r})")
        if s.val_split:
            lines.append(f"X_val = nn.datasets.features(X_val, {s.features!r})")
    lines += [f"rng = np.random.RandomState({s.seed})           # the layers' weights", "model = nn.Model(["]
    lines += [f"    {layer}," for layer in layers]
    lines.append(f"], loss={loss}, optimizer={optimizer})")
    batch = (f"batch_size={s.batch_size}, rng=np.random.RandomState({s.seed + 1})" if s.batch_size
             else "batch_size=None")
    validation = "validation_data=(X_val, y_val)" if validated else "validation_data=None"
    lines += [f"history = model.fit(X, y, epochs={s.epochs}, {batch}, {validation},",
              f"                    validation_freq={max(1, s.epochs // 200)})",
              "last = history[-1]",
              "print(f\"epoch: {last['epoch']}, accuracy: {last['accuracy']:.3f}, loss: {last['loss']:.4f}\"" +
              (", end=\"\")" if validated else ")")]
    if validated:
        lines.append("print(f\", validation accuracy: {last['val_accuracy']:.3f}, "
                     "validation loss: {last['val_loss']:.4f}\")")
    return "\n".join(lines + [""])
