"""The Training page's controls: every setting as a Control (its key is its URL parameter), the panel
that reads them into a training.Settings, the learning-rate slider, the book-chapter presets and the
uploaded-CSV panel."""

import streamlit as st

import nnengine as nn
from ui import csv_data, drawn_points, training, widgets
from ui.matrix import count
from ui.state import Control, parse_layers, seed_from_link

DEFAULTS = training.Settings()
DATASET = Control("dataset", "Dataset", DEFAULTS.dataset, "choice", options=training.DATASETS)
SAMPLES = Control("samples", "Samples per class (sine: points in all)", DEFAULTS.samples, "int", 10, 1000)
CLASSES = Control("classes", "Classes", DEFAULTS.classes, "int", 2, 5)
NOISE = Control("noise", "Noise", DEFAULTS.noise, "float", 0.0, 0.5)
VAL_SPLIT = Control("val_split", "Validation share held out", DEFAULTS.val_split,
                    "float", 0.0, 0.5)
# What a share of 0 means differs by dataset; the caption above the buttons says which applies now.
VAL_SPLIT_HELP = ("The share of the data kept out of training to measure the model on; the same points whatever the "
                  "network. At 0: a drawn dataset gets a fresh validation set instead, drawn the book's way (its "
                  "size and stream below); the digits and a CSV hold out 0.2 all the same; your own points have "
                  "no validation.")
VAL_SAMPLES = Control("val_samples", "Validation samples per class (0: as many as for training)",
                      DEFAULTS.val_samples, "int", 0, 1000)
VAL_FIXED = Control("val_fixed", "Fixed validation set", DEFAULTS.val_fixed, "bool")
SEED = Control("seed", "Seed", DEFAULTS.seed, "int", 0, 100_000)
HIDDEN = Control("hidden", "Hidden layers (neurons, comma-separated; 0 for none)", "64", "layers", 6, 512)
ACTIVATION = Control("activation", "Hidden activation", DEFAULTS.activation, "choice",
                     options=tuple(training.ACTIVATIONS))
OPTIMIZER = Control("optimizer", "Optimizer", DEFAULTS.optimizer, "choice", options=training.OPTIMIZERS)
LR = Control("lr", "Learning rate", DEFAULTS.lr, "float", 1e-6, 10.0)
DECAY = Control("decay", "Learning-rate decay", DEFAULTS.decay, "float", 0.0, 1.0)
MOMENTUM = Control("momentum", "Momentum (SGD)", DEFAULTS.momentum, "float", 0.0, 0.99)
BATCH = Control("batch_size", "Batch size (0: the full batch)", DEFAULTS.batch_size, "int", 0, 4096)
EPOCHS = Control("epochs", "Epochs", DEFAULTS.epochs, "int", 1, 50_001)
L1 = Control("l1", "L1 penalty", DEFAULTS.l1, "float", 0.0, 0.1)
L2 = Control("l2", "L2 penalty", DEFAULTS.l2, "float", 0.0, 0.1)
DROPOUT = Control("dropout", "Dropout rate", DEFAULTS.dropout, "float", 0.0, 0.9)
INIT = Control("init_scale", "Initial weights: scale × normal", DEFAULTS.init_scale, "float", 0.0001, 2.0)
BOOK_PRECISION = Control("book_precision", "Book arithmetic", DEFAULTS.book_precision,
                         "bool")
LOSS = Control("loss", "Regression loss", DEFAULTS.loss, "choice", options=("MSE", "MAE"))
FEATURES = Control("features", "Input features", DEFAULTS.features, "multi", options=tuple(nn.datasets.FEATURES))
SHOW_VAL = Control("show_val", "Show the validation data", True, "bool")
DISCRETE = Control("discrete", "Discretize the output", False, "bool")
COMPARE = Control("compare", "Keep the previous run's loss on the chart", True, "bool")
POINTS_TASK = Control("points_task", "Your points are", DEFAULTS.points_task, "choice", options=training.POINTS_TASKS)
POINTS = Control(drawn_points.KEY, "Your points", (), "codec", codec=drawn_points)
CONTROLS = [DATASET, POINTS_TASK, POINTS, SAMPLES, CLASSES, NOISE, VAL_SPLIT, VAL_SAMPLES, VAL_FIXED, SEED, FEATURES,
            HIDDEN, ACTIVATION, OPTIMIZER, LR, DECAY,
            MOMENTUM, BATCH, EPOCHS, L1, L2, DROPOUT, INIT, BOOK_PRECISION, LOSS, SHOW_VAL, DISCRETE, COMPARE]


def apply_dataset_defaults(keep_link_values=False):
    """Put the chosen dataset's own settings (its noise) on the controls: the dataset box's on_change,
    and once when the page opens, where a value the link gives wins (``keep_link_values``)."""
    dataset = st.session_state.get(DATASET.key, DATASET.default)
    for key, value in training.dataset_defaults(dataset).items():
        if not (keep_link_values and key in st.query_params):
            st.session_state[key] = value
    st.session_state["_dataset_defaults_applied"] = True


def load_preset():
    """Put the chosen book chapter's settings on the controls (the preset box's on_change)."""
    put_on_controls(training.preset(st.session_state["preset"]))


def put_on_controls(settings):
    """Set every control to ``settings`` (in a callback, before the widgets are made)."""
    for control in CONTROLS:
        if not hasattr(settings, control.key):
            continue                              # a view option, not a setting
        value = getattr(settings, control.key)
        if control.key == "hidden":
            value = ",".join(map(str, value)) or "0"
        elif control.kind == "multi":
            value = list(value)
        st.session_state[control.key] = value


def checked_setting(control, value):
    """A setting read from a file, checked as a link's value is (ValueError when it is not valid)."""
    if control.kind == "layers":
        return control.parse(",".join(str(int(v)) for v in value) or "0")
    if control.kind == "multi":
        return control.parse([str(v) for v in value])
    if control.kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(value)
        return value
    return control.parse(str(value))


def learning_rate_slider():
    """The learning rate on a log scale: 1, 2, 5 times each power of ten from 1e-6 to 10. A value from the
    link (or typed earlier) joins the scale as it is, so any positive number is kept, never snapped."""
    grid = sorted({round(m * 10.0 ** e, 12) for e in range(-6, 2) for m in (1, 2, 5) if m * 10.0 ** e <= 10})
    extra = []
    for raw in (st.query_params.get(LR.key), st.session_state.get(LR.key)):
        try:
            value = LR.parse(str(raw)) if raw is not None else None
        except ValueError:
            value = None
        if value is not None:
            extra.append(value)
    options = sorted(set(grid) | set(extra))
    return st.select_slider(LR.label, options=options, value=LR.default, key=LR.key, bind="query-params",
                            format_func=lambda v: f"{v:g}",
                            help="A log scale: each step multiplies the rate by about 2. Decay divides it by "
                                 "1 + decay × step.")


def settings_panel():
    """The controls, read into a Settings (None when the hidden layers do not parse)."""
    st.selectbox("Start from the book", list(training.PRESETS), index=None, key="preset", on_change=load_preset,
                 placeholder="Choose a chapter's setup…",
                 help="Sets every control to the settings of that chapter's code.")
    dataset = widgets.dropdown(DATASET, help="'upload' trains on a CSV file of your own; 'your own points' on "
                                             "points you place with clicks. Choosing one sets its own noise.",
                             on_change=apply_dataset_defaults)
    if not st.session_state.get("_dataset_defaults_applied"):
        apply_dataset_defaults(keep_link_values=True)      # before the controls it sets are made
    uploaded, upload_id = upload_panel() if dataset == "upload" else (None, "")
    seed_from_link(POINTS)                                 # your own points, from the link (checked) once
    own = dataset == training.DRAWN
    points_task = widgets.choice(POINTS_TASK) if own else DEFAULTS.points_task
    drawn = dataset not in ("digits", "upload", training.DRAWN)
    samples = widgets.number(SAMPLES, 10) if drawn else DEFAULTS.samples
    classes = (widgets.slider(CLASSES, 1) if dataset in training.MULTICLASS and points_task == "classes"
               else DEFAULTS.classes if own else 2)
    noise = widgets.slider(NOISE, 0.01) if drawn else 0.0
    val_split = widgets.slider(VAL_SPLIT, 0.05, help=VAL_SPLIT_HELP)
    val_samples, val_fixed = DEFAULTS.val_samples, DEFAULTS.val_fixed
    if drawn and not val_split:
        val_samples = widgets.number(VAL_SAMPLES, 10)
        val_fixed = widgets.toggle(VAL_FIXED, help="Off, the book's way: the validation set is drawn from the seed's "
                                                   "stream after the network's weights, so a network of another "
                                                   "size gets other points. On: drawn from a stream of its own, so "
                                                   "networks are compared on the same points.")
    seed = widgets.number(SEED, 1)
    features = DEFAULTS.features
    if dataset in training.TWO_D and points_task == "classes":
        features = tuple(widgets.multi(FEATURES, help="What the first layer sees: the coordinates, or shapes made "
                                                       "from them (x1² + x2² is a circle's equation)."))
        if not features:
            st.error("Choose at least one input feature.", icon=":material/error:")
    st.divider()
    hidden_text = st.text_input(HIDDEN.label, value=HIDDEN.default, key=HIDDEN.key, bind="query-params",
                                help="For example 64, or 16, 16 for two layers of 16.")
    try:
        hidden = parse_layers(hidden_text, int(HIDDEN.low), int(HIDDEN.high))
    except ValueError as error:
        st.error(f"Hidden layers: {error}.", icon=":material/error:")
        hidden = None
    activation = widgets.dropdown(ACTIVATION)
    optimizer = widgets.dropdown(OPTIMIZER)
    lr = learning_rate_slider()
    decay = widgets.number(DECAY, 1e-7, format="%g")
    momentum = widgets.slider(MOMENTUM, 0.01) if optimizer == "SGD" else DEFAULTS.momentum
    batch_size = widgets.number(BATCH, 1)
    epochs = widgets.number(EPOCHS, 100)
    l1 = widgets.number(L1, 1e-5, format="%g", help="Applied to the hidden layers' weights and biases alike.")
    l2 = widgets.number(L2, 1e-5, format="%g", help="Applied to the hidden layers' weights and biases alike.")
    dropout = widgets.slider(DROPOUT, 0.05)
    init_scale = widgets.number(INIT, 0.01, format="%g")
    book_precision = widgets.toggle(BOOK_PRECISION, help="On, each layer multiplies in float64 and stores float32, "
                                                         "as the book's nnfs.init() makes numpy do: the book's "
                                                         "numbers to the digit, at some cost in speed. Off: "
                                                         "float32 throughout, a little faster; the numbers drift "
                                                         "from the book's in the last digits, then further.")
    loss = widgets.choice(LOSS) if dataset == "sine" else DEFAULTS.loss
    if hidden is None or not features or (dataset == "upload" and uploaded is None):
        return None, None
    return training.Settings(dataset=dataset, samples=samples, classes=classes, noise=noise, val_split=val_split,
                             val_samples=val_samples, val_fixed=val_fixed, seed=seed,
                             hidden=hidden, activation=activation, optimizer=optimizer, lr=lr,
                             decay=decay, momentum=momentum, batch_size=batch_size, epochs=epochs, l1=l1, l2=l2,
                             dropout=dropout, init_scale=init_scale, loss=loss, book_precision=book_precision,
                             features=features,
                             upload=upload_id, points_task=points_task), uploaded


def parsed_upload(file):
    """The uploaded file's table, or the CsvError that refused it: parsed once per file and kept in the
    session, since every rerun of the page (a moved slider) would otherwise parse up to 5 MB again."""
    kept = st.session_state.get("csv_parsed")
    if kept is None or kept[0] != file.file_id:
        try:
            table = csv_data.parse_csv(file.getvalue())
        except csv_data.CsvError as error:
            table = error
        kept = st.session_state["csv_parsed"] = (file.file_id, table)
    return kept[1]


def readable_size(size):
    """A file's size as a learner reads it: '612 bytes', '48.2 KB', '4.7 MB' (of 1,024)."""
    if size < 1024:
        return count(size, "byte")
    return f"{size / 1024:.1f} KB" if size < 1024 ** 2 else f"{size / 1024 ** 2:.1f} MB"


def upload_panel():
    """A CSV of the learner's own: the file, a preview, which column to predict and how. Returns
    (checked arrays or None, an identity string that changes when any of them changes)."""
    limit = f"{csv_data.MAX_BYTES // 2**20} MB"
    file = st.file_uploader(f"Your CSV file (at most {limit})", type=["csv"], key="csv_upload",
                            max_upload_size=csv_data.UPLOAD_LIMIT_MB,
                            help=f"Numbers, one sample per row, a header row optional; at most "
                                 f"{csv_data.MAX_ROWS:,} rows, {csv_data.MAX_COLUMNS:,} columns and {limit}.")
    if file is None:
        st.info(f"Upload a CSV file of at most {limit} ({csv_data.MAX_ROWS:,} rows, {csv_data.MAX_COLUMNS:,} "
                "columns): feature columns and one column to predict.", icon=":material/upload_file:")
        return None, ""
    # A file over the uploader's own limit never reaches the page: the browser marks it in red (on a phone,
    # with no words) and the last good file stays in use, so the page says which file it uses and why.
    st.caption(f"Using {file.name} ({readable_size(file.size)}). A file marked in red above was refused by the "
               f"browser (over {csv_data.UPLOAD_LIMIT_MB} MB) and is not used: this page takes {limit} at most, so "
               "keep fewer rows or columns.")
    table = parsed_upload(file)
    if isinstance(table, csv_data.CsvError):
        st.error(f"That CSV file cannot be used: {table}.", icon=":material/error:")
        return None, ""
    st.caption(f"{count(table.rows, 'row')}, {count(len(table.columns), 'column')}"
               + ("" if table.had_header else " (no header row: columns named x1, x2, … and label)") + ":")
    st.dataframe(table.frame.head(8), height=180)
    columns = list(table.columns)
    target = st.selectbox("Column to predict", columns, index=columns.index(csv_data.guess_target(table)),
                          key="csv_target")
    task = st.radio("Task", csv_data.TASKS, horizontal=True, key="csv_task",
                    help="Classification predicts one of a few labels; regression predicts a number.")
    try:
        X, y, info = csv_data.prepare(table, target, task)
    except csv_data.CsvError as error:
        st.error(f"That CSV file cannot be used: {error}.", icon=":material/error:")
        return None, ""
    uploaded = training.Uploaded(X, y, task, tuple(info["classes"] or ()))
    return uploaded, f"{file.file_id}:{target}:{task}"
