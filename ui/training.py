"""The Training page's setup, without Streamlit so it is tested directly: settings in, data
and a model out, drawing every random number from ONE RandomState(seed) in the book's order
(the data, then the layers, then a fresh validation set), so the default run follows the book.
"""

from dataclasses import dataclass, field, replace

import numpy as np

import nnengine as nn
from nnengine import book
from ui.matrix import readable

DRAWN = "your own points"                              # the learner's points (ui/drawn_points.py)
TWO_D = ("spiral", "vertical", "xor", "circles", "moons", "blobs", DRAWN)
DATASETS = TWO_D + ("sine", "digits", "upload")
MULTICLASS = ("spiral", "vertical", "blobs", DRAWN)   # these take a number of classes
POINTS_TASKS = ("classes", "regression")               # what the learner's points are: classes, or y against x
# Each drawn dataset's own noise: the book's for the spiral (0.2), vertical (0.1) and sine (none), and what
# keeps the others' shapes visible. Choosing a dataset on the page applies it (ui/training_controls.py).
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
    val_samples: int = 0          # the fresh set's samples per class (sine: in all); 0: as many as the data
    val_fixed: bool = False       # the fresh set from its own stream: the same points for every network
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
    book_precision: bool = True   # multiply in float64, store float32: the book's arithmetic (nnfs.init())
    features: tuple = field(default=("x1", "x2"))
    upload: str = ""              # which uploaded table, target and task (an uploaded CSV's identity)
    points_task: str = "classes"  # your own points: classes, or a regression of y on x (the points themselves
                                  # are data, not settings: adding one keeps the network)


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


def more_epochs_of(old, new):
    """True when ``new`` differs from ``old`` in the number of epochs alone: the run carries on. Its
    numbers are those of a run started with the new number (the steps, the decay and the streams do not
    depend on it; only how often the validation set is measured does)."""
    return old.epochs != new.epochs and replace(old, epochs=new.epochs) == new


def task_of(settings, uploaded=None):
    if settings.dataset == DRAWN and settings.points_task == "regression":
        return "regression"
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


def validation_sentence(settings):
    """How the validation set is drawn, for the page."""
    if settings.dataset == DRAWN:
        if settings.val_split:
            return (f"Validation: a share ({settings.val_split:g}) of your points, evenly spaced in the order "
                    "you placed them (triangles on the plane), so an added point never moves an earlier one.")
        return ("Validation: none (Validation share 0): every point you place trains the network, so the curves "
                "show training alone and the measures below are taken on the training points.")
    if settings.val_split or settings.dataset in ("digits", "upload"):
        return "Validation: a share held out from the data, the same whatever the network."
    if settings.val_fixed:
        return "Validation: a fresh set from a stream of its own, the same points for every network."
    return ("Validation: a fresh set drawn after the network's weights, as the book does, so another network "
            "gets other points (switch on 'Fixed validation set' to compare networks on the same points).")


def dataset_defaults(name):
    """The settings a dataset brings with it when it is chosen (its noise)."""
    return {"noise": NOISE[name]} if name in NOISE else {}


def validation_stream(seed):
    """The stream of the validation set that stays the same for every network: its own, seeded by
    [seed, 2] (a seed sequence no RandomState(int) shares), so neither the data nor the weights move."""
    return np.random.RandomState([seed, 2])


def draw_data(settings, rng, samples=None):
    """The dataset's X, y from ``rng`` (digits: the shipped images, no randomness); ``samples`` per
    class instead of the settings' (a validation set of its own size)."""
    name, n = settings.dataset, samples or settings.samples
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
                               bias_l1=settings.l1, bias_l2=settings.l2, book_precision=settings.book_precision))
        activation = ACTIVATIONS[settings.activation]
        layers.append(activation(0.01) if activation is nn.LeakyReLU else activation())
        if settings.dropout:
            layers.append(nn.Dropout(settings.dropout, rng=rng))
        width = neurons
    layers.append(nn.Dense(width, n_outputs, weight_scale=settings.init_scale, rng=rng,
                           book_precision=settings.book_precision))
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
    if settings.dataset in ("upload", DRAWN):
        X, y = uploaded.X, uploaded.y
    else:
        X, y = draw_data(settings, rng)
    held_out = settings.val_split or (HELD_OUT_DEFAULT if settings.dataset in ("digits", "upload") else 0.0)
    X_val = y_val = None
    if settings.dataset == DRAWN:
        # Your own points: a share of them held out, evenly spaced and without randomness (none when 0).
        from ui.drawn_points import held_out as held
        validation = held(len(X), settings.val_split)
        X, y, X_val, y_val = X[~validation], y[~validation], X[validation], y[validation]
    elif held_out:
        X, y, X_val, y_val = nn.datasets.split(X, y, held_out, rng=rng)
    if settings.dataset == "upload":
        from ui.csv_data import scale
        X, X_val = scale(X, X_val)          # each feature centred and scaled by the training data alone
    if task == "binary":
        y = y.reshape(-1, 1)
    classes = {"digits": 10, "upload": len(uploaded.classes) if uploaded else 0,
               DRAWN: settings.classes}.get(settings.dataset)
    n_outputs = {"classification": classes or int(y.max()) + 1, "binary": 1, "regression": 1}[task]
    two_d = settings.dataset in TWO_D and task != "regression"      # your points as y against x: one input
    n_inputs = len(settings.features) if two_d else X.shape[1]
    model = build_model(settings, n_inputs, n_outputs, task, rng)
    if X_val is None:
        # The book's way: a new dataset drawn from the same stream, after the model (so a different
        # network, which draws a different number of weights, gets different validation points), or
        # from a stream of its own, the same whatever the network.
        stream = validation_stream(settings.seed) if settings.val_fixed else rng
        X_val, y_val = draw_data(settings, stream, settings.val_samples)
    if task == "binary":
        y_val = y_val.reshape(-1, 1)
    raw, raw_val = (X, X_val) if two_d else (None, None)
    if two_d:
        X, X_val = nn.datasets.features(X, settings.features), nn.datasets.features(X_val, settings.features)
    return Setup(X=X, y=y, X_val=X_val, y_val=y_val, task=task, model=model, raw=raw, raw_val=raw_val)


def fit_kwargs(settings, setup):
    """The arguments of model.fit for these settings (mini-batches shuffled by their own stream)."""
    return {"batch_size": settings.batch_size or None,
            "validation_data": (setup.X_val, setup.y_val) if len(setup.X_val) else None,
            "rng": np.random.RandomState(settings.seed + 1) if settings.batch_size else None}


def class_and_confidence(output, task):
    """Each row's predicted class and how sure the model is, 0 (every class alike) to 1 (one class certain)."""
    if task == "binary":
        return (output[:, 0] > 0.5).astype(int), np.abs(output[:, 0] - 0.5) * 2
    return output.argmax(axis=1), (output.max(axis=1) - 1 / output.shape[1]) / (1 - 1 / output.shape[1])


def boundary_grid(setup, settings, resolution=50, discrete=False):
    """The model's prediction over a resolution x resolution grid covering the 2-D data (and 8% more each way):
    (edges1, edges2, predicted, confidence), the grid's edges along x1 and x2 and, for each cell, row by row
    from the smallest x2, its predicted class and how sure the model is there (1 everywhere when ``discrete``:
    only the class). For 2-D datasets only."""
    both = np.vstack([setup.raw, setup.raw_val])
    low, high = both.min(axis=0), both.max(axis=0)
    pad = 0.08 * (high - low) + 1e-9
    low, high = low - pad, high + pad
    edges1 = np.linspace(low[0], high[0], resolution + 1)
    edges2 = np.linspace(low[1], high[1], resolution + 1)
    centres1, centres2 = (edges1[:-1] + edges1[1:]) / 2, (edges2[:-1] + edges2[1:]) / 2
    centres = np.column_stack([np.tile(centres1, resolution), np.repeat(centres2, resolution)]).astype(setup.raw.dtype)
    predicted, confidence = class_and_confidence(setup.model.predict(nn.datasets.features(centres, settings.features)),
                                                 setup.task)
    if discrete:
        confidence = np.ones_like(confidence)       # only the predicted class, no shading
    return edges1, edges2, predicted, confidence


def data_points(setup, validation=True, most=None):
    """The data as chart rows (x1, x2, class, set): the training points, then the validation points when
    ``validation``; with ``most``, every k-th of them, the fewest k that leaves at most ``most``."""
    both = np.vstack([setup.raw, setup.raw_val])
    labels = np.concatenate([setup.y.reshape(-1), setup.y_val.reshape(-1)]).astype(int)
    keep = np.arange(len(both) if validation else len(setup.raw))
    if most is not None and len(keep) > most:
        keep = keep[::-(-len(keep) // most)]
    return [{"x1": float(both[i, 0]), "x2": float(both[i, 1]), "class": str(labels[i]),
             "set": "training" if i < len(setup.raw) else "validation"} for i in keep.tolist()]


def boundary_rows(setup, settings, resolution=50, validation=True, discrete=False):
    """The model's prediction over the grid of ``boundary_grid`` as chart rows, a cell each (x1, x1_end, x2,
    x2_end, class, confidence), and the data points (``data_points``). For 2-D datasets only."""
    edges1, edges2, predicted, confidence = boundary_grid(setup, settings, resolution, discrete)
    cells = []
    k = 0
    for c, d in zip(edges2[:-1], edges2[1:]):
        for a, b in zip(edges1[:-1], edges1[1:]):
            cells.append({"x1": float(a), "x1_end": float(b), "x2": float(c), "x2_end": float(d),
                          "class": str(int(predicted[k])), "confidence": float(confidence[k])})
            k += 1
    return cells, data_points(setup, validation)


def regression_measures(setup):
    """What a regression's numbers mean, on the validation data: the book's accuracy counts
    predictions within std(y) / 250 of the truth (a strict bar); the root mean squared error is in
    the target's own units; R² is the share of the target's variance the model explains (1 is perfect,
    0 is no better than always predicting the mean)."""
    X, y, on = (setup.X_val, setup.y_val, "validation") if len(setup.X_val) else (setup.X, setup.y, "training")
    truth = y.astype(np.float64)              # your own points with no validation share: the training points
    error = setup.model.predict(X).astype(np.float64) - truth
    spread = float(np.sum((truth - truth.mean()) ** 2))
    return {"precision": setup.model.regression_precision or float(np.std(setup.y)) / 250,
            "rmse": float(np.sqrt(np.mean(error ** 2))),
            "r2": 1 - float(np.sum(error ** 2)) / spread if spread else float("nan"), "on": on}


def thinned(records, max_points):
    """At most ``max_points`` evenly spaced records, and the last one."""
    if not records:
        return []
    chosen = records[::-(-len(records) // max_points)]          # a stride of len / max_points, rounded up
    return chosen if chosen[-1] is records[-1] else chosen + [records[-1]]


def progress_numbers(record):
    """The last epoch's numbers for the progress line; with L1/L2 the loss split into the data loss
    and the penalty, as the book prints them (the validation loss has no penalty: compare it with
    the data loss)."""
    loss = f"loss {readable(record['loss'])}"
    if record.get("reg_loss"):
        loss += f" (data {readable(record['data_loss'])} + penalty {readable(record['reg_loss'])})"
    rate = record["learning_rate"]
    rate = f"{rate:.4g}" if 1e-4 <= rate < 1e5 else readable(rate)
    return f"{loss} · accuracy {record['accuracy']:.3f} · learning rate {rate}"


def loss_kind(setup, settings):
    """What a loss curve measures: the same for two runs whose losses can be drawn on one chart."""
    return (settings.dataset, settings.upload, setup.task, type(setup.model.loss).__name__)


def history_rows(records, max_points=400):
    """Loss and accuracy per epoch in long form for a chart, each curve thinned to at most
    ``max_points`` epochs (and the last). The validation curves are thinned on their own: they are measured only
    every few epochs, and thinning them with the training curves' stride would keep only the epochs
    the two spacings share (with validation every 250 epochs and a stride of 76, just every 9 500th).
    With L1/L2 on, the training loss is drawn as its two parts, the data loss (comparable with the
    validation loss, which has no penalty) and the penalty."""
    rows = []
    penalised = any(r.get("reg_loss") for r in records)
    for r in thinned(records, max_points):
        if penalised:
            rows.append({"epoch": r["epoch"], "value": r["data_loss"], "curve": "training data loss"})
            rows.append({"epoch": r["epoch"], "value": r["reg_loss"], "curve": "penalty (L1/L2)"})
        else:
            rows.append({"epoch": r["epoch"], "value": r["loss"], "curve": "training loss"})
        rows.append({"epoch": r["epoch"], "value": r["accuracy"], "curve": "training accuracy"})
    for r in thinned([r for r in records if r["val_loss"] is not None], max_points):
        rows.append({"epoch": r["epoch"], "value": r["val_loss"], "curve": "validation loss"})
        rows.append({"epoch": r["epoch"], "value": r["val_accuracy"], "curve": "validation accuracy"})
    return rows


def chapter_settings(number):
    """The page's Settings for the book's chapter ``number``: every setting of its final script, read
    from nnengine.book.CHAPTERS (tests/app/test_claims_training.py builds both and compares them)."""
    chapter = book.CHAPTERS[number]
    first, *others = chapter.penalties
    # The page puts one L1/L2 on every hidden layer's weights and biases, and dropout after each: the
    # book's chapters (one hidden layer where they use either) fit that.
    assert first["weight_l2"] == first["bias_l2"] and first["weight_l1"] == first["bias_l1"]
    assert all(not any(p.values()) for p in others) and (chapter.dropout is None or chapter.dropout[1] == 0)
    validation = chapter.validation[0] if chapter.validation else chapter.samples
    return Settings(
        dataset=chapter.dataset, samples=chapter.samples, classes=chapter.classes or Settings.classes,
        noise=NOISE[chapter.dataset], val_samples=0 if validation == chapter.samples else validation,
        # Chapter 15 draws its validation set after training, from the stream its dropout masks come from;
        # a live curve needs the points before training, so the page draws them from a stream of their own
        # and the dropout masks stay the book's.
        val_fixed=chapter.validation_drawn == "after_training",
        hidden=chapter.hidden, activation={"relu": "ReLU"}[chapter.activation], optimizer=chapter.optimizer,
        lr=chapter.optimizer_kwargs.get("learning_rate", 0.001), decay=chapter.optimizer_kwargs.get("decay", 0.0),
        epochs=chapter.epochs, l1=first["weight_l1"], l2=first["weight_l2"],
        dropout=chapter.dropout[0] if chapter.dropout else 0.0, init_scale=chapter.weight_scale,
        loss={"mean_squared_error": "MSE"}.get(chapter.loss, Settings.loss), book_precision=True)


# The book's chapters as starting points: the settings of each chapter's final script.
CHAPTER_PRESETS = {"Chapter 10: Adam on the spiral": 10, "Chapter 14: L2 regularization": 14,
                   "Chapter 15: dropout": 15, "Chapter 16: binary classification": 16,
                   "Chapter 17: sine regression": 17}
PRESETS = {
    **{name: chapter_settings(number) for name, number in CHAPTER_PRESETS.items()},
    # The seed notebook's XOR network (4 sigmoids, weights 0.01 x normal, plain SGD at 0.1) on the page's XOR
    # data: its loss stays at log 2 = 0.693. (The notebook's own has no biases and squared error; the
    # Backpropagation page runs that one exactly.)
    "Seed notebook: the XOR network that never learns": Settings(
        dataset="xor", classes=2, noise=0.0, hidden=(4,), activation="Sigmoid", optimizer="SGD",
        lr=0.1, momentum=0.0, decay=0.0, epochs=1000),
}


def book_chapter(settings):
    """The number of the book chapter these settings are, or None."""
    return next((number for name, number in CHAPTER_PRESETS.items() if PRESETS[name] == settings), None)


def preset(name):
    """The Settings of a preset (a book chapter's, or the seed notebook's XOR network)."""
    return PRESETS[name]


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
