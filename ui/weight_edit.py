"""Edit a weight on the drawing: the Python that receives the network editor's events
(ui/components/network_editor.py), checks them, sets the weight or bias in the model and says what the
model does now, with the engine's numbers (its loss and accuracy, ``Model.evaluate``).

An event is {"token", "kind": "weight" or "bias", "layer", "row", "col", "text"}: the drawing's token
(which network it was drawn for), which parameter (layer: the Dense layer, counted from 0; row: the input
neuron, col: the neuron the weight leads to or whose bias it is) and the text the learner typed. Anything
else, a click on a network that has changed since it was drawn, or a text that is not a number a weight
can hold, is refused with a message; the model is then left as it was.
"""

import math
from dataclasses import dataclass

import numpy as np
import streamlit as st

from ui.components.network_editor import editor_data, network_editor
from ui.matrix import readable

LIMIT = 1000.0          # the largest |value| accepted: far beyond what training reaches, yet float32 keeps it
MAX_TEXT = 40           # characters: a number never needs more
KINDS = ("weight", "bias")
EDITOR_KEY = "network_editor"     # the Training page's editor
PENDING = "weight_edit_pending"   # an event received, applied by the training area's next run
NOTE = "weight_edit_note"         # what the last event did: (kind, message, token, epochs done)


@dataclass(frozen=True)
class Edit:
    kind: str           # "weight" or "bias"
    layer: int          # which Dense layer (0: the first)
    row: int            # the input neuron (weights only; 0 for a bias)
    col: int            # the neuron the weight leads to, or whose bias it is
    value: float


def token_of(model):
    """What names the network a drawing shows: its layer sizes and which model object it is. A click made on
    an older drawing (the settings changed, Reset) carries another token and is refused."""
    return f"{id(model):x}:" + "-".join(str(size) for size in sizes_of(model))


def sizes_of(model):
    return [model.n_inputs] + [dense.n_neurons for dense in model.dense_layers]


def parse_value(text):
    """The number a learner typed, or ValueError saying why it is refused. The message never repeats
    the text itself (it is shown as Markdown)."""
    if not isinstance(text, str):
        raise ValueError("The value did not arrive as text; type it again.")
    text = text.strip()
    if not text:
        raise ValueError("The field is empty: type a number, such as 0.5 or -1.2.")
    if len(text) > MAX_TEXT:
        raise ValueError(f"That is longer than any number needs ({MAX_TEXT} characters at most).")
    try:
        value = float(text.replace("−", "-"))        # a typographic minus, as the page prints numbers
    except ValueError:
        raise ValueError("That is not a number: type one such as 0.5, -1.2 or 3e-2 (a point for decimals).") from None
    if math.isnan(value):
        raise ValueError("NaN is not a number a weight can hold: every output it touches would be NaN too.")
    if not math.isfinite(value) or abs(value) > LIMIT:
        raise ValueError(f"That is too large: this page takes weights and biases between -{LIMIT:g} and {LIMIT:g} "
                         "(larger ones saturate every neuron they feed, and soon overflow).")
    return value


def check_event(event, model):
    """The Edit an event asks for on ``model``, or ValueError saying why it is refused."""
    if not isinstance(event, dict) or event.get("kind") not in KINDS:
        raise ValueError("That click could not be read; click the line or the neuron again.")
    if event.get("token") != token_of(model):
        raise ValueError("That click was made on a drawing of a network that has changed since (new settings "
                         "or Reset); the drawing below is the current network: click it again.")
    denses = model.dense_layers
    numbers = [event.get(name) for name in ("layer", "row", "col")]
    if event["kind"] == "bias":
        numbers[1] = 0
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        raise ValueError("That click could not be read; click the line or the neuron again.")
    layer, row, col = numbers
    if not (0 <= layer < len(denses) and 0 <= row < denses[layer].n_inputs and 0 <= col < denses[layer].n_neurons):
        raise ValueError("That neuron or link is not in this network (it changed since it was drawn); click the "
                         "drawing again.")
    if event["kind"] == "bias" and denses[layer].biases is None:
        raise ValueError("That neuron has no bias.")
    return Edit(event["kind"], layer, row, col, parse_value(event.get("text")))


def current_value(model, edit):
    dense = model.dense_layers[edit.layer]
    return float(dense.weights[edit.row, edit.col] if edit.kind == "weight" else dense.biases[0, edit.col])


def apply(model, edit):
    """Set the parameter in place (the optimizer's memory of it stays); returns the value it had. The
    model stores float32 (or float64): the value kept is the typed one rounded to that type."""
    dense = model.dense_layers[edit.layer]
    before = current_value(model, edit)
    if edit.kind == "weight":
        dense.weights[edit.row, edit.col] = edit.value
    else:
        dense.biases[0, edit.col] = edit.value
    return before


def parameter_name(model, edit, input_names=None):
    """'the weight from x1 to hidden 1 neuron 3', 'the bias of output neuron 2'."""
    last = len(model.dense_layers) - 1

    def neuron(layer, j):      # layer: 0 the inputs, k the k-th Dense layer's neurons
        if layer == 0:
            return input_names[j] if input_names else f"input {j + 1}"
        return f"output neuron {j + 1}" if layer == last + 1 else f"hidden {layer} neuron {j + 1}"

    if edit.kind == "bias":
        return f"the bias of {neuron(edit.layer + 1, edit.col)}"
    return f"the weight from {neuron(edit.layer, edit.row)} to {neuron(edit.layer + 1, edit.col)}"


def memory_sentence(model):
    """What Train does with an edited model, truthfully for its optimizer."""
    optimizer = model.optimizer
    name = type(optimizer).__name__
    kept = {"Adam": "its moving averages of past gradients and of their squares",
            "RMSprop": "its moving average of squared gradients", "Adagrad": "its sum of squared gradients",
            "SGD": "its momentum (the velocity of past steps)" if getattr(optimizer, "momentum", 0) else None}[name]
    if optimizer.iterations == 0:
        memory = f"{name} has taken no step yet, so it starts from them with nothing remembered"
    elif kept:
        memory = f"{name} keeps {kept} and its step count, so its first steps still lean the way training was going"
    else:
        memory = f"{name} without momentum remembers no past gradient, only its step count (for the decay)"
    return f"Train carries on from these weights (they are the model's now); {memory}."


def measured(model, X, y):
    """The engine's numbers for the model as it is: {'loss': data loss, 'accuracy': ...}."""
    with np.errstate(all="ignore"):     # a huge weight may overflow; the loss then says so (infinity)
        return model.evaluate(X, y)


def receive(model, X, y, event, input_names=None, shown=""):
    """Check and apply one event. Returns (kind, message): ("success", what changed with the loss and
    accuracy before and after), or ("warning", why nothing changed)."""
    try:
        edit = check_event(event, model)
    except ValueError as refusal:
        return "warning", str(refusal)
    before = measured(model, X, y)
    old = apply(model, edit)
    after = measured(model, X, y)
    return "success", edit_sentence(model, edit, old, before, after, len(X), input_names, shown)


def edit_sentence(model, edit, old, before, after, samples, input_names=None, shown=""):
    """What an edit did, with the engine's numbers; ``shown``: a sentence on what the page redrew."""
    now = current_value(model, edit)
    # evaluate gives the data loss; with L1/L2 the progress line's loss adds the penalty to it.
    penalized = any(d.weight_l1 or d.weight_l2 or d.bias_l1 or d.bias_l2 for d in model.dense_layers)
    loss = "data loss" if penalized else "loss"
    return (f"You set {parameter_name(model, edit, input_names)} to {now:.6g} (it was {old:.6g}). Without "
            f"training, on the {samples:,} training samples: {loss} {readable(after['loss'])} (before: "
            f"{readable(before['loss'])}), accuracy {after['accuracy']:.3f} (before: {before['accuracy']:.3f}). "
            f"{shown}{' ' * bool(shown)}{memory_sentence(model)}")


# -- on the Training page ----------------------------------------------------------------------------


def keep_event(key, pending):
    """In an editor's on-change callback: keep its event (st.session_state[key].edit) at ``pending``."""
    value = st.session_state.get(key)
    event = value.get("edit") if isinstance(value, dict) else getattr(value, "edit", None)
    if event is not None:
        st.session_state[pending] = event


def redrawn(setup):
    """What the Training page redraws for the edited model (training_views.draw)."""
    if setup.raw is not None:
        return "The boundary and the validation counts above are this model's."
    if setup.task == "regression":
        return "The fit drawn above is this model's."
    return "The validation counts above are this model's."


def received():
    """The editor's on-change callback: keep the event for the training area, which applies it under its
    lock, before it draws (so the numbers and the boundary it draws are the edited model's)."""
    keep_event(EDITOR_KEY, PENDING)


def take_pending(run, training_now, settings):
    """Apply the event received since the last run of the training area, if any (refused while the run
    trains: the drawing is only shown, and so only clicked, when it is stopped)."""
    from ui.training_views import input_names  # here: training_views imports this module

    event = st.session_state.pop(PENDING, None)
    if event is None:
        return
    setup = run["setup"]
    if training_now:
        # Said at once (the drawing, where notes are shown, is hidden while the run trains).
        st.warning("The network is training: press Stop, then set the weight.", icon=":material/warning:")
        return
    if not len(setup.X):
        # Your own points (ui/training_touch.py), none placed yet: no loss to measure the edit by.
        st.warning("There is no training point to measure a weight on yet: add points to the plane, then set it.",
                   icon=":material/warning:")
        return
    note = receive(setup.model, setup.X, setup.y, event, input_names(settings, setup.model.n_inputs),
                   redrawn(setup))
    st.session_state[NOTE] = (*note, token_of(setup.model), setup.model.epochs_done)


def editor_view(model, layer_names, input_names):
    """The network drawing to click, and what the last edit did (while it is still the model's state)."""
    token = token_of(model)
    network_editor(EDITOR_KEY, editor_data(model, token, layer_names, input_names), received)
    note = st.session_state.get(NOTE)
    if note and note[2:] == (token, model.epochs_done):
        getattr(st, note[0])(note[1], icon=":material/edit:" if note[0] == "success" else ":material/warning:")
