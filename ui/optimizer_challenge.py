"""Be the optimizer (Training page): a tiny network, 2-2-1, on two clouds of points; the learner sets its
weights and biases by hand on the network editor until the loss reaches a target, then gradient descent
starts from the same weights, and the two are shown side by side with the steps each took (each value
the learner sets is one step). Every number is the engine's: the loss is ``Model.evaluate``'s, gradient
descent is ``Model.fit`` one epoch (one full-batch step) at a time. Its own fragment: an edit reruns
this section alone."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

import nnengine as nn
from ui import charts, layout, plane_charts, training, weight_edit
from ui.components.network_editor import editor_data, network_editor
from ui.matrix import readable

SEED = 0
PER_CLASS = 10          # points in each of the two clouds (nnengine.datasets.blobs, noise NOISE)
NOISE = 0.15
SCALE = 0.5             # the starting weights: SCALE times standard normal numbers (biases 0)
RATE = 0.5              # gradient descent's learning rate (plain SGD, no momentum, no decay)
TARGET = 0.1            # the loss to reach
MOST_STEPS = 5_000      # gradient descent gives up after this many
KEY = "challenge"
EDITOR_KEY = "challenge_editor"
PENDING = "challenge_pending"
NAMES = None           # the Training page's names: inputs, hidden 1, outputs


def data():
    """The two clouds (class 0 above, class 1 below) and the network's starting model, all from
    RandomState(SEED): the same for every learner and every visit."""
    rng = np.random.RandomState(SEED)
    X, y = nn.datasets.blobs(PER_CLASS, 2, NOISE, rng=rng)
    model = nn.Model([nn.Dense(2, 2, weight_scale=SCALE, rng=rng), nn.Tanh(),
                      nn.Dense(2, 1, weight_scale=SCALE, rng=rng), nn.Sigmoid()],
                     nn.BinaryCrossentropy(), nn.SGD(RATE, decay=0.0))
    return X, y.reshape(-1, 1), model


def loss_of(model, X, y):
    return weight_edit.measured(model, X, y)["loss"]


def gradient_descent(most=MOST_STEPS):
    """Gradient descent from the starting weights: the loss before any step and after each, until it is
    at most TARGET (or ``most`` steps). Returns the list of losses: len - 1 steps were taken."""
    X, y, model = data()
    losses = [loss_of(model, X, y)]
    while losses[-1] > TARGET and len(losses) <= most:
        model.fit(X, y, epochs=1)          # one step: the full batch, forward, backward, update
        losses.append(loss_of(model, X, y))
    return losses


@dataclass
class Attempt:
    """The learner's attempt: the model being edited and its loss before any edit and after each."""
    X: np.ndarray
    y: np.ndarray
    model: nn.Model
    losses: list = field(default_factory=list)
    note: tuple = None                  # what the last edit did: (kind, message)
    compare: bool = False               # gradient descent asked for before the target was reached

    @property
    def steps(self):
        return len(self.losses) - 1

    @property
    def reached(self):
        """The step at which the learner's loss first reached the target, or None."""
        return next((k for k, loss in enumerate(self.losses) if loss <= TARGET), None)


def new_attempt():
    X, y, model = data()
    return Attempt(X, y, model, [loss_of(model, X, y)])


def receive(attempt, event):
    """Check and apply one event from the editor: a value set is one step; a refused one is not."""
    try:
        edit = weight_edit.check_event(event, attempt.model)
    except ValueError as refusal:
        attempt.note = ("warning", str(refusal))
        return
    weight_edit.apply(attempt.model, edit)
    attempt.losses.append(loss_of(attempt.model, attempt.X, attempt.y))
    name = weight_edit.parameter_name(attempt.model, edit, ["x1", "x2"])
    attempt.note = ("info", f"Step {attempt.steps}: you set {name} to "
                            f"{weight_edit.current_value(attempt.model, edit):.6g}; the loss is now "
                            f"{readable(attempt.losses[-1])}.")


def received():
    """The editor's on-change callback: keep the event for this section's next run (which applies it)."""
    weight_edit.keep_event(EDITOR_KEY, PENDING)


def start_again():
    st.session_state[KEY] = new_attempt()


def ask_for_descent():
    st.session_state[KEY].compare = True


def section():
    """The challenge's section of the Training page (a fragment of its own)."""
    st.subheader("Be the optimizer")
    st.fragment(_challenge)()


def intro(attempt):
    accuracy = weight_edit.measured(attempt.model, attempt.X, attempt.y)["accuracy"]
    return (f"A tiny network, **2-2-1**: two inputs (x1, x2), two tanh neurons, one sigmoid output, on "
            f"{2 * PER_CLASS} points in two clouds ({PER_CLASS} of class 0 above, {PER_CLASS} of class 1 "
            f"below). Its binary cross-entropy loss starts at {readable(attempt.losses[0])}. Bring it to "
            f"**{TARGET} or less** by hand: click a line (a weight) or a neuron (its bias) and set its value. "
            f"Each value you set is one step. Now: step {attempt.steps}, loss {readable(attempt.losses[-1])}, "
            f"accuracy {accuracy:.3f}.")


def _challenge():
    attempt = st.session_state.get(KEY)
    if attempt is None:
        attempt = st.session_state[KEY] = new_attempt()
    event = st.session_state.pop(PENDING, None)
    if event is not None:
        receive(attempt, event)
    st.markdown(intro(attempt))
    drawing, picture = st.columns([3, 2])
    with drawing:
        token = weight_edit.token_of(attempt.model)
        network_editor(EDITOR_KEY, editor_data(attempt.model, token, NAMES, ["x1", "x2"]), received)
        if attempt.note:
            kind, message = attempt.note
            getattr(st, kind)(message, icon=":material/edit:" if kind == "info" else ":material/warning:")
    with picture:
        setup = training.Setup(attempt.X, attempt.y, attempt.X[:0], attempt.y[:0], "binary", attempt.model,
                               attempt.X, attempt.X[:0])
        cells, points = training.boundary_rows(setup, training.Settings(), resolution=30)
        layout.chart(plane_charts.boundary_chart(cells, points, 2, height=260),
                     "The tiny network's boundary over the two clouds: the colour is the class it predicts, "
                     "paler where it is less sure.")
    buttons = st.container(horizontal=True)
    buttons.button("Start again", icon=":material/restart_alt:", key="challenge_reset", on_click=start_again,
                   help="Back to the starting weights; your steps are cleared.")
    reached = attempt.reached
    if reached is None and not attempt.compare:
        buttons.button("Let gradient descent try", icon=":material/trending_down:", key="challenge_descent",
                       on_click=ask_for_descent, help="See how many steps gradient descent takes from the same "
                                                   "starting weights.")
        return
    if reached is not None:
        st.success(f"You reached a loss of {readable(attempt.losses[reached])} in {reached} "
                   f"step{'s' * (reached != 1)}.", icon=":material/emoji_events:")
    side_by_side(attempt)


def side_by_side(attempt):
    """The learner's steps and gradient descent's, from the same starting weights, on one chart."""
    descent = gradient_descent()
    steps = len(descent) - 1
    yours, theirs = st.columns(2)
    reached = attempt.reached
    yours.metric("Your steps to the target", "not yet" if reached is None else reached,
                 help="Each value you set is one step.")
    theirs.metric("Gradient descent's steps", steps if descent[-1] <= TARGET else f"over {MOST_STEPS:,}")
    rows = ([{"step": k, "loss": float(loss), "who": "you"} for k, loss in enumerate(attempt.losses)]
            + [{"step": k, "loss": float(loss), "who": "gradient descent"} for k, loss in enumerate(descent)])
    layout.chart(charts.lines_chart(pd.DataFrame(rows), "step", "loss", "who", "step", "loss",
                                    colours=[charts.CLASS_COLOURS[1], charts.POSITIVE], height=220),
                 descent_sentence(descent))


def descent_sentence(descent):
    steps = len(descent) - 1
    if descent[-1] > TARGET:
        outcome = f"does not reach {TARGET} in {steps:,} steps (its loss is then {readable(descent[-1])})"
    else:
        outcome = f"reaches a loss of {readable(descent[-1])} after {steps} step{'s' * (steps != 1)}"
    return (f"Gradient descent (learning rate {RATE}, all {2 * PER_CLASS} points at each step) from the same "
            f"starting weights {outcome}: blue, its loss after each step; orange, yours. Each of its steps "
            "moves every weight and bias a little way downhill; you can move one a long way, because you see "
            "the clouds.")
