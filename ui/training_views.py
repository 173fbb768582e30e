"""What the Training page draws: the progress line, the curves, the decision boundary (or the fitted
curve, or a confusion matrix), the network with its weights, the first layer's neurons, misread digits,
and the downloads and upload of models."""

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

import nnengine as nn
from ui import charts, layout, plane_charts, training, training_files, training_reproduce, training_touch, weight_edit
from ui.matrix import readable
from ui.training_controls import COMPARE, DISCRETE, SHOW_VAL

CURVE_COLOURS = {"training loss": charts.POSITIVE, "training accuracy": charts.CLASS_COLOURS[1],
                 "training data loss": charts.POSITIVE, "penalty (L1/L2)": charts.CLASS_COLOURS[2],
                 "validation loss": charts.POSITIVE, "validation accuracy": charts.CLASS_COLOURS[1],
                 "previous run: training loss": charts.NEUTRAL, "previous run: validation loss": charts.NEUTRAL}
def task_sentence(setup, settings):
    if setup.task == "classification":
        return f"{setup.model.n_outputs} classes: softmax outputs with categorical cross-entropy."
    if setup.task == "binary":
        return "two classes: one sigmoid output with binary cross-entropy."
    return f"regression: a linear output with {'mean absolute' if settings.loss == 'MAE' else 'mean squared'} error."

LIVE_GRID = 30           # while a run trains, the boundary's grid has at most LIVE_GRID x LIVE_GRID cells
LIVE_POINTS = 1000       # and at most this many data points are drawn over it


def latest(run):
    """(setup, records, epochs done, the last record) to draw: the model itself when no run trains it,
    else the training's latest snapshot (ui/trainers.py), drawn with a copy of the model."""
    setup, trainer = run["setup"], run.get("trainer")
    if trainer is None:
        records = setup.model.history.records
        return setup, records, setup.model.epochs_done, records[-1] if records else None
    shot = trainer.snapshot()
    return (dataclasses.replace(setup, model=trainer.drawing_model(shot)),
            setup.model.history.records[:shot.records], shot.epochs_done, shot.progress)


def progress_line(done, limit, last):
    """'epoch 120 of 10001 · loss … · accuracy … · learning rate …' (and the batch, in a long epoch)."""
    if last is None:
        return f"epoch {done} of {limit}"
    batch = f" · epoch {last['epoch'] + 1}: batch {last['batch']} of {last['batches']}" if "batch" in last else ""
    return f"epoch {done} of {limit}{batch} · {training.progress_numbers(last)}"


def draw(run, settings, places, live=False):
    """Redraw the progress line, the curves and the model's picture (lighter while training: fewer curve
    points and a coarser boundary grid)."""
    setup, records, done, last = latest(run)
    places["progress"].progress(min(done / run["limit"], 1.0), text=progress_line(done, run["limit"], last))
    previous = comparable_previous(setup, settings) if st.session_state.get(COMPARE.key, True) else None
    if records or previous:
        rows = training.history_rows(records, max_points=200 if live else 400) + (previous or [])
        places["curves"].vega_lite_chart(charts.to_spec(charts.lines_chart(
            pd.DataFrame(rows), "epoch", "value", "curve", "epoch", "loss and accuracy",
            dashed=("validation loss", "validation accuracy", "previous run: validation loss"),
            colours=[CURVE_COLOURS[name] for name in dict.fromkeys(row["curve"] for row in rows)],
            height=240, legend_columns=1, canvas=True)), width="stretch")
        if training_touch.owns(settings) and not len(setup.X_val):
            places["curves"].caption(training_touch.NO_VALIDATION)
    if training_touch.owns(settings):
        training_touch.plane_view(places["picture"], run, setup, settings)
    elif setup.raw is not None:
        places["picture"].vega_lite_chart(charts.to_spec(boundary_view(setup, settings, live)), width="stretch")
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
    if setup.task == "regression" and len(setup.X):
        places["picture"].caption(regression_sentence(setup))
    elif len(setup.X) or len(setup.X_val):
        # Your own points with no validation share: the table counts the training points (and says so).
        X, y, which = (setup.X_val, setup.y_val, "Validation") if len(setup.X_val) else (setup.X, setup.y, "Training")
        output = setup.model.predict(X)
        predicted = (output[:, 0] > 0.5).astype(int) if setup.task == "binary" else output.argmax(axis=1)
        k = max(setup.model.n_outputs, 2)
        counts = np.zeros((k, k))
        np.add.at(counts, (y.reshape(-1).astype(int), predicted), 1)
        names = [str(c) for c in (uploaded_classes(settings) or range(k))]
        places["picture"].vega_lite_chart(charts.to_spec(charts.matrix_heatmap(
            counts, names, names, cell=40 if k <= 10 else 28, title=f"Confusion matrix ({which.lower()})")),
            width="stretch")
        places["picture"].caption(matrix_caption(which))


def boundary_view(setup, settings, live):
    """The decision boundary under the data. While a run trains: at most LIVE_GRID x LIVE_GRID cells drawn as one
    picture, under at most LIVE_POINTS of the points, redrawn a few times a second; when it stops: every point, a
    finer grid, and a rectangle per cell that says, under the pointer, the class predicted there and how sure."""
    validation = st.session_state.get(SHOW_VAL.key, True)
    discrete = st.session_state.get(DISCRETE.key, False)
    classes = max(setup.model.n_outputs, 2)
    if not live:
        cells, points = training.boundary_rows(setup, settings, training.grid_resolution(setup), validation,
                                               discrete)
        return plane_charts.boundary_chart(cells, points, classes)
    grid = training.boundary_grid(setup, settings, min(LIVE_GRID, training.grid_resolution(setup)), discrete)
    points = training.data_points(setup, validation, most=LIVE_POINTS)
    return plane_charts.boundary_picture_chart(plane_charts.boundary_image(*grid, classes), points, classes)


def matrix_caption(which):
    """What the confusion matrix counts ('Validation' or 'Training' samples): its title is short enough for a
    phone (390 px), and the rest is said here."""
    return (f"Each row is a true class, each column the class the model predicted; a cell counts the {which.lower()} "
            "samples of that pair, so the diagonal counts the right answers.")


def regression_sentence(setup):
    """What a regression's accuracy counts, and two measures a learner can read, on the validation data."""
    m = training.regression_measures(setup)
    return (f"For a regression, accuracy is the book's: the share of predictions within std(y) / 250 = "
            f"{readable(m['precision'], 6)} of the truth, a strict bar, so it stays near 0 until the fit is "
            f"close. On the {m['on']} data the root mean squared error is {readable(m['rmse'])} (in y's units) "
            f"and R² is {readable(m['r2'], 3)} (1: a perfect fit, 0: no better than predicting the mean).")


def uploaded_classes(settings):
    """The original labels of an uploaded CSV's classes (None for other datasets)."""
    run = st.session_state.get("training_run")
    return run.get("classes") if run and settings.dataset == "upload" else None


def remember_previous(run):
    """Keep a finished run's losses (thinned) to draw in grey beside the next run, with what makes
    losses comparable: the data, the task and the loss."""
    records = run["setup"].model.history.records
    if records:
        rows = [row for row in training.history_rows(records) if row["curve"].endswith("loss")]
        st.session_state["previous_curves"] = {
            "kind": training.loss_kind(run["setup"], run["settings"]),
            "rows": [{**row, "curve": "previous run: " + row["curve"].replace(" data", "")} for row in rows]}


def comparable_previous(setup, settings):
    """The previous run's loss curves, when they measure the same thing as this run's (the same dataset,
    task and loss; an MSE curve under a cross-entropy run means nothing), cut to this run's epochs so
    they do not stretch its axis. None otherwise."""
    previous = st.session_state.get("previous_curves")
    if not previous or previous["kind"] != training.loss_kind(setup, settings):
        return None
    return [row for row in previous["rows"] if row["epoch"] < settings.epochs]


def inside_views(setup, settings):
    """The network with its real weights, and what each hidden neuron has learned (drawn between
    trainings, not during them, so they cost training nothing). The neuron maps and misread digits are
    drawn only while their tab is open: the maps' thousands of cells cost the browser seconds, and drawing
    them unseen after every run held up the run's end. The open tab is kept across runs."""
    sizes = [setup.model.n_inputs] + [d.n_neurons for d in setup.model.dense_layers]
    names = ["The network", "What the hidden neurons see"] + (["Misread digits"] if settings.dataset == "digits"
                                                               else [])
    kept = st.session_state.get(INSIDE_TAB + "_kept")
    tabs = st.tabs(names, key=INSIDE_TAB, default=kept if kept in names else None, on_change=keep_open_tab)
    if settings.dataset == "digits" and tabs[2].open:
        with tabs[2]:
            rows, wrong, checked = training.misclassified_rows(setup)
            if rows:
                layout.chart(charts.images_chart(rows),
                             f"The model misreads {wrong} of {checked} validation images; here are the first "
                             f"{min(wrong, 12)}, each titled with the true digit and the model's reading.")
            else:
                st.caption(f"The model reads all {checked} validation images correctly.")
    with tabs[0]:
        names = ["inputs"] + [f"hidden {i}" for i in range(1, len(sizes) - 1)] + ["outputs"]
        weight_edit.editor_view(setup.model, names, input_names(settings, sizes[0]))
        st.caption(f"The network, {' → '.join(map(str, sizes))}, with its current weights: a line's width shows "
                   "the weight's size, blue positive and vermillion negative. A layer too wide to draw shows its "
                   "strongest neurons and how many more it has. Click a line (a weight) or a neuron (its bias) "
                   "to set its value: the numbers and the boundary above follow at once, without training.")
    with tabs[1]:
        if not tabs[1].open:
            pass
        elif setup.raw is None or len(setup.raw) == 0 or len(setup.model.dense_layers) < 2:
            st.caption("These maps are drawn for 2-D datasets and networks with a hidden layer.")
        else:
            maps, shown = neuron_map_rows(setup, settings)
            points = [{"x1": float(a), "x2": float(b), "class": str(int(c))}
                      for (a, b), c in zip(setup.raw, setup.y.reshape(-1))]
            counts = "; ".join(f"hidden layer {layer}: {n} of {width} neurons" for layer, (n, width) in
                               enumerate(shown, start=1))
            text = (f"Each small square is one hidden neuron (L2 n5: neuron 5 of hidden layer 2), coloured by its "
                    f"output over the input plane, on one scale for all of them; click one to see it large under "
                    f"the data. Shown: {counts}. The first layer's neurons draw simple pieces (lines, bands); "
                    "each next layer combines them into the boundary.")
            figure = plane_charts.neuron_maps_chart(maps, points, max(setup.model.n_outputs, 2), description=text,
                                              diverging=min(row["activation"] for row in maps) < 0)
            st.vega_lite_chart(charts.to_spec(figure), width="content")       # its own sizes: small maps stay square
            st.caption(text)


INSIDE_TAB = "inside_tab"


def keep_open_tab():
    """Remember the open tab: its widget is not drawn while a run trains, and would forget it."""
    st.session_state[INSIDE_TAB + "_kept"] = st.session_state[INSIDE_TAB]


def input_names(settings, count):
    """What each input neuron is fed: the chosen features (x1², x1·x2, ...), a digit's pixels, sine's x;
    None when the page does not know (an uploaded table's columns are scaled numbers without names here)."""
    if settings.dataset == training.DRAWN and setup_task(settings) == "regression":
        return ["x"]
    if settings.dataset in training.TWO_D:
        return [name.replace("^2", "²").replace("*", "·") for name in settings.features]
    if settings.dataset == "digits":
        return [f"pixel {row},{col}" for row in range(8) for col in range(8)]
    return ["x"] if settings.dataset == "sine" and count == 1 else None


def setup_task(settings):
    return training.task_of(settings)


def neuron_map_rows(setup, settings, resolution=16, most=16):
    """What each hidden neuron responds to: its output over a resolution x resolution grid of the input plane
    (TensorFlow Playground's little squares), for the first ``most`` neurons of every hidden layer, in order.
    Returns (rows, [(neurons shown, neurons in the layer) for each hidden layer])."""
    both = np.vstack([setup.raw, setup.raw_val])
    low, high = both.min(axis=0), both.max(axis=0)
    edges1, edges2 = np.linspace(low[0], high[0], resolution + 1), np.linspace(low[1], high[1], resolution + 1)
    cells = [(a, b, c, d) for c, d in zip(edges2[:-1], edges2[1:]) for a, b in zip(edges1[:-1], edges1[1:])]
    centres = np.array([[(a + b) / 2, (c + d) / 2] for a, b, c, d in cells], dtype=setup.raw.dtype)
    # Through the layers, prediction-style (dropout off): what enters each Dense after the first is the
    # output of a hidden layer.
    inputs = output = nn.datasets.features(centres, settings.features)
    hidden = []
    for layer in setup.model.layers:
        if isinstance(layer, nn.Dense) and output is not inputs:
            hidden.append(output)
        output = layer.forward(output, training=False)
    rows, shown = [], []
    for number, values in enumerate(hidden, start=1):
        count = min(values.shape[1], most)
        shown.append((count, values.shape[1]))
        for neuron in range(count):
            name = f"L{number} n{neuron + 1}"
            rows += [{"map": name, "layer": number, "neuron": neuron + 1, "order": number * 10_000 + neuron,
                      "x1": float(a), "x1_end": float(b), "x2": float(c), "x2_end": float(d),
                      "activation": float(values[k, neuron])} for k, (a, b, c, d) in enumerate(cells)]
    return rows, shown


def keep_and_share(run, setup):
    """Download the history and the model (with the page's settings); load a saved model back."""
    files = st.container(horizontal=True)
    records = setup.model.history.records
    if records:
        files.download_button("Download the history (CSV)", lambda: pd.DataFrame(records).to_csv(index=False),
                              file_name="history.csv", mime="text/csv", icon=":material/download:")
    # Like the CSV, the file is only written when the button is pressed, not on every rerun.
    files.download_button("Download the model (.npz)", lambda: training_files.saved_bytes(run), file_name="model.npz",
                          mime="application/octet-stream", icon=":material/save:",
                          help="The engine's safe format: arrays and a JSON description (with this page's "
                               "settings), no pickle.")
    training_files.model_upload()


# The losses this page trains each kind of output with (regression: either error).
PAGE_LOSSES = {"classification": (nn.CategoricalCrossentropy,), "binary": (nn.BinaryCrossentropy,),
               "regression": (nn.MeanSquaredError, nn.MeanAbsoluteError)}
LOSS_NAMES = {nn.CategoricalCrossentropy: "categorical cross-entropy", nn.BinaryCrossentropy: "binary cross-entropy",
              nn.MeanSquaredError: "mean squared error", nn.MeanAbsoluteError: "mean absolute error"}


def outputs_phrase(task, n):
    """What a model's last layer gives, in words: '3 softmax outputs (3 classes)'."""
    if task == "classification":
        return f"{n} softmax output{'s' * (n != 1)} ({n} classes)"
    if task == "binary":
        return "one sigmoid output (two classes)" if n == 1 else f"{n} sigmoid outputs"
    return "one number (regression)" if n == 1 else f"{n} numbers (regression)"


def model_misfit(model, setup):
    """Why a loaded model cannot take the place of this page's model, or None when it can: it
    must have weights, read as many inputs as the data has features, give the outputs the data
    needs, and use a loss this page trains that output with."""
    if not model.dense_layers:
        return "That model has no Dense layer: it has no weights to load or train."
    features = setup.X.shape[1]
    if model.n_inputs != features:
        return (f"That model takes {model.n_inputs} input{'s' * (model.n_inputs != 1)}, but this data has {features} "
                f"feature{'s' * (features != 1)}: load it with the dataset and input features it was trained on.")
    if model.task != setup.task or model.n_outputs != setup.model.n_outputs:
        return (f"That model gives {outputs_phrase(model.task, model.n_outputs)}, but this data needs "
                f"{outputs_phrase(setup.task, setup.model.n_outputs)}: load it with the dataset it was trained on.")
    if not isinstance(model.loss, PAGE_LOSSES[setup.task]):
        return (f"That model trains its {outputs_phrase(model.task, model.n_outputs)} with "
                f"{LOSS_NAMES[type(model.loss)]}, which does not fit them; this page uses "
                f"{' or '.join(LOSS_NAMES[loss] for loss in PAGE_LOSSES[setup.task])}.")
    try:
        model.check_trainable()         # e.g. a Step between layers: it loads, but could never learn
    except ValueError as refusal:
        message = str(refusal)
        return f"That model can be loaded but not trained here: {message[0].lower()}{message[1:]}."
    return None


def reproduce_view(settings, setup):
    """The script that repeats this run with nnengine alone (not for uploads: it would need the file)."""
    if settings.dataset == "upload":
        return
    with st.expander("Reproduce this run", icon=":material/terminal:"):
        script = training_reproduce.reproduce_script(settings, setup, training_touch.identity(settings))
        st.caption("A standalone script with these settings: numpy and nnengine only. Run it to get the same "
                   "final numbers as this page after the same number of epochs.")
        st.code(script, language="python", wrap_lines=True)
        st.download_button("Download the script", script, file_name="reproduce_run.py", mime="text/x-python",
                           icon=":material/download:")
