"""The Training page's setup, without Streamlit so it is tested directly: settings in, data
and a model out, drawing every random number from ONE RandomState(seed) in the book's order
(the data, then the layers, then a fresh validation set), so the default run follows the book.
"""

from dataclasses import dataclass, field

import numpy as np

import nnengine as nn

TWO_D = ("spiral", "vertical", "xor", "circles", "moons", "blobs")
DATASETS = TWO_D + ("sine", "digits", "upload")
MULTICLASS = ("spiral", "vertical", "blobs")          # these take a number of classes
NOISE = {"spiral": 0.2, "vertical": 0.1, "xor": 0.0, "circles": 0.0, "moons": 0.1, "blobs": 0.15, "sine": 0.0}
ACTIVATIONS = {"ReLU": nn.ReLU, "Leaky ReLU": nn.LeakyReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid}
OPTIMIZERS = ("SGD", "Adagrad", "RMSprop", "Adam")
HELD_OUT_DEFAULT = 0.2      # digits always hold out a share: 0.2 when 0 is asked


@dataclass(frozen=True)
class Settings:
    dataset: str = "spiral"
    samples: int = 100            # per class (sine: in all)
    classes: int = 3
    noise: float = 0.2
    val_split: float = 0.0        # 0: a fresh validation set drawn after the model, as the book does
    seed: int = 0
    hidden: tuple = (64,)
    activation: str = "ReLU"
    optimizer: str = "Adam"
    lr: float = 0.05
    decay: float = 5e-7
    momentum: float = 0.9
    batch_size: int = 0           # 0: the full batch
    epochs: int = 10_001
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    init_scale: float = 0.01
    loss: str = "MSE"             # regression only: MSE or MAE
    features: tuple = field(default=("x1", "x2"))
    upload: str = ""              # which uploaded table, target and task (an uploaded CSV's identity)


@dataclass(frozen=True)
class Uploaded:
    """An uploaded CSV's checked arrays (from ui.csv_data.prepare): X (n, k), y and its task."""
    X: np.ndarray
    y: np.ndarray
    task: str                     # "classification" or "regression"
    classes: tuple = ()


@dataclass
class Setup:
    X: np.ndarray
    y: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    task: str                     # "classification", "binary" or "regression"
    model: nn.Model
    raw: np.ndarray               # the 2-D points before features (for drawing), or None
    raw_val: np.ndarray


def task_of(settings, uploaded=None):
    if settings.dataset == "upload":
        if uploaded.task == "regression":
            return "regression"
        return "binary" if len(uploaded.classes) == 2 else "classification"
    if settings.dataset == "sine":
        return "regression"
    if settings.dataset == "digits":
        return "classification"
    if settings.dataset in MULTICLASS and settings.classes > 2:
        return "classification"
    return "binary"


def draw_data(settings, rng):
    """The dataset's X, y from ``rng`` (digits: the shipped images, no randomness)."""
    name, n = settings.dataset, settings.samples
    if name == "digits":
        return nn.datasets.digits()
    if name == "sine":
        return nn.datasets.sine(samples=n, noise=settings.noise, rng=rng)
    maker = getattr(nn.datasets, name)
    if name in MULTICLASS:
        return maker(samples=n, classes=settings.classes, noise=settings.noise, rng=rng)
    return maker(samples=n, noise=settings.noise, rng=rng)


def build_model(settings, n_inputs, n_outputs, task, rng):
    """Hidden Dense layers (with the L1/L2 penalties on weights and biases alike, as the book's
    examples do), each with its activation and dropout, then the output layer the task needs."""
    layers, width = [], n_inputs
    for neurons in settings.hidden:
        layers.append(nn.Dense(width, neurons, weight_scale=settings.init_scale, rng=rng,
                               weight_l1=settings.l1, weight_l2=settings.l2,
                               bias_l1=settings.l1, bias_l2=settings.l2))
        activation = ACTIVATIONS[settings.activation]
        layers.append(activation(0.01) if activation is nn.LeakyReLU else activation())
        if settings.dropout:
            layers.append(nn.Dropout(settings.dropout, rng=rng))
        width = neurons
    layers.append(nn.Dense(width, n_outputs, weight_scale=settings.init_scale, rng=rng))
    if task == "classification":
        layers.append(nn.Softmax())
        loss = nn.CategoricalCrossentropy()
    elif task == "binary":
        layers.append(nn.Sigmoid())
        loss = nn.BinaryCrossentropy()
    else:
        layers.append(nn.Linear())
        loss = nn.MeanAbsoluteError() if settings.loss == "MAE" else nn.MeanSquaredError()
    optimizer = {
        "SGD": lambda: nn.SGD(settings.lr, decay=settings.decay, momentum=settings.momentum),
        "Adagrad": lambda: nn.Adagrad(settings.lr, decay=settings.decay),
        "RMSprop": lambda: nn.RMSprop(settings.lr, decay=settings.decay),
        "Adam": lambda: nn.Adam(settings.lr, decay=settings.decay),
    }[settings.optimizer]()
    return nn.Model(layers, loss=loss, optimizer=optimizer)


def build(settings, uploaded=None):
    """Data, validation data and a fresh model for ``settings``, all from RandomState(seed)
    (``uploaded``: the arrays of an uploaded CSV, when the dataset is 'upload')."""
    rng = np.random.RandomState(settings.seed)
    task = task_of(settings, uploaded)
    if settings.dataset == "upload":
        X, y = uploaded.X, uploaded.y
    else:
        X, y = draw_data(settings, rng)
    held_out = settings.val_split or (HELD_OUT_DEFAULT if settings.dataset in ("digits", "upload") else 0.0)
    X_val = y_val = None
    if held_out:
        X, y, X_val, y_val = nn.datasets.split(X, y, held_out, rng=rng)
    if settings.dataset == "upload":
        from ui.csv_data import scale
        X, X_val = scale(X, X_val)          # each feature centred and scaled by the training data alone
    if task == "binary":
        y = y.reshape(-1, 1)
    classes = {"digits": 10, "upload": len(uploaded.classes) if uploaded else 0}.get(settings.dataset)
    n_outputs = {"classification": classes or int(y.max()) + 1, "binary": 1, "regression": 1}[task]
    two_d = settings.dataset in TWO_D
    n_inputs = len(settings.features) if two_d else X.shape[1]
    model = build_model(settings, n_inputs, n_outputs, task, rng)
    if X_val is None:
        # The book's way: a new dataset drawn from the same stream, after the model.
        X_val, y_val = draw_data(settings, rng)
    if task == "binary":
        y_val = y_val.reshape(-1, 1)
    raw, raw_val = (X, X_val) if two_d else (None, None)
    if two_d:
        X, X_val = nn.datasets.features(X, settings.features), nn.datasets.features(X_val, settings.features)
    return Setup(X=X, y=y, X_val=X_val, y_val=y_val, task=task, model=model, raw=raw, raw_val=raw_val)


def fit_kwargs(settings, setup):
    """The arguments of model.fit for these settings (mini-batches shuffled by their own stream)."""
    return {"batch_size": settings.batch_size or None, "validation_data": (setup.X_val, setup.y_val),
            "rng": np.random.RandomState(settings.seed + 1) if settings.batch_size else None}


def boundary_rows(setup, settings, resolution=50, validation=True, discrete=False):
    """The model's prediction over a resolution x resolution grid covering the 2-D data, as chart
    rows (cells), and the data points (points; the validation points too when ``validation``).
    For 2-D datasets only."""
    both = np.vstack([setup.raw, setup.raw_val])
    low, high = both.min(axis=0), both.max(axis=0)
    pad = 0.08 * (high - low) + 1e-9
    low, high = low - pad, high + pad
    edges1 = np.linspace(low[0], high[0], resolution + 1)
    edges2 = np.linspace(low[1], high[1], resolution + 1)
    centres = np.array([[(a + b) / 2, (c + d) / 2] for c, d in zip(edges2[:-1], edges2[1:])
                        for a, b in zip(edges1[:-1], edges1[1:])], dtype=setup.raw.dtype)
    output = setup.model.predict(nn.datasets.features(centres, settings.features))
    if setup.task == "binary":
        predicted = (output[:, 0] > 0.5).astype(int)
        confidence = np.abs(output[:, 0] - 0.5) * 2
    else:
        predicted = output.argmax(axis=1)
        confidence = (output.max(axis=1) - 1 / output.shape[1]) / (1 - 1 / output.shape[1])
    if discrete:
        confidence = np.ones_like(confidence)       # only the predicted class, no shading
    cells = []
    k = 0
    for c, d in zip(edges2[:-1], edges2[1:]):
        for a, b in zip(edges1[:-1], edges1[1:]):
            cells.append({"x1": float(a), "x1_end": float(b), "x2": float(c), "x2_end": float(d),
                          "class": str(int(predicted[k])), "confidence": float(confidence[k])})
            k += 1
    labels = setup.y.reshape(-1).astype(int).tolist() + setup.y_val.reshape(-1).astype(int).tolist()
    points = [{"x1": float(p[0]), "x2": float(p[1]), "class": str(label),
               "set": "training" if i < len(setup.raw) else "validation"}
              for i, (p, label) in enumerate(zip(both, labels)) if validation or i < len(setup.raw)]
    return cells, points


def thinned(records, max_points):
    """At most ``max_points`` evenly spaced records, and the last one."""
    if not records:
        return []
    chosen = records[::-(-len(records) // max_points)]          # a stride of len / max_points, rounded up
    return chosen if chosen[-1] is records[-1] else chosen + [records[-1]]


def history_rows(records, max_points=400):
    """Loss and accuracy per epoch in long form for a chart, each curve thinned to at most
    ``max_points`` epochs (and the last). The validation curves are thinned on their own: they are measured only
    every few epochs, and thinning them with the training curves' stride would keep only the epochs
    the two spacings share (with validation every 250 epochs and a stride of 76, just every 9 500th)."""
    rows = []
    for r in thinned(records, max_points):
        rows.append({"epoch": r["epoch"], "value": r["loss"], "curve": "training loss"})
        rows.append({"epoch": r["epoch"], "value": r["accuracy"], "curve": "training accuracy"})
    for r in thinned([r for r in records if r["val_loss"] is not None], max_points):
        rows.append({"epoch": r["epoch"], "value": r["val_loss"], "curve": "validation loss"})
        rows.append({"epoch": r["epoch"], "value": r["val_accuracy"], "curve": "validation accuracy"})
    return rows


# The book's chapters as starting points (the settings each chapter's code uses).
PRESETS = {
    "Chapter 10: Adam on the spiral": {},
    "Chapter 14: L2 regularization": {"samples": 1000, "lr": 0.02, "l2": 5e-4},
    "Chapter 15: dropout": {"samples": 1000, "hidden": (512,), "lr": 0.05, "decay": 5e-5, "l2": 5e-4, "dropout": 0.1},
    "Chapter 16: binary classification": {"classes": 2, "lr": 0.001, "l2": 5e-4, "epochs": 10_000},
    "Chapter 17: sine regression": {"dataset": "sine", "samples": 1000, "noise": 0.0, "hidden": (64, 64),
                                    "lr": 0.005, "decay": 1e-3, "epochs": 10_001},
    # The seed notebook's XOR network (4 sigmoids, weights 0.01 x normal, plain SGD at 0.1) on the page's XOR
    # data: its loss stays at log 2 = 0.693. (The notebook's own has no biases and squared error; the
    # Backpropagation page runs that one exactly.)
    "Seed notebook: the XOR network that never learns": {
        "dataset": "xor", "classes": 2, "noise": 0.0, "hidden": (4,), "activation": "Sigmoid", "optimizer": "SGD",
        "lr": 0.1, "momentum": 0.0, "decay": 0.0, "epochs": 1000},
}


def preset(name):
    """The Settings of a book chapter (defaults for everything the chapter does not set)."""
    return Settings(**PRESETS[name])


def _layer_code(settings, n_inputs, n_outputs, task):
    """The model's layers as nnengine calls, exactly as build_model makes them."""
    s, lines, width = settings, [], n_inputs
    penalties = (f", weight_l1={s.l1!r}, weight_l2={s.l2!r}, bias_l1={s.l1!r}, bias_l2={s.l2!r}"
                 if (s.l1 or s.l2) else "")
    activation = {"ReLU": "nn.ReLU()", "Leaky ReLU": "nn.LeakyReLU(0.01)", "Tanh": "nn.Tanh()",
                  "Sigmoid": "nn.Sigmoid()"}[s.activation]
    for neurons in s.hidden:
        lines.append(f"nn.Dense({width}, {neurons}, weight_scale={s.init_scale!r}, rng=rng{penalties})")
        lines.append(activation)
        if s.dropout:
            lines.append(f"nn.Dropout({s.dropout!r}, rng=rng)")
        width = neurons
    lines.append(f"nn.Dense({width}, {n_outputs}, weight_scale={s.init_scale!r}, rng=rng)")
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


def reproduce_script(settings, setup):
    """A standalone script (numpy and nnengine only) that repeats the run ``setup`` was built for,
    drawing every random number in the same order as the page, and prints the final numbers the
    page shows."""
    s = settings
    task = task_of(s)
    if s.dataset == "digits":
        data = "nn.datasets.digits()"
    elif s.dataset == "sine":
        data = f"nn.datasets.sine(samples={s.samples}, noise={s.noise!r}, rng=rng)"
    else:
        classes = f"classes={s.classes}, " if s.dataset in MULTICLASS else ""
        data = f"nn.datasets.{s.dataset}(samples={s.samples}, {classes}noise={s.noise!r}, rng=rng)"
    held_out = s.val_split or (HELD_OUT_DEFAULT if s.dataset == "digits" else 0.0)
    layers, loss, optimizer = _layer_code(s, setup.model.n_inputs, setup.model.n_outputs, task)
    two_d = s.dataset in TWO_D
    lines = ['"""Repeat a Training-page run of Neural Network Explorer with nnengine alone."""', "",
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
    if not held_out:
        lines.append(f"X_val, y_val = {data}        # a fresh validation set, drawn after the model")
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


def grid_resolution(setup):
    """Fewer boundary cells for larger networks, so redrawing stays quick."""
    parameters = setup.model.count_parameters()
    return 50 if parameters <= 5_000 else 35 if parameters <= 50_000 else 25


def misclassified_rows(setup, most=12):
    """Pixels of up to ``most`` validation digits the model gets wrong, each titled with its true
    and predicted label. Returns (rows, number wrong, number checked)."""
    predicted = setup.model.predict(setup.X_val).argmax(axis=1)
    wrong = np.flatnonzero(predicted != setup.y_val)
    rows = []
    for k in wrong[:most]:
        title = f"#{k}: a {int(setup.y_val[k])}, read as {int(predicted[k])}"
        image = setup.X_val[k].reshape(8, 8)
        rows += [{"image": title, "row": r, "col": c, "ink": float(image[r, c])} for r in range(8) for c in range(8)]
    return rows, len(wrong), len(predicted)
