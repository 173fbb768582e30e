"""Training: choose data, a network and an optimizer, train it live, and watch it learn. The controls
live in ui/training_controls.py and the drawings in ui/training_views.py; this page lays them out and
runs the training."""

import threading
import time

import streamlit as st

import nnengine as nn
from ui import layout, trainers, training, widgets
from ui.matrix import readable
from ui.source import show_code
from ui.training_book import book_view
from ui.training_controls import COMPARE, CONTROLS, DISCRETE, SHOW_VAL, settings_panel
from ui.training_views import draw, inside_views, keep_and_share, remember_previous, reproduce_view, task_sentence

CHUNK = 0.4               # seconds of training in one run of the training area (Stop waits at most this)
CHUNK_GAP = 0.02          # seconds between those runs while training (the fragment's run_every)
WAIT_POLL = 1.0           # seconds between those runs while the run waits in line for a trainer


def command(name):
    """A button's on_click: remember what was asked. Every button click reruns the whole page,
    and a new run interrupts a training in progress at its next redraw: that is how Stop works."""
    st.session_state["training_command"] = name


def trainer(settings, uploaded=None):
    """The training area is a fragment, so training and its live charts rerun only this part of the page.
    While a run trains, the fragment reruns itself every CHUNK_GAP seconds (run_every) and trains for
    about CHUNK seconds each time: between chunks a click on Stop, or on anything else, gets its turn,
    and no run of the page ever waits long for another. A run waiting in line for a trainer looks again
    every WAIT_POLL seconds, and costs the server next to nothing in between."""
    run = st.session_state.get("training_run")
    interval = rerun_interval(run) if run and run["settings"] == settings else None
    st.fragment(training_area, run_every=interval)(settings, uploaded, interval)


def rerun_interval(run):
    """How often the training area reruns itself: while training, while waiting in line, or never."""
    if not run["running"]:
        return None
    return WAIT_POLL if run.get("waiting") else CHUNK_GAP


def current_run(settings, uploaded):
    """The session's run for these settings: kept while they stay the same, built afresh when they change."""
    run = st.session_state.get("training_run")
    if run is not None and training.more_epochs_of(run["settings"], settings):
        run["settings"] = settings          # the same run, trained longer (or shorter): the model carries on
    if run is not None and run["settings"] != settings:
        remember_previous(run)
    if run is None or run["settings"] != settings:
        run = st.session_state["training_run"] = {"settings": settings,
                                                  "classes": uploaded.classes if uploaded else None,
                                                  "setup": training.build(settings, uploaded),
                                                  "running": False, "message": None}
    return run


def training_area(settings, uploaded, interval):
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
        train_and_draw(settings, uploaded, interval, control, generation)
    finally:
        control["lock"].release()


def train_and_draw(settings, uploaded, interval, control, generation):
    run = current_run(settings, uploaded)
    setup = run["setup"]
    # Work is bounded: a run estimated to take much longer than LIMIT_SECONDS trains only the epochs that fit.
    cap = training.epoch_cap(setup, settings, trainers.machine_speed())
    run["limit"] = min(settings.epochs, cap)
    if cap < settings.epochs:
        estimate = training.estimate_seconds(setup, settings, trainers.machine_speed())
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
    if asked == "reset":
        remember_previous(run)
        run.update(setup=training.build(settings, uploaded), running=False, message=None, diagnosed=False)
        setup = run["setup"]
    elif asked == "stop":
        run["running"] = False
    elif asked == "train":
        run["running"], run["message"] = True, None
    epochs_left = run["limit"] - setup.model.epochs_done
    if asked == "train" and epochs_left <= 0:
        run["running"] = False
        run["message"] = ("info", f"This run has finished its {run['limit']:,} epochs. To train on, raise Epochs "
                                  "and press Train: the model carries on from where it is. To start again, press "
                                  "Reset.")
    # A run trains only on its turn: the server trains at most one model per core at a time (ui/trainers.py).
    # A single Step is one epoch, too small to queue.
    queue = trainers.shared_queue()
    ticket = st.session_state.setdefault("trainer_ticket", trainers.new_ticket())
    ahead = queue.ask(ticket) if run["running"] and epochs_left > 0 and asked != "step" else None
    if asked == "step" or (run["running"] and epochs_left > 0 and ahead is None):
        started = time.perf_counter()

        def chunk(record):
            # Between steps only: end this chunk when its time is up, or when a newer run has started.
            return control["generation"] == generation and time.perf_counter() - started < CHUNK

        try:
            setup.model.fit(setup.X, setup.y, epochs=1 if asked == "step" else epochs_left, callback=chunk,
                            validation_freq=max(1, settings.epochs // 200), **training.fit_kwargs(settings, setup))
        except nn.TrainingDiverged as error:
            run["message"] = ("error", f"Training stopped at epoch {error.epoch}: the loss became "
                                       f"{readable(error.loss)}. The model keeps its last weights whose loss was "
                                       "finite. Lower the learning rate and press Reset to start again.")
            run["running"] = False
        # Steps too large for a classifier rarely overflow: the loss jumps, one class takes every point or
        # the ReLUs die. Said once per run: Train after it carries on, if the learner wants to watch.
        problem = None if run.get("diagnosed") else training.diagnose(setup, settings)
        if problem:
            run.update(message=("warning", problem), running=False, diagnosed=True)
    if run["running"] and setup.model.epochs_done >= run["limit"]:
        run["running"] = False
    if not run["running"]:
        queue.leave(ticket)
    run["waiting"] = ahead is not None
    # The places for the drawings come after the chunk: while it trains, the page keeps showing the
    # last chunk's progress line and charts, and each is then replaced where it stands.
    places = {"progress": st.container(), "message": st.container(), "curves": st.container(),
              "picture": st.container()}
    if run["message"]:
        kind, text = run["message"]
        getattr(places["message"], kind)(text, icon={"error": ":material/error:", "warning": ":material/warning:",
                                                     "info": ":material/info:"}[kind])
    elif run["running"] and ahead is not None:
        places["message"].info(trainers.waiting_message(ahead, queue.slots), icon=":material/hourglass_top:")
    draw(run, settings, places, live=run["running"])
    book_view(settings, setup)
    if rerun_interval(run) != interval:
        st.rerun()          # the whole page again, so the fragment reruns itself as often as it now should
    if run["running"]:
        st.caption(("Training…" if ahead is None else "In line for a trainer…")
                   + " the network, neuron maps and downloads appear when it stops.")
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
    reproduce_view(settings, setup)


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
     "Steps that large overshoot, and the page stops the run within about 100 epochs and says why: most of "
     "the hidden ReLU neurons die (their output is 0 for every point, so their gradient is 0 and they never "
     "learn again) and the accuracy stalls far below the default run's. The fix it suggests, a rate ten times "
     "lower (0.5), trains. (With momentum 0.99 and a rate of 10 the loss jumps far above where it started "
     "instead, and every point ends in one class.)"),
])
