"""Training: choose data, a network and an optimizer, train it live, and watch it learn."""

import io
import threading
import time

import numpy as np
import pandas as pd
import streamlit as st

import nnengine as nn
from ui import charts, csv_data, layout, training, widgets
from ui.source import show_code
from ui.state import Control, parse_layers

DEFAULTS = training.Settings()
DATASET = Control("dataset", "Dataset", DEFAULTS.dataset, "choice", options=training.DATASETS)
SAMPLES = Control("samples", "Samples per class (sine: points in all)", DEFAULTS.samples, "int", 10, 1000)
CLASSES = Control("classes", "Classes", DEFAULTS.classes, "int", 2, 5)
NOISE = Control("noise", "Noise", DEFAULTS.noise, "float", 0.0, 0.5)
VAL_SPLIT = Control("val_split", "Validation share (0: a fresh set, the book's way)", DEFAULTS.val_split,
                    "float", 0.0, 0.5)
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
LOSS = Control("loss", "Regression loss", DEFAULTS.loss, "choice", options=("MSE", "MAE"))
FEATURES = Control("features", "Input features", DEFAULTS.features, "multi", options=tuple(nn.datasets.FEATURES))
SHOW_VAL = Control("show_val", "Show the validation data", True, "bool")
DISCRETE = Control("discrete", "Discretize the output", False, "bool")
COMPARE = Control("compare", "Keep the previous run's loss on the chart", True, "bool")
CONTROLS = [DATASET, SAMPLES, CLASSES, NOISE, VAL_SPLIT, SEED, FEATURES, HIDDEN, ACTIVATION, OPTIMIZER, LR, DECAY,
            MOMENTUM, BATCH, EPOCHS, L1, L2, DROPOUT, INIT, LOSS, SHOW_VAL, DISCRETE, COMPARE]
CURVE_COLOURS = {"training loss": charts.POSITIVE, "training accuracy": charts.CLASS_COLOURS[1],
                 "validation loss": charts.POSITIVE, "validation accuracy": charts.CLASS_COLOURS[1],
                 "previous run: training loss": charts.NEUTRAL, "previous run: validation loss": charts.NEUTRAL}
CHUNK = 0.4               # seconds of training in one run of the training area (Stop waits at most this)
CHUNK_GAP = 0.02          # seconds between those runs while training (the fragment's run_every)


def load_preset():
    """Put the chosen book chapter's settings on the controls (the preset box's on_change)."""
    chosen = training.preset(st.session_state["preset"])
    for control in CONTROLS:
        if not hasattr(chosen, control.key):
            continue                              # a view option, not a setting
        value = getattr(chosen, control.key)
        if control.key == "hidden":
            value = ",".join(map(str, value)) or "0"
        elif control.kind == "multi":
            value = list(value)
        st.session_state[control.key] = value


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
    dataset = widgets.dropdown(DATASET, help="'upload' trains on a CSV file of your own.")
    uploaded, upload_id = upload_panel() if dataset == "upload" else (None, "")
    drawn = dataset not in ("digits", "upload")
    samples = widgets.number(SAMPLES, 10) if drawn else DEFAULTS.samples
    classes = widgets.slider(CLASSES, 1) if dataset in training.MULTICLASS else 2
    noise = widgets.slider(NOISE, 0.01) if drawn else 0.0
    val_split = widgets.slider(VAL_SPLIT, 0.05, help="Digits always hold out a share: 0.2 when 0 is chosen.")
    seed = widgets.number(SEED, 1)
    features = DEFAULTS.features
    if dataset in training.TWO_D:
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
    loss = widgets.choice(LOSS) if dataset == "sine" else DEFAULTS.loss
    if hidden is None or not features or (dataset == "upload" and uploaded is None):
        return None, None
    return training.Settings(dataset=dataset, samples=samples, classes=classes, noise=noise, val_split=val_split,
                             seed=seed, hidden=hidden, activation=activation, optimizer=optimizer, lr=lr,
                             decay=decay, momentum=momentum, batch_size=batch_size, epochs=epochs, l1=l1, l2=l2,
                             dropout=dropout, init_scale=init_scale, loss=loss, features=features,
                             upload=upload_id), uploaded


def upload_panel():
    """A CSV of the learner's own: the file, a preview, which column to predict and how. Returns
    (checked arrays or None, an identity string that changes when any of them changes)."""
    file = st.file_uploader("Your CSV file", type=["csv"], key="csv_upload",
                            help=f"Numbers, one sample per row, a header row optional; at most "
                                 f"{csv_data.MAX_ROWS:,} rows, {csv_data.MAX_COLUMNS:,} columns and "
                                 f"{csv_data.MAX_BYTES // 2**20} MB.")
    if file is None:
        st.info("Upload a CSV file: feature columns and one column to predict.", icon=":material/upload_file:")
        return None, ""
    try:
        table = csv_data.parse_csv(file.getvalue())
    except csv_data.CsvError as error:
        st.error(str(error), icon=":material/error:")
        return None, ""
    st.caption(f"{table.rows:,} rows, {len(table.columns)} columns"
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
        st.error(str(error), icon=":material/error:")
        return None, ""
    uploaded = training.Uploaded(X, y, task, tuple(info["classes"] or ()))
    return uploaded, f"{file.file_id}:{target}:{task}"


def task_sentence(setup, settings):
    if setup.task == "classification":
        return f"{setup.model.n_outputs} classes: softmax outputs with categorical cross-entropy."
    if setup.task == "binary":
        return "two classes: one sigmoid output with binary cross-entropy."
    return f"regression: a linear output with {'mean absolute' if settings.loss == 'MAE' else 'mean squared'} error."


def draw(run, settings, places, live=False):
    """Redraw the progress line, the curves and the model's picture from the current model (lighter
    while training: fewer curve points and a coarser boundary grid)."""
    setup, records = run["setup"], run["setup"].model.history.records
    done = setup.model.epochs_done
    places["progress"].progress(min(done / run["limit"], 1.0),
                                text=f"epoch {done} of {run['limit']}" + (
                                    f" · loss {records[-1]['loss']:.4f} · accuracy {records[-1]['accuracy']:.3f} · "
                                    f"learning rate {records[-1]['learning_rate']:.4g}" if records else ""))
    previous = st.session_state.get("previous_curves") if st.session_state.get(COMPARE.key, True) else None
    if records or previous:
        rows = training.history_rows(records, max_points=200 if live else 400) + (previous or [])
        places["curves"].vega_lite_chart(charts.to_spec(charts.lines_chart(
            pd.DataFrame(rows), "epoch", "value", "curve", "epoch", "loss and accuracy",
            dashed=("validation loss", "validation accuracy", "previous run: validation loss"),
            colours=[CURVE_COLOURS[name] for name in dict.fromkeys(row["curve"] for row in rows)],
            height=240)), width="stretch")
    if setup.raw is not None:
        resolution = min(30, training.grid_resolution(setup)) if live else training.grid_resolution(setup)
        cells, points = training.boundary_rows(setup, settings, resolution=resolution,
                                               validation=st.session_state.get(SHOW_VAL.key, True),
                                               discrete=st.session_state.get(DISCRETE.key, False))
        classes = max(setup.model.n_outputs, 2)
        places["picture"].vega_lite_chart(charts.to_spec(charts.boundary_chart(cells, points, classes)),
                                          width="stretch")
    elif setup.task == "regression" and settings.dataset == "sine":
        order = np.argsort(setup.X[:, 0])
        x = setup.X[order, 0]
        curve = pd.concat([pd.DataFrame({"x": x, "y": setup.y[order, 0], "curve": "data"}),
                           pd.DataFrame({"x": x, "y": setup.model.predict(setup.X[order])[:, 0], "curve": "model"})])
        places["picture"].vega_lite_chart(charts.to_spec(charts.lines_chart(
            curve, "x", "y", "curve", "x", "y", colours=[charts.NEUTRAL, charts.POSITIVE])), width="stretch")
    elif setup.task == "regression":
        truth = setup.y_val[:, 0]
        table = pd.DataFrame({"true": truth, "predicted": setup.model.predict(setup.X_val)[:, 0], "line": truth})
        places["picture"].vega_lite_chart(charts.to_spec(charts.residuals_chart(
            table, "true", "predicted", "line", "true value", "predicted value")), width="stretch")
    else:
        output = setup.model.predict(setup.X_val)
        predicted = (output[:, 0] > 0.5).astype(int) if setup.task == "binary" else output.argmax(axis=1)
        k = max(setup.model.n_outputs, 2)
        counts = np.zeros((k, k))
        np.add.at(counts, (setup.y_val.reshape(-1).astype(int), predicted), 1)
        names = [str(c) for c in (uploaded_classes(settings) or range(k))]
        places["picture"].vega_lite_chart(charts.to_spec(charts.matrix_heatmap(
            counts, names, names, cell=40 if k <= 10 else 28,
            title="Validation samples: true class (rows) against predicted class (columns)")), width="stretch")


@st.cache_data(ttl=3600, show_spinner=False)
def seconds_per_unit():
    """This machine's speed, timed once an hour (the estimate of a run's cost multiplies it)."""
    return training.calibrate()


def uploaded_classes(settings):
    """The original labels of an uploaded CSV's classes (None for other datasets)."""
    run = st.session_state.get("training_run")
    return run.get("classes") if run and settings.dataset == "upload" else None


def command(name):
    """A button's on_click: remember what was asked. Every button click reruns the whole page,
    and a new run interrupts a training in progress at its next redraw: that is how Stop works."""
    st.session_state["training_command"] = name


def trainer(settings, uploaded=None):
    """The training area is a fragment, so training and its live charts rerun only this part of the page.
    While a run trains, the fragment reruns itself every CHUNK_GAP seconds (run_every) and trains for
    about CHUNK seconds each time: between chunks a click on Stop, or on anything else, gets its turn,
    and no run of the page ever waits long for another."""
    run = st.session_state.get("training_run")
    ticking = bool(run and run["settings"] == settings and run["running"])
    st.fragment(training_area, run_every=CHUNK_GAP if ticking else None)(settings, uploaded, ticking)


def current_run(settings, uploaded):
    """The session's run for these settings: kept while they stay the same, built afresh when they change."""
    run = st.session_state.get("training_run")
    if run is not None and run["settings"] != settings:
        remember_previous(run)
    if run is None or run["settings"] != settings:
        run = st.session_state["training_run"] = {"settings": settings,
                                                  "classes": uploaded.classes if uploaded else None,
                                                  "setup": training.build(settings, uploaded),
                                                  "running": False, "message": None}
    return run


def training_area(settings, uploaded, ticking):
    # Each run of this area takes a new generation number. A chunk still going on in an older run (Streamlit
    # may start this run before that one has finished) sees the newer number at its next epoch and stops there;
    # the lock makes this run wait until it has.
    control = st.session_state.setdefault("training_control", {"generation": 0, "lock": threading.Lock()})
    control["generation"] += 1
    generation = control["generation"]
    if not control["lock"].acquire(timeout=5):
        st.warning("The previous training is still stopping; press Train again in a moment.",
                   icon=":material/hourglass:")
        return
    try:
        train_and_draw(settings, uploaded, ticking, control, generation)
    finally:
        control["lock"].release()


def train_and_draw(settings, uploaded, ticking, control, generation):
    run = current_run(settings, uploaded)
    setup = run["setup"]
    # Work is bounded: a run estimated to take much longer than LIMIT_SECONDS trains only the epochs that fit.
    cap = training.epoch_cap(setup, settings, seconds_per_unit())
    run["limit"] = min(settings.epochs, cap)
    if cap < settings.epochs:
        estimate = training.estimate_seconds(setup, settings, seconds_per_unit())
        st.warning(f"{settings.epochs:,} epochs of this network on this data would take about {estimate:,.0f} s; "
                   f"the page trains at most {cap:,} of them (about {training.LIMIT_SECONDS:.0f} s). Fewer epochs, "
                   "neurons or samples make the whole run fit.", icon=":material/timer:")
    st.caption(f"{setup.model.count_parameters():,} parameters · {len(setup.X):,} training and "
               f"{len(setup.X_val):,} validation samples · {task_sentence(setup, settings)}")
    buttons = st.container(horizontal=True)
    buttons.button("Train", icon=":material/play_arrow:", type="primary", key="train", on_click=command,
                   args=("train",))
    buttons.button("Stop", icon=":material/stop:", key="stop", on_click=command, args=("stop",))
    buttons.button("Step", icon=":material/skip_next:", key="step_epoch", help="Train one epoch.", on_click=command,
                   args=("step",))
    buttons.button("Reset", icon=":material/restart_alt:", key="reset_model", on_click=command, args=("reset",),
                   help="New weights from the seed; the history is cleared.")
    asked = st.session_state.pop("training_command", None)
    places = {"progress": st.empty(), "message": st.empty(), "curves": st.empty(), "picture": st.empty()}
    if asked == "reset":
        remember_previous(run)
        run.update(setup=training.build(settings, uploaded), running=False, message=None)
        setup = run["setup"]
    elif asked == "stop":
        run["running"] = False
    elif asked == "train":
        run["running"], run["message"] = True, None
    epochs_left = run["limit"] - setup.model.epochs_done
    if asked == "step" or (run["running"] and epochs_left > 0):
        started = time.perf_counter()

        def chunk(record):
            # Between steps only: end this chunk when its time is up, or when a newer run has started.
            return control["generation"] == generation and time.perf_counter() - started < CHUNK

        try:
            setup.model.fit(setup.X, setup.y, epochs=1 if asked == "step" else epochs_left, callback=chunk,
                            validation_freq=max(1, settings.epochs // 200), **training.fit_kwargs(settings, setup))
        except nn.TrainingDiverged as error:
            run["message"] = (f"Training stopped at epoch {error.epoch}: the loss became {error.loss}. The model "
                              "keeps its last weights whose loss was finite. Lower the learning rate and press "
                              "Reset to start again.")
            run["running"] = False
    if run["running"] and setup.model.epochs_done >= run["limit"]:
        run["running"] = False
    if run["message"]:
        places["message"].error(run["message"], icon=":material/error:")
    draw(run, settings, places, live=run["running"])
    if run["running"] != ticking:
        st.rerun()          # the whole page again, so the fragment starts (or stops) rerunning itself
    if run["running"]:
        st.caption("Training… the network, neuron maps and downloads appear when it stops.")
        return
    views = st.container(horizontal=True)
    with views:
        if setup.raw is not None:
            widgets.toggle(SHOW_VAL, help="Draw the validation points (triangles) over the boundary.")
            widgets.toggle(DISCRETE, help="Colour each cell by its predicted class alone, without the shading "
                                          "that shows how sure the model is.")
        widgets.toggle(COMPARE, help="After Reset or a change of settings, the last run's losses stay in grey.")
    inside_views(setup, settings)
    keep_and_share(run, setup)


def remember_previous(run):
    """Keep a finished run's losses (thinned) to draw in grey beside the next run."""
    records = run["setup"].model.history.records
    if records:
        rows = [row for row in training.history_rows(records) if row["curve"].endswith("loss")]
        st.session_state["previous_curves"] = [{**row, "curve": "previous run: " + row["curve"]} for row in rows]


def inside_views(setup, settings):
    """The network with its real weights, and what each first-layer neuron has learned (drawn
    between trainings, not during them, so they cost training nothing)."""
    sizes = [setup.model.n_inputs] + [d.n_neurons for d in setup.model.dense_layers]
    names = ["The network", "Neurons of the first hidden layer"] + (["Misread digits"] if settings.dataset == "digits"
                                                                     else [])
    tabs = st.tabs(names)
    if settings.dataset == "digits":
        with tabs[2]:
            rows, wrong, checked = training.misclassified_rows(setup)
            if rows:
                layout.chart(charts.images_chart(rows),
                             f"The model misreads {wrong} of {checked} validation images; here are the first "
                             f"{min(wrong, 12)}, each titled with the true digit and the model's reading.")
            else:
                st.caption(f"The model reads all {checked} validation images correctly.")
    with tabs[0]:
        if max(sizes) <= 64 and sum(a * b for a, b in zip(sizes, sizes[1:])) <= 2000:
            names = ["inputs"] + [f"hidden {i}" for i in range(1, len(sizes) - 1)] + ["outputs"]
            layout.chart(charts.network_chart(sizes, weights=[d.weights for d in setup.model.dense_layers],
                                              layer_names=names, height=320),
                         f"The network, {' → '.join(map(str, sizes))}, with its current weights: a line's width "
                         "shows the weight's size, blue positive and vermillion negative.")
        else:
            st.caption(f"A network of {' → '.join(map(str, sizes))} neurons has too many connections to draw "
                       "legibly; the drawing shows networks of up to 64 neurons per layer.")
    with tabs[1]:
        if setup.raw is None or len(setup.model.layers) < 3:
            st.caption("These maps are drawn for 2-D datasets and networks with a hidden layer.")
        else:
            layout.chart(charts.neuron_maps_chart(training.neuron_rows(setup, settings)),
                         "Each square is one neuron of the first hidden layer, coloured by its output over the "
                         "input plane: the simple pieces (lines, bands) the next layers combine into the boundary.")


def keep_and_share(run, setup):
    """Download the history and the model; load a saved model back."""
    files = st.container(horizontal=True)
    records = setup.model.history.records
    if records:
        files.download_button("Download the history (CSV)", lambda: pd.DataFrame(records).to_csv(index=False),
                              file_name="history.csv", mime="text/csv", icon=":material/download:")
    saved = io.BytesIO()
    setup.model.save(saved)
    files.download_button("Download the model (.npz)", saved.getvalue(), file_name="model.npz",
                          mime="application/octet-stream", icon=":material/save:",
                          help="The engine's safe format: arrays and a JSON description, no pickle.")
    upload = st.file_uploader("Load a saved model (.npz)", type=["npz"], key="model_upload",
                              help="A model downloaded from this page, for the same dataset and features.")
    if upload is None or run.get("loaded") == upload.file_id:
        return
    run["loaded"] = upload.file_id
    try:
        model = nn.Model.load(io.BytesIO(upload.getvalue()))
    except nn.ModelFileError as error:
        st.error(f"That file cannot be loaded: {error}.", icon=":material/error:")
        return
    if model.n_inputs != setup.X.shape[1] or model.n_outputs != setup.model.n_outputs or model.task != setup.task:
        st.error(f"That model takes {model.n_inputs} inputs and gives {model.n_outputs} outputs ({model.task}); this "
                 f"dataset needs {setup.X.shape[1]} and {setup.model.n_outputs} ({setup.task}).",
                 icon=":material/error:")
        return
    setup.model = model
    st.success(f"Loaded a model with {model.count_parameters():,} parameters; its accuracy on the validation data "
               f"is {model.evaluate(setup.X_val, setup.y_val)['accuracy']:.3f}. Train carries on from its weights.",
               icon=":material/check_circle:")


layout.header("Training",
              "Put it all together: choose data, a network and an optimizer, train, and watch the loss fall and "
              "the decision boundary form.",
              "book chapters 10 to 18, from optimizers to the model object")
layout.link_notices(CONTROLS)
left, right = st.columns([1, 2], gap="large")
with left:
    chosen, uploaded = settings_panel()
with right:
    if chosen is None:
        st.info("Fix the settings on the left to build the network.", icon=":material/edit:")
    else:
        trainer(chosen, uploaded)
show_code(nn.Model.fit, training.build)
layout.toolbar(CONTROLS)
layout.predict_then_check([
    ("What training accuracy does the default run reach, and what does the book get?",
     "Press Train and wait for epoch 10000.",
     "0.967, with loss 0.083: the same numbers as the book's chapter 10, because the page draws the data and "
     "the weights from one RandomState(0) in the book's order."),
    ("Why is the validation accuracy lower than the training accuracy?",
     "Compare the two accuracy curves after training.",
     "The network has fitted the quirks of its 300 training points; fresh points from the same spiral show how "
     "well it generalises. Regularization (L2) and dropout narrow the gap."),
    ("What happens with a learning rate of 5 and SGD?",
     "Set the optimizer to SGD, the learning rate to 5 and train.",
     "Steps that large overshoot: the loss jumps around or the run diverges, and the page stops it with a "
     "message, keeping the last good weights."),
])
