"""Your own points on the Training page: the plane to draw them on (ui/components/point_plane.py), a dataset to
start from, and how the run follows the points. The points are data, not settings: a run keeps its network
when they change, and a run that trains gets them from its next epoch on (trainers.Trainer.use_data)."""

import dataclasses

import numpy as np
import streamlit as st

import nnengine as nn
from ui import charts, drawn_points, state, training
from ui.components.point_plane import point_plane
from ui.matrix import count, readable
from ui.training_controls import DISCRETE, POINTS, SHOW_VAL

GRID = 40                  # boundary cells per side on the plane
CURVE = 120                # points on the fitted curve, for regression
NO_VALIDATION = ("No validation curves: with a Validation share of 0 every point you place trains the network, "
                 "so nothing is held out to measure it on.")
STARTS = {"classes": ("spiral", "vertical", "xor", "circles", "moons", "blobs"), "regression": ("sine",)}


def owns(settings):
    return settings is not None and settings.dataset == training.DRAWN


def identity(settings):
    """The points a run is built on (None for other datasets): a run whose points differ follows them."""
    return drawn_points.current() if owns(settings) else None


def data_for(settings, uploaded):
    """What the run trains on: for your own points, the session's points as arrays (read afresh on each run of
    the training area, which reruns by itself when the plane changes); for any other dataset ``uploaded``."""
    if not owns(settings):
        return uploaded
    regression = settings.points_task == "regression"
    X, y, _ = drawn_points.arrays(drawn_points.current(), settings.classes, regression)
    return training.Uploaded(X, y, "regression" if regression else "classification",
                             tuple(range(settings.classes)))


def follow_points(run, settings, data):
    """Give ``run`` the session's points when they changed since it was built: new data arrays, the same network
    (and, when its thread trains, the new points from its next epoch on; with no point left it stops)."""
    if not owns(settings) or run.get("points") == drawn_points.current():
        return
    fresh = training.build(settings, data)
    setup = run["setup"] = dataclasses.replace(fresh, model=run["setup"].model)
    run["points"] = drawn_points.current()
    run["edited"] = run["setup"].model.epochs_done > 0         # the points changed after training began
    validation = (setup.X_val, setup.y_val) if len(setup.X_val) else None
    run["fit"] = {**run["fit"], "validation_data": validation}
    if run.get("trainer") is not None and run["trainer"].running():
        if len(setup.X):
            run["trainer"].use_data(setup.X, setup.y, validation)
        else:
            run["trainer"].stop()


def too_few(run):
    """A message when the run has no training point to train on, else None."""
    if len(run["setup"].X):
        return None
    return ("info", "There is no training point yet: click on the plane to add some (with a Validation share, "
                    "the first points train and every few are held out), then press Train.")


def plane_data(setup, settings):
    """What the plane draws, as JSON: the points, the boundary (each cell's class and how sure the model is,
    row 0 at the bottom) or, for regression, the fitted curve."""
    regression = settings.points_task == "regression"
    limit = drawn_points.PLANE
    data = {"points": [list(p) for p in drawn_points.current()], "rev": drawn_points.revision(),
            "classes": 0 if regression else settings.classes, "share": settings.val_split,
            "limit": drawn_points.LIMIT, "max": drawn_points.MAX_POINTS, "colours": list(charts.CLASS_COLOURS),
            "grid": None, "curve": None, "curveColour": charts.NEGATIVE,
            "showValidation": bool(st.session_state.get(SHOW_VAL.key, True))}
    with np.errstate(all="ignore"):
        if regression:
            xs = np.linspace(-limit, limit, CURVE, dtype=np.float32).reshape(-1, 1)
            ys = setup.model.predict(xs)[:, 0].astype(float)
            if np.all(np.isfinite(ys)):
                data["curve"] = [[round(float(x) * 100, 2), round(y * 100, 2)] for x, y in zip(xs[:, 0], ys)]
            return data
        edges = np.linspace(-limit, limit, GRID + 1)
        mids = (edges[:-1] + edges[1:]) / 2
        centres = np.array([[a, b] for b in mids for a in mids], dtype=np.float32)   # row by row, from the bottom
        output = setup.model.predict(nn.datasets.features(centres, settings.features))
    if np.all(np.isfinite(output)):
        predicted, confidence = training.class_and_confidence(output, setup.task)
        if st.session_state.get(DISCRETE.key, False):
            confidence = np.ones_like(confidence)       # only the predicted class, no shading
        data["grid"] = {"n": GRID, "cls": predicted.astype(int).tolist(),
                        "conf": np.round(np.clip(confidence, 0, 1), 2).tolist()}
    return data


def plane_view(place, run, setup, settings):
    """The plane, with the tools to start from a dataset, and what the model makes of the points now."""
    with place:
        start_from(settings)
        problem = st.session_state.get(drawn_points.PROBLEM)
        if problem:
            st.warning(problem, icon=":material/warning:")
        point_plane(drawn_points.PLANE_KEY, plane_data(setup, settings), drawn_points.on_plane_change)
        state.sync_to_link(POINTS, drawn_points.current())
        st.caption(points_sentence(run, setup, settings))


def points_sentence(run, setup, settings):
    """The points in numbers, and the model's loss and accuracy on them as it is now (engine's evaluate)."""
    points = drawn_points.current()
    regression = settings.points_task == "regression"
    _, _, left_out = drawn_points.arrays(points, settings.classes, regression)
    text = (f"{count(len(points), 'point')} on the plane ({len(setup.X)} training, {len(setup.X_val)} validation; "
            f"at most {drawn_points.MAX_POINTS}).")
    if left_out:
        text += (f" {count(left_out, 'point')} of a class above {settings.classes - 1} "
                 "(drawn before Classes was lowered) sit out, drawn faint.")
    if len(setup.X):
        with np.errstate(all="ignore"):
            now = setup.model.evaluate(setup.X, setup.y)
        text += (f" The model as it is now, on the training points as they are now: loss {readable(now['loss'])}, "
                 f"accuracy {now['accuracy']:.3f}.")
    if run.get("edited"):
        text += (" The points changed during this run, so its curves mix data sets; Reset trains on these points "
                 "from the start (the numbers the reproduce script prints).")
    return text


def start_from(settings):
    """Put a dataset's points on the plane (drawn with this page's seed, samples, classes and noise) to add to."""
    task = settings.points_task
    row = st.container(horizontal=True, vertical_alignment="bottom")
    name = row.selectbox("Start from", STARTS[task], key=f"points_start_{task}",
                         help="Puts that dataset's points on the plane (replacing yours), drawn with the Seed "
                              "below; add and remove points from there.")
    row.button("Put its points on the plane", icon=":material/scatter_plot:", key="points_copy",
               on_click=copy_dataset, args=(settings, name))
    row.button("Empty plane", icon=":material/delete_sweep:", key="points_empty", on_click=empty_plane)
    note = st.session_state.pop("_points_note", None)
    if note:
        st.caption(note)


def copy_dataset(settings, name):
    regression = settings.points_task == "regression"
    source = dataclasses.replace(settings, dataset=name, noise=training.NOISE[name], samples=100)
    X, y = training.draw_data(source, np.random.RandomState(settings.seed))
    points, dropped = drawn_points.from_dataset(X, y.reshape(-1, 1) if regression else y, regression)
    st.session_state[drawn_points.KEY] = points
    st.session_state["_points_note"] = (
        f"The {name} data's points, rounded to hundredths" +
        (f"; {count(dropped, 'point')} outside the plane or beyond {drawn_points.MAX_POINTS} left out." if dropped
         else "."))


def empty_plane():
    st.session_state[drawn_points.KEY] = ()
