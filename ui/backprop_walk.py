"""The Backpropagation page's whole-network walk: one sample, picked on the data plot or by its
index, forward and backward through the book's small network or the learner's Training model,
one operation at a time. The math is nnengine/lessons/walk.py; the drawing ui/walk_chart.py; the
views after the walk (update, batch, the book's chapter 9 numbers, questions) ui/walk_views.py.
"""

import time
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


MEMO = "walk_memo"                       # session: this learner's recent walks, checks and batches
MEMO_SIZE = 12


def memo(key, compute):
    """``compute()`` once per ``key`` in this session (the last MEMO_SIZE kept): a step of the walk
    redraws from the same walk instead of running it and its numerical check again."""
    kept = st.session_state.setdefault(MEMO, {})
    if key not in kept:
        if len(kept) >= MEMO_SIZE:
            kept.pop(next(iter(kept)))
        kept[key] = compute()
    return kept[key]


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
    raw = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in by_key and hasattr(training.Settings(), key):
            # A multiselect travels as one parameter per item (features=x1&features=x2).
            raw[key] = raw.get(key, []) + [value] if by_key[key].kind == "multi" else value
    values = {}
    for key, value in raw.items():
        try:
            values[key] = by_key[key].parse(value)
        except ValueError:
            raise ValueError(f"its {by_key[key].label.split(' (')[0].lower()} is not valid") from None
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
        epochs = kept["epochs"]
        return (kept["model"], kept["X"], kept["y"], kept["raw"],
                f"your Training model after {epochs:,} epoch{'s' * (epochs != 1)} (taken when you pressed Follow)",
                ("session", kept["token"]))
    if query is None:
        return None
    try:
        epochs = int(st.query_params.get(LINK_EPOCHS, "0"))
        if not 0 <= epochs <= MOST_LINK_EPOCHS:
            raise ValueError(f"the link asks for {epochs} epochs; it can rebuild at most {MOST_LINK_EPOCHS:,}")
        model, X, y, raw = model_from_link(query, epochs)
    except ValueError as error:
        return f"The link's Training settings cannot be used ({error}), so the walk shows the book's network."
    return (model, X, y, raw, f"the Training model the link describes, rebuilt and trained for {epochs:,} epochs",
            ("link", query, epochs))


def follow_control(run, settings, query):
    """The Training page's "Follow a point" control: pick a sample, open the walk with this model.
    ``query``: the Training page's share query (its settings)."""
    setup = run["setup"]
    n = len(setup.X)
    if n == 0:
        return                           # your own points, none placed yet: nothing to follow
    if settings.dataset == "upload":
        st.caption("A model trained on an uploaded CSV can be followed in this session; a link cannot carry the "
                   "file.")
    cols = st.columns([1, 2], vertical_alignment="bottom")
    index = cols[0].number_input("Sample to follow", 0, n - 1, min(lesson.default_sample(setup.X, setup.model), n - 1),
                                 1, key="follow_sample", help=f"A training sample, 0 to {n - 1}.")
    if cols[1].button("Follow it on the Backpropagation page", icon=":material/undo:", key="follow_point"):
        epochs = setup.model.epochs_done
        st.session_state[FOLLOW] = {"model": lesson.as_float64(setup.model), "X": setup.X, "y": setup.y,
                                    "raw": setup.raw, "epochs": epochs, "query": query, "token": time.time_ns()}
        st.session_state[SOURCE.key] = "training"
        st.session_state[SAMPLE.key] = int(index)
        st.session_state[STEP.key] = STEP.high
        # The Training page's controls travel in the link; their widget values would otherwise meet the
        # Backpropagation page's own controls of the same name (hidden, epochs) before Streamlit clears them.
        from ui.training_controls import CONTROLS as TRAINING_CONTROLS

        for control in TRAINING_CONTROLS:
            st.session_state.pop(control.key, None)
        st.switch_page("app_pages/backprop.py", query_params={
            SOURCE.key: "training", SAMPLE.key: str(int(index)), LINK_SETTINGS: query, LINK_EPOCHS: str(epochs)})


def share_box(tag, index):
    """The address that reopens this walk: the walk's controls off their defaults and, when it follows
    a Training model, that model's settings and epochs (a link cannot carry weights: they are trained
    again from the seed)."""
    values = state.current_values(CONTROLS)
    values[SAMPLE.key] = index
    pairs = [(c.key, c.to_url(values[c.key])) for c in CONTROLS
             if values.get(c.key) is not None and not c.is_default(values[c.key])]
    if tag[0] in ("session", "link"):
        kept = st.session_state.get(FOLLOW) if tag[0] == "session" else None
        query, epochs = (kept["query"], kept["epochs"]) if kept else (tag[1], tag[2])
        pairs += [(LINK_SETTINGS, query), (LINK_EPOCHS, str(epochs))]
    with st.popover("Share this walk", icon=":material/link:", width="content"):
        st.markdown("This address opens the walk on this network and sample:")
        st.code(state.page_url() + "?" + urlencode(pairs), language=None, wrap_lines=True)


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
    """(model, X, y, 2-D points or None, where it comes from, a key naming it) for the chosen network."""
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
    return model, X, y, X, where, ("book", hidden, trained)


def walk_section():
    """The section: the network and the sample (a change reruns the page), then the stepper and the views
    after it, each a fragment of its own, so a step reruns only the drawing and its numbers."""
    st.subheader("One sample through the whole network")
    st.markdown("Pick a sample (click it on the data, or type its index) and follow it: forward through every "
                "operation to the loss, then backward, each layer turning the gradient it receives into its "
                "weights' gradients and the gradient it passes on. Every number is nnengine's own, for this one "
                "sample.")
    for control, raw in state.check_link([c for c in CONTROLS if c is not STEP]):
        st.warning(state.notice(control, raw, None), icon=":material/link_off:")
    left, right = st.columns([2, 3], gap="large")
    with left:
        model, X, y, raw, where, tag = network()
        index = widgets.number(SAMPLE, 1, help=f"0 to {len(X) - 1}.")
        if not 0 <= index < len(X):
            instead = DEFAULT_SAMPLE if tag[0] == "book" else lesson.default_sample(X, model)
            st.error(f"There is no sample {index}: the data has {len(X)} samples, 0 to {len(X) - 1}. The walk "
                     f"shows sample {instead}.", icon=":material/error:")
            index = instead
        if raw is not None or np.asarray(X).shape[1] == 1:
            points = raw if raw is not None else X
            classes = ([str(c) for c in range(max(model.n_outputs, 2))] if model.task != "regression" else ["data"])
            chart = walk_chart.samples_chart(walk_chart.sample_rows(points, y, model.task), index, classes,
                                             titles=("x1", "x2") if points.shape[1] > 1 else ("x", "y"))
            st.vega_lite_chart(walk_chart.inline(charts.to_spec(chart)), width="stretch", on_select=pick, key=PICK,
                               selection_mode="pick")
            st.caption(f"The data, {len(X)} samples; sample {index} ringed. Click a point to walk it through.")
    w = memo((tag, index), lambda: lesson.walk(model, X, y, index))
    with right:
        st.markdown(f"**Sample {index}** of {where}: inputs {walk_views.vector(w.x[0])}, "
                    f"{walk_views.target_phrase(w)}.")
        stepper(w)
    st.fragment(walk_views.after_the_walk)(w, X, y, model, tag)
    share_box(tag, index)


@st.fragment
def stepper(w):
    """The step slider, Back and Next, the drawing and the operation just done."""
    total = len(w.steps)
    if st.session_state.get(STEP.key, total) > total:
        st.session_state[STEP.key] = total
    done = st.slider(STEP.label, 0, total, total, 1, key=STEP.key, bind="query-params",
                     help=f"{total} operations: forward to the loss, then backward.")
    buttons = st.container(horizontal=True)
    # Never disabled (a press at either end simply stays there), so the buttons keep their place and focus.
    buttons.button("Back", icon=":material/skip_previous:", key="walk_back", on_click=move, args=(-1, total))
    buttons.button("Next", icon=":material/skip_next:", key="walk_next", on_click=move, args=(1, total))
    walk_views.drawing(w, done)
    walk_views.gradient_numbers(w, done)
