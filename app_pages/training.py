"""Training: choose data, a network and an optimizer, train it live, and watch it learn. The controls
live in ui/training_controls.py and the drawings in ui/training_views.py; this page lays them out and
runs the training."""

import threading
from dataclasses import replace
from functools import partial

import streamlit as st

import nnengine as nn
from ui import layout, state, trainers, training, training_cost, training_diagnosis, training_files, widgets
from ui.backprop_walk import follow_control
from ui.matrix import readable
from ui.optimizer_challenge import section as be_the_optimizer
from ui.source import show_code
from ui.training_book import book_view
from ui.training_controls import COMPARE, CONTROLS, DISCRETE, SHOW_VAL, settings_panel
from ui.training_digit import digit_view
from ui.training_process import START_SECONDS
from ui.training_touch import data_for, follow_points, identity, owns, too_few
from ui.training_views import (
    LIVE_GRID,
    LIVE_POINTS,
    draw,
    inside_views,
    keep_and_share,
    remember_previous,
    reproduce_view,
    task_sentence,
)
from ui.weight_edit import take_pending

TICK = 0.25               # seconds between the browser's requests to redraw while a run trains (run_every)
LIVE_TIMER = "training_live_timer"     # session key: the live view's timer runs in the browser
LINE_TICK = 1.0           # seconds between looks at the queue while a run waits in line for a trainer
REDRAW = 0.3              # each redraw first waits this long for the run to end (the next tick then comes at once)
SHORT_RUN = 1.0           # a run expected to end within this many seconds of Train is drawn once, at its end
STOP_WAIT = 3.0           # seconds Stop waits for the training to end before drawing the stopped model


def command(name):
    """A button's on_click: remember what was asked (the training area reads it on its next run)."""
    st.session_state["training_command"] = name


def trainer(settings, uploaded=None):
    """The training area is a fragment: its buttons rerun it alone. A run trains in a process of its own
    (ui/trainers.py), and while it does, the live view inside the area (``live_view``, a fragment of its own)
    asks the browser to rerun it every TICK seconds and redraws the run's latest snapshot. Streamlit runs one
    request at a time and folds the ones that arrive meanwhile into one, so the view is redrawn about every
    REDRAW seconds (plus its drawing time) however slowly the browser draws, and the training never waits for
    the drawing; starting the timer costs no run of the whole page. A run waiting in line for a trainer is
    drawn once: only its message looks at the queue again, every LINE_TICK seconds (``line_watch``), so twenty
    learners waiting cost the server next to nothing."""
    trainers.spare_process()          # made at the server's first Training page: a process ready for Train
    st.session_state.pop(LIVE_TIMER, None)      # a run of the whole page ends every fragment's timer
    st.fragment(training_area)(settings, uploaded)


def busy(run):
    """Whether the run's trainer is still going (training, or waiting in line)."""
    return run.get("trainer") is not None and run["trainer"].running()


def line_watch(run):
    """While the run waits in line: the message, redrawn by itself every LINE_TICK seconds; once the run's turn
    has come (or it has ended), the whole page again, which then redraws the training as it goes."""
    trainer_ = run.get("trainer")
    if trainer_ is None or trainer_.place is None or not trainer_.running():
        st.rerun()
    st.info(trainers.waiting_message(trainer_.place, trainers.shared_queue().slots), icon=":material/hourglass_top:")


def current_run(settings, uploaded):
    """The session's run for these settings: kept while they stay the same, built afresh when they change."""
    run = st.session_state.get("training_run")
    loaded = st.session_state.get(training_files.PENDING)
    if loaded is not None and same_run(loaded["settings"], settings):
        # A model loaded from a file (its settings are on the controls now): it becomes the run.
        del st.session_state[training_files.PENDING]
        if run is not None:
            halt(run, wait=0)
            remember_previous(run)
        run = st.session_state["training_run"] = new_run(settings, uploaded)
        run["setup"].model = loaded["model"]
        if loaded["rng"] is not None and run["fit"].get("rng") is not None:
            run["fit"]["rng"] = loaded["rng"]
        return run
    if run is not None and training.more_epochs_of(run["settings"], settings):
        run = st.session_state["training_run"] = carried_on(run, settings, uploaded)
    if run is not None and run["settings"] != settings:
        halt(run, wait=0)
        remember_previous(run)
    if run is None or run["settings"] != settings:
        run = st.session_state["training_run"] = new_run(settings, uploaded)
    follow_points(run, settings, uploaded)      # your own points: new data, the same network
    return run


def new_run(settings, uploaded):
    """A fresh model for these settings, with the arguments every fit of this run passes: the same shuffle
    stream for all of them, so the run's numbers do not depend on where it was stopped and started."""
    setup = training.build(settings, uploaded)
    freq = validation_freq(settings)
    estimate = training_cost.estimate_seconds(setup, settings, freq)
    book = any(same_run(settings, training.preset(name)) for name in training.PRESETS)
    return {"settings": settings, "classes": uploaded.classes if uploaded else None, "setup": setup,
            "fit": {**training.fit_kwargs(settings, setup), "validation_freq": freq},
            "estimate": estimate, "book": book,
            "limit": settings.epochs if book else training_cost.epoch_cap(estimate, settings.epochs),
            "trainer": None, "message": None, "points": identity(settings)}


def carried_on(run, settings, uploaded):
    """The same run, to another number of epochs: the model, its History and its shuffle stream carry on."""
    halt(run)
    longer = new_run(settings, uploaded)
    longer["fit"] = {**run["fit"], "validation_freq": longer["fit"]["validation_freq"]}
    # A trainer still ending a long epoch stays the run's until it has (no second one on the same model).
    return {**longer, "setup": run["setup"], "message": run["message"], "diagnosed": run.get("diagnosed"),
            "trainer": run["trainer"] if busy(run) else None}


def same_run(a, b):
    """Whether two Settings train the same run: equal, once the settings their dataset and optimizer leave
    unused are set aside (the panel reads classes only for multiclass data, momentum only for SGD, ...)."""
    def used(s):
        defaults = training.Settings()
        drawn = s.dataset not in ("digits", "upload", training.DRAWN)
        return replace(s, classes=s.classes if s.dataset in training.MULTICLASS else 2,
                       samples=s.samples if drawn else defaults.samples, noise=s.noise if drawn else 0.0,
                       features=s.features if s.dataset in training.TWO_D else defaults.features,
                       loss=s.loss if s.dataset == "sine" else defaults.loss,
                       momentum=s.momentum if s.optimizer == "SGD" else defaults.momentum,
                       points_task=s.points_task if s.dataset == training.DRAWN else defaults.points_task)
    return used(a) == used(b)


def validation_freq(settings):
    return max(1, settings.epochs // 200)


def halt(run, wait=STOP_WAIT):
    """Stop the run's trainer, if any, waiting up to ``wait`` seconds for it to end."""
    if run.get("trainer") is not None:
        run["trainer"].stop()
        run["trainer"].wait(wait)


def start(run):
    """Train the run's remaining epochs in a process of its own, when its turn in the shared queue comes."""
    setup = run["setup"]
    # A ticket of its own: a stopped run's trainer, still ending its epoch, must not give this one's place away.
    ticket = trainers.new_ticket()
    # Steps too large for a classifier rarely overflow: the loss jumps, one class takes every point or the
    # ReLUs die. The training looks now and then (training_diagnosis.check_run) and stops the run with what it
    # found, once per run (Train after it carries on, for a learner who wants to watch).
    check = None if run.get("diagnosed") else partial(training_diagnosis.check_run, setup, run["settings"])
    run["trainer"] = trainers.Trainer(setup.model, setup.X, setup.y, run["limit"], run["fit"],
                                      trainers.shared_queue(), ticket, trainers.page_watch(), check=check,
                                      spare=trainers.spare_process()).start()


def collect(run):
    """After the trainer has ended: keep what it says (a divergence), raise what went wrong (a bug)."""
    ended, run["trainer"] = run["trainer"], None
    if isinstance(ended.error, trainers.TrainingLost):
        run["message"] = ("error", f"The training stopped unexpectedly at epoch {ended.model.epochs_done:,}: its "
                                   f"process ended (exit code {ended.error.exit_code}), perhaps short of memory. "
                                   "The model is as it was then; press Train to go on.")
    elif ended.error is not None:
        raise ended.error
    if ended.diverged is not None:
        run["message"] = diverged_message(ended.diverged)
    if ended.verdict is not None:
        run["message"], run["diagnosed"] = ("warning", ended.verdict), True


def show_message(run, where):
    if run["message"]:
        kind, text = run["message"]
        getattr(where, kind)(text, icon={"error": ":material/error:", "warning": ":material/warning:",
                                         "info": ":material/info:"}[kind])


def diverged_message(error):
    where = ("as it was when this training started" if error.best_epoch is None else
             f"back at the start of epoch {error.best_epoch}, where its loss was lowest ({readable(error.best_loss)})")
    return ("error", f"Training stopped at epoch {error.epoch}: the loss became {readable(error.loss)}. The model "
                     f"and its optimizer are {where}. Lower the learning rate and press Reset to start again.")


def alone(draw_it):
    """Run ``draw_it()`` as the session's only run of the training area or its live view: Streamlit may start a
    run before an interrupted one has finished, and two must never both start a trainer on the same model."""
    lock = st.session_state.setdefault("training_lock", threading.RLock())     # the area runs its live view inline
    if not lock.acquire(timeout=5):
        st.warning("The previous redraw is still finishing; press the button again in a moment.",
                   icon=":material/hourglass:")
        return
    try:
        draw_it()
    finally:
        lock.release()


def training_area(settings, uploaded):
    alone(partial(train_and_draw, settings, uploaded))


def live_view(run, settings):
    """While the run trains: its latest snapshot drawn, again every TICK seconds (this fragment's timer). Each
    redraw first waits up to REDRAW seconds for the run to end; once it has ended, or the session has a new
    run, the whole page is drawn again, which draws the end of the run and ends this timer."""
    def redraw():
        if st.session_state.get("training_run") is not run or run.get("trainer") is None:
            st.rerun()
        run["trainer"].wait(REDRAW)
        if not run["trainer"].running():
            collect(run)
            st.rerun()
        places = {"progress": st.container(), "curves": st.container(), "picture": st.container()}
        draw(run, settings, places, live=True)
    alone(redraw)


def train_and_draw(settings, uploaded):
    uploaded = data_for(settings, uploaded)     # your own points as they are now
    run = current_run(settings, uploaded)
    setup = run["setup"]
    if run["limit"] < settings.epochs:
        st.warning(f"{settings.epochs:,} epochs of this network on this data would take about "
                   f"{run['estimate']:,.0f} s; the page trains at most {run['limit']:,} of them (about "
                   f"{training_cost.LIMIT_SECONDS:.0f} s). Fewer epochs, neurons or samples make the whole run fit.",
                   icon=":material/timer:")
    st.caption(f"{setup.model.count_parameters():,} parameters · {len(setup.X):,} training and "
               f"{len(setup.X_val):,} validation samples · {task_sentence(setup, settings)} "
               f"{training.validation_sentence(settings)}")
    buttons = st.container(horizontal=True)
    buttons.button("Train", icon=":material/play_arrow:", type="primary", key="train", on_click=command,
                   args=("train",))
    buttons.button("Stop", icon=":material/stop:", key="stop", on_click=command, args=("stop",))
    buttons.button("Step", icon=":material/skip_next:", key="step_epoch", help="Train one epoch.", on_click=command,
                   args=("step",))
    buttons.button("Reset", icon=":material/restart_alt:", key="reset_model", on_click=command, args=("reset",),
                   help="New weights from the seed; the history is cleared.")
    asked = st.session_state.pop("training_command", None)
    if asked in ("train", "step") and (nothing := too_few(run)):
        run["message"], asked = nothing, None
    if asked == "reset":
        halt(run)
        remember_previous(run)
        run = st.session_state["training_run"] = new_run(settings, uploaded)
        setup = run["setup"]
    elif asked == "stop":
        halt(run)
    elif asked == "train" and not busy(run) and setup.model.epochs_done < run["limit"]:
        run["message"] = None
        start(run)
    elif asked in ("train", "step") and not busy(run) and setup.model.epochs_done >= run["limit"]:
        run["message"] = ("info", f"This run has finished its {run['limit']:,} epochs. To train on, raise Epochs and "
                                  "press Train: the model carries on from where it is. To start again, press Reset.")
    elif asked == "step" and not busy(run):
        # One epoch, too small to queue, with the run's own arguments (its shuffle stream among them).
        try:
            setup.model.fit(setup.X, setup.y, epochs=1, **run["fit"])
        except nn.TrainingDiverged as error:
            run["message"] = diverged_message(error)
    take_pending(run, busy(run), settings)      # a weight or bias set on the network drawing
    if busy(run) and asked == "train":
        # Right after Train, a run expected to end soon is waited for (a second at most): drawing it live would
        # cost the browser a whole page more than it.
        left = run["estimate"] * (run["limit"] - setup.model.epochs_done) / settings.epochs
        if left + START_SECONDS <= SHORT_RUN:
            run["trainer"].wait(SHORT_RUN)
    if run.get("trainer") is not None and not run["trainer"].running():
        collect(run)
    trainer_ = run["trainer"]
    live = trainer_ is not None
    waiting = live and trainer_.place is not None
    if live and not waiting:
        # Only the drawings that change as it trains are redrawn: the live view. The rest is drawn once.
        show_message(run, st)
        st.session_state[LIVE_TIMER] = True
        st.fragment(live_view, run_every=TICK)(run, settings)
        book_view(settings, setup, True)
        boundary = setup.raw is not None and not owns(settings)
        lighter = (f" Until it stops, the boundary is drawn on a grid of at most {LIVE_GRID} x {LIVE_GRID} cells, "
                   f"with at most {LIVE_POINTS:,} of the points." if boundary else "")
        st.caption("Training…" + lighter + " The network, neuron maps and downloads appear when it stops.")
        return
    if st.session_state.pop(LIVE_TIMER, False):
        st.rerun()          # the whole page again, which ends the live view's timer in the browser
    places = {"progress": st.container(), "message": st.container(), "curves": st.container(),
              "picture": st.container()}
    show_message(run, places["message"])
    if waiting:
        with places["message"]:
            st.fragment(line_watch, run_every=LINE_TICK)(run)
    draw(run, settings, places, live=live)
    book_view(settings, setup, live)
    if live:
        st.caption("In line for a trainer… The network, neuron maps and downloads appear when it stops.")
        return
    views = st.container(horizontal=True)
    with views:
        if setup.raw is not None:
            widgets.toggle(SHOW_VAL, help="Draw the validation points (triangles) over the boundary.")
            widgets.toggle(DISCRETE, help="Colour each cell by its predicted class alone, without the shading "
                                          "that shows how sure the model is.")
        widgets.toggle(COMPARE, help="After Reset or a change of settings, the last run's losses stay in grey.")
    inside_views(setup, settings)
    if settings.dataset == "digits":
        digit_view(run, command)
    follow_control(run, settings, state.share_query(CONTROLS, state.current_values(CONTROLS)))
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
be_the_optimizer()
show_code(nn.Model.fit, training.build)
layout.toolbar(CONTROLS)
layout.predict_then_check([
    ("What training accuracy does the default run reach, and what does the book get?",
     "Press Train and wait for epoch 10000.",
     "0.967, with loss 0.074 (the progress line's 0.0741): the book's chapter 10 to every digit it prints, "
     "because the page draws the data and the weights from one RandomState(0) in the book's order and "
     "multiplies as the book's nnfs.init() makes numpy do (The book's arithmetic, on by default)."),
    ("Why is the validation accuracy lower than the training accuracy?",
     "Compare the two accuracy curves after training.",
     "The network has fitted the quirks of its 300 training points; fresh points from the same spiral show how "
     "well it generalises. Regularization (L2) and dropout narrow the gap."),
    ("What happens with a learning rate of 5 and SGD?",
     "Set the optimizer to SGD, the learning rate to 5 and train.",
     "Steps that large overshoot, and the page stops the run within its first 200 epochs and says why: most "
     "of the hidden ReLU neurons have died (their output is 0 for every point, so their gradient is 0 and they "
     "never learn again) and the accuracy stalls below 0.5. The fix it suggests, a rate ten times lower (0.5), trains. "
     "(With a rate of 10 and momentum 0.99 every point ends in one class instead, by epoch 50.)"),
])
