"""A Training-page model in a file and back. The file is the engine's (weights, the optimizer's state,
the History) with the page's settings as its metadata, and the state of the run's shuffle stream; a
load puts those settings on the controls, so the controls, the script, the curves and the progress
describe the loaded model, and Train continues it exactly as if it had never left the page."""

import dataclasses
import io

import numpy as np
import streamlit as st

import nnengine as nn
from ui import training
from ui.training_controls import CONTROLS, checked_setting, put_on_controls

APP = "Neural Network Explorer: Training page"
RESULT = "model_load_result"       # session key: (kind, message) of the last load
MAX_MB = 20                        # the largest network the page builds (six layers of 512) saves, Adam's memories
                                   # with it, to 15 MB
PENDING = "loaded_model"           # session key: a loaded model waiting for the page to make it the run


def metadata(run):
    """The page's settings (and the shuffle stream's state) as JSON for the file."""
    settings = {key: list(value) if isinstance(value, tuple) else value
                for key, value in dataclasses.asdict(run["settings"]).items()}
    rng = run["fit"].get("rng")
    shuffle = None
    if rng is not None:
        name, keys, position, has_gauss, cached = rng.get_state()
        shuffle = [name, keys.tolist(), int(position), int(has_gauss), float(cached)]
    return {"app": APP, "settings": settings, "shuffle": shuffle}


def saved_bytes(run):
    saved = io.BytesIO()
    run["setup"].model.save(saved, metadata=metadata(run))
    return saved.getvalue()


def settings_from_file(model, current):
    """The settings that describe a loaded ``model``: the page's own, when the file carries them (each
    checked as a link's value is; an invalid one keeps the current value), else the network read from
    the model itself on the current data. Returns (settings, whether the file carried them)."""
    meta = model.metadata if isinstance(model.metadata, dict) else {}
    saved = meta.get("settings") if meta.get("app") == APP else None
    if isinstance(saved, dict):
        values = {}
        for control in CONTROLS:
            if control.key in saved and hasattr(current, control.key):
                try:
                    values[control.key] = checked_setting(control, saved[control.key])
                except (ValueError, TypeError):
                    pass
        if values.get("dataset") == "upload" or current.dataset == "upload":
            # The CSV is not in the file: keep the data the page has now.
            for key in ("dataset", "samples", "classes", "noise", "val_split", "val_samples", "val_fixed", "seed"):
                values.pop(key, None)
        return dataclasses.replace(current, **values), True
    dense = model.dense_layers
    if not dense:
        return current, False              # nothing to read (model_misfit says why it cannot be used)
    activations = [name for layer in model.layers for name, kind in training.ACTIVATIONS.items()
                   if type(layer) is kind]
    dropouts = [layer.rate for layer in model.layers if isinstance(layer, nn.Dropout)]
    values = {"hidden": tuple(layer.n_neurons for layer in dense[:-1]),
              "activation": activations[0] if len(dense) > 1 and activations else current.activation,
              "dropout": dropouts[0] if dropouts else 0.0, "book_precision": dense[0].book_precision,
              "l1": dense[0].weight_l1 if len(dense) > 1 else 0.0, "l2": dense[0].weight_l2 if len(dense) > 1 else 0.0}
    optimizer = model.optimizer
    if optimizer is not None and type(optimizer).__name__ in training.OPTIMIZERS:
        config = optimizer.config()
        values.update(optimizer=type(optimizer).__name__, lr=config["learning_rate"], decay=config["decay"])
        if "momentum" in config:
            values["momentum"] = config["momentum"]
    return dataclasses.replace(current, **values), False


def shuffle_stream(model):
    """The run's shuffle stream as the file left it (a RandomState), or None."""
    meta = model.metadata if isinstance(model.metadata, dict) else {}
    state = meta.get("shuffle") if meta.get("app") == APP else None
    if not state:
        return None
    rng = np.random.RandomState()
    name, keys, position, has_gauss, cached = state
    rng.set_state((name, np.array(keys, dtype=np.uint32), position, has_gauss, cached))
    return rng


def load_model_file():
    """The model uploader's on_change (it runs before the page, so it may set the controls): read the file,
    check the model fits the data its settings give, put those settings on the controls and leave the
    model for the page (``PENDING``), or say what is wrong (``RESULT``)."""
    from ui.training_views import model_misfit

    st.session_state.pop(RESULT, None)
    upload, run = st.session_state.get("model_upload"), st.session_state.get("training_run")
    if upload is None or run is None:
        return
    try:
        model = nn.Model.load(io.BytesIO(upload.getvalue()))
        settings, carried = settings_from_file(model, run["settings"])
        setup = run["setup"] if settings.dataset == "upload" else training.build(settings)
        problem = model_misfit(model, setup)
        if problem is None:
            rng = shuffle_stream(model)
            no_optimizer = model.optimizer is None
            if no_optimizer:                 # saved without one: it trains with the optimizer of its settings
                model.optimizer = setup.model.optimizer
            accuracy = model.evaluate(setup.X_val, setup.y_val)["accuracy"]
    except nn.ModelFileError as error:
        problem = f"That file cannot be loaded: {error}."
    except (ValueError, FloatingPointError) as error:     # the checks above should leave none: say so
        problem = f"That model cannot run on this data: {error}."
    if problem is not None:
        st.session_state[RESULT] = ("error", problem)
        return
    put_on_controls(settings)
    st.session_state[PENDING] = {"settings": settings, "model": model, "rng": rng}
    where = ("the page's settings it was saved with are back on the controls" if carried
             else "the file has no page settings, so the controls show the network read from it, on this data")
    state = (f"it has trained {model.epochs_done:,} epochs, and Train carries on from there exactly"
             if model.state_restored else
             "the file holds weights only (an older file): Train carries on from them with a fresh optimizer")
    if no_optimizer:
        state = (f"it has trained {model.epochs_done:,} epochs; Train carries on from its weights with this page's "
                 "optimizer (the file has none)")
    st.session_state[RESULT] = ("success", f"Loaded a model with {model.count_parameters():,} parameters; its "
                                           f"accuracy on the validation data is {accuracy:.3f}. {where.capitalize()}; "
                                           f"{state}.")


def model_upload():
    """The uploader, and what the last load gave."""
    st.file_uploader("Load a saved model (.npz)", type=["npz"], key="model_upload", on_change=load_model_file,
                     max_upload_size=MAX_MB,
                     help="A model downloaded from this page: its settings come back with it.")
    pending = st.session_state.get(PENDING)
    if pending is not None:
        # This uploader is in the training fragment, whose reruns leave the controls outside it as they were:
        # the whole page runs again, and the page makes the model its run (app_pages/training.py).
        if not pending.get("page_ran"):
            pending["page_ran"] = True
            st.rerun(scope="app")
        del st.session_state[PENDING]         # the page ran and did not take it: say so rather than loop
        st.session_state[RESULT] = ("error", "The model loaded, but the page could not put its settings on the "
                                             "controls; load it again.")
    result = st.session_state.get(RESULT)
    if result is not None and st.session_state.get("model_upload") is not None:
        kind, text = result
        getattr(st, kind)(text, icon=":material/check_circle:" if kind == "success" else ":material/error:")
