"""The Backpropagation page's whole-network walk: one sample, picked on the data plot or by its
index, forward and backward through the book's small network or the learner's Training model,
one operation at a time. The math is nnengine/lessons/walk.py; the drawing ui/walk_chart.py; the
views after the walk (update, batch, the book's chapter 9 numbers, questions) ui/walk_views.py.
"""

from urllib.parse import parse_qsl, urlencode

import numpy as np
import streamlit as st

from nnengine.lessons import walk as lesson
from ui import charts, state, walk_chart, walk_views, widgets
from ui.state import Control

DEFAULT_SAMPLE = 54          # the book's network: away from the origin, one hidden ReLU on and others off
SOURCE = Control("walk_model", "Network", "book", "choice", options=("book", "training"))
HIDDEN = Control("walk_hidden", "Hidden ReLU neurons", "3", "choice", options=("3", "4"))
TRAINED = Control("walk_trained", "Trained first (epochs of chapter 10's Adam)", "0", "choice",
                  options=("0", "100", "1000"))
SAMPLE = Control("walk_sample", "Sample index", DEFAULT_SAMPLE, "int", 0, 99_999)
STEP = Control("walk_step", "Operations done", 99, "int", 0, 99)
RATE = Control("walk_lr", "Learning rate of the update", 1.0, "float", 0.001, 10.0)
BATCH = Control("walk_batch", "Samples in the batch", 3, "int", 2, 5)
CONTROLS = (SOURCE, HIDDEN, TRAINED, SAMPLE, STEP, RATE, BATCH)
FOLLOW = "walk_follow"                   # session: the Training model to follow
LINK_SETTINGS, LINK_EPOCHS = "walk_training", "walk_epochs"     # a shared link's Training settings


@st.cache_data(show_spinner="Training the book's network…", max_entries=16)
def book_network(hidden, trained):
    return lesson.book_network(hidden=int(hidden), trained_epochs=int(trained))


# ---- following a Training model -------------------------------------------------------------------


def settings_from_query(query):
    """The Training page's Settings from its share query (the Training controls' own checks); raises
    ValueError naming what is wrong."""
    from ui import training
    from ui.training_controls import CONTROLS as TRAINING_CONTROLS

    by_key = {c.key: c for c in TRAINING_CONTROLS}
    values = {}
    for key, raw in parse_qsl(query, keep_blank_values=True):
        control = by_key.get(key)
        if control is None or not hasattr(training.Settings(), key):
            continue
        value = control.parse(raw.split(",") if control.kind == "multi" else raw)
        values[key] = tuple(value) if control.kind == "multi" else value
    if values.get("dataset") == "upload":
        raise ValueError("an uploaded CSV cannot travel in a link")
    return training.Settings(**values)


@st.cache_data(show_spinner="Rebuilding the Training page's model from the link…", max_entries=8)
def model_from_link(query, epochs):
    """The Training model a link describes: built from its settings and seed, then trained for the
    link's epochs exactly as the Training page trains (full-batch runs give the same weights)."""
    from ui import training

    settings = settings_from_query(query)
    setup = training.build(settings)
    if epochs:
        setup.model.fit(setup.X, setup.y, epochs=int(epochs), **training.fit_kwargs(settings, setup))
    return setup.model, setup.X, setup.y, setup.raw


MOST_LINK_EPOCHS = 2000


def followed():
    """The Training model to walk through: (model, X, y, 2-D points or None, a sentence on where it comes
    from), from the session or from a shared link; None when there is none; a str when the link is bad."""
    kept = st.session_state.get(FOLLOW)
    query = st.query_params.get(LINK_SETTINGS)
    if kept is not None and (query is None or query == kept["query"]):
        return (kept["model"], kept["X"], kept["y"], kept["raw"],
                f"your Training model after {kept['epochs']:,} epochs (taken when you pressed Follow)")
    if query is None:
        return None
    try:
        epochs = int(st.query_params.get(LINK_EPOCHS, "0"))
        if not 0 <= epochs <= MOST_LINK_EPOCHS:
            raise ValueError(f"the link asks for {epochs} epochs; it can rebuild at most {MOST_LINK_EPOCHS:,}")
        model, X, y, raw = model_from_link(query, epochs)
    except ValueError as error:
        return f"The link's Training settings cannot be used ({error}), so the walk shows the book's network."
    return model, X, y, raw, f"the Training model the link describes, rebuilt and trained for {epochs:,} epochs"


def follow_control(run, settings, query):
    """The Training page's "Follow a point" control: pick a sample, open the walk with this model.
    ``query``: the Training page's share query (its settings)."""
    setup = run["setup"]
    n = len(setup.X)
    cols = st.columns([1, 2], vertical_alignment="bottom")
    index = cols[0].number_input("Sample to follow", 0, n - 1, min(lesson.default_sample(setup.X, setup.model), n - 1),
                                 1, key="follow_sample", help=f"A training sample, 0 to {n - 1}.")
    if cols[1].button("Follow it on the Backpropagation page", icon=":material/undo:", key="follow_point"):
        epochs = setup.model.epochs_done
        st.session_state[FOLLOW] = {"model": lesson.as_float64(setup.model), "X": setup.X, "y": setup.y,
                                    "raw": setup.raw, "epochs": epochs, "query": query}
        st.session_state[SOURCE.key] = "training"
        st.session_state[SAMPLE.key] = int(index)
        st.session_state[STEP.key] = STEP.high
        st.switch_page("app_pages/backprop.py", query_params={
            SOURCE.key: "training", SAMPLE.key: str(int(index)), LINK_SETTINGS: query, LINK_EPOCHS: str(epochs)})


def follow_link(query, epochs, index):
    """The address part that opens the walk on a Training model (for the share box)."""
    return urlencode({SOURCE.key: "training", SAMPLE.key: index, LINK_SETTINGS: query, LINK_EPOCHS: epochs})


# ---- the section ------------------------------------------------------------------------------------


PICK = "walk_pick"


def pick():
    """The data plot's on_select: the clicked point's index becomes the sample."""
    event = st.session_state.get(PICK)
    chosen = (event or {}).get("selection", {}).get("pick") or []
    if chosen:
        st.session_state[SAMPLE.key] = int(chosen[0]["index"])


def move(by, total):
    """Back / Next: one operation either way."""
    st.session_state[STEP.key] = int(np.clip(min(st.session_state.get(STEP.key, total), total) + by, 0, total))


def network():
    """(model, X, y, 2-D points or None, where it comes from) for the chosen network."""
    source = "book"
    if st.session_state.get(FOLLOW) or LINK_SETTINGS in st.query_params:
        source = widgets.choice(SOURCE, help="The book's chapter 9 network, or the model you trained on the Training "
                                             "page (its *Follow it on the Backpropagation page* button).")
    if source == "training":
        found = followed()
        if isinstance(found, tuple):
            return found
        st.info(found or "No Training model to follow yet: train one on the Training page and press *Follow it on "
                         "the Backpropagation page*. Meanwhile, the book's network.", icon=":material/info:")
    hidden = widgets.choice(HIDDEN, help="3 is the book's chapter 9 network, with the book's weights.")
    trained = widgets.choice(TRAINED, help="0: the book's untrained network, every probability near 1/3.")
    X, y, model = book_network(hidden, trained)
    where = (f"the book's 2-{hidden}-3 network" + (", untrained, as in chapter 9" if trained == "0"
                                                    else f", after {trained} epochs of Adam"))
    return model, X, y, X, where


@st.fragment
def walk_section():
    st.subheader("One sample through the whole network")
    st.markdown("Pick a sample (click it on the data, or type its index) and follow it: forward through every "
                "operation to the loss, then backward, each layer turning the gradient it receives into its "
                "weights' gradients and the gradient it passes on. Every number is nnengine's own, for this one "
                "sample.")
    for control, raw in state.check_link([c for c in CONTROLS if c is not STEP]):
        st.warning(state.notice(control, raw, None), icon=":material/link_off:")
    left, right = st.columns([2, 3], gap="large")
    with left:
        model, X, y, raw, where = network()
        index = widgets.number(SAMPLE, 1, help=f"0 to {len(X) - 1}.")
        if not 0 <= index < len(X):
            st.error(f"There is no sample {index}: the data has {len(X)} samples, 0 to {len(X) - 1}. The walk "
                     f"shows sample {lesson.default_sample(X, model)}.", icon=":material/error:")
            index = lesson.default_sample(X, model)
        if raw is not None or np.asarray(X).shape[1] == 1:
            points = raw if raw is not None else X
            classes = ([str(c) for c in range(max(model.n_outputs, 2))] if model.task != "regression" else ["data"])
            chart = walk_chart.samples_chart(walk_chart.sample_rows(points, y, model.task), index, classes,
                                             titles=("x1", "x2") if points.shape[1] > 1 else ("x", "y"))
            st.vega_lite_chart(charts.to_spec(chart), width="stretch", on_select=pick, key=PICK,
                               selection_mode="pick")
            st.caption(f"The data, {len(X)} samples; sample {index} ringed. Click a point to walk it through.")
    w = lesson.walk(model, X, y, index)
    total = len(w.steps)
    if st.session_state.get(STEP.key, total) > total:
        st.session_state[STEP.key] = total
    with right:
        st.markdown(f"**Sample {index}** of {where}: inputs {walk_views.vector(w.x[0])}, "
                    f"{walk_views.target_phrase(w)}.")
        done = st.slider(STEP.label, 0, total, total, 1, key=STEP.key, bind="query-params",
                         help=f"{total} operations: forward to the loss, then backward.")
        buttons = st.container(horizontal=True)
        buttons.button("Back", icon=":material/skip_previous:", key="walk_back", on_click=move, args=(-1, total),
                       disabled=done == 0)
        buttons.button("Next", icon=":material/skip_next:", key="walk_next", on_click=move, args=(1, total),
                       disabled=done == total)
        walk_views.drawing(w, done)
    walk_views.after_the_walk(w, done, X, y, model, where)
