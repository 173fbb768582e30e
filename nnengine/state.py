"""The training state a model file carries, so that save, load and fit go on exactly as fit alone.

Weights are not enough to continue training. Also needed: the optimizer's step count (Adam's bias
correction and the learning-rate decay depend on it), its current rate and its memories
(momentums, caches), the History and ``epochs_done``, and every Dropout layer's random state
(the next masks). All of it is numbers: a RandomState's ``get_state()`` is an array of 624
integers and three numbers, so nothing needs pickle. ``files.py`` calls ``describe`` when saving
and ``restore`` when loading; whatever a file says is checked as strictly as its weights.
"""

import numpy as np

from . import layers

HISTORY_COLUMNS = ("epoch", "loss", "data_loss", "reg_loss", "accuracy", "learning_rate", "val_loss",
                   "val_accuracy", "batch", "batches")
MEMORY_PREFIX = "optimizer_"
RNG_KEYS = "layer{}_rng_keys"


class StateError(ValueError):
    """A saved state that cannot be restored (files.py turns it into a ModelFileError)."""


# -- saving ------------------------------------------------------------------------------------------


def describe(model):
    """(JSON-able dict, {name: array}) holding the model's training state."""
    description, arrays = {"epochs_done": model.epochs_done, "dropout": {}}, {}
    optimizer = model.optimizer
    if optimizer is not None:
        description["optimizer_state"] = {"iterations": optimizer.iterations,
                                          "current_learning_rate": float(optimizer.current_learning_rate)}
        for name, flat in optimizer.flat_memories(model.dense_layers).items():
            arrays[MEMORY_PREFIX + name] = flat
    for i, layer in enumerate(model.layers):
        if isinstance(layer, layers.Dropout):
            description["dropout"][str(i)] = _rng_state(layer.rng, arrays, i)
    arrays["history"] = _history_array(model.history)
    return description, arrays


def _rng_state(rng, arrays, index):
    if isinstance(rng, np.random.RandomState):
        kind, keys, pos, has_gauss, cached = rng.get_state()
        arrays[RNG_KEYS.format(index)] = keys
        return {"type": "RandomState", "pos": int(pos), "has_gauss": int(has_gauss), "cached_gaussian": float(cached)}
    # A Generator's state is a dict of plain integers (PCG64 and the other bit generators).
    return {"type": "Generator", "state": rng.bit_generator.state}


def _history_array(history):
    """One row per record, NaN where a value is None (or where a full epoch has no 'batch')."""
    rows = [[np.nan if record.get(column) is None else record[column] for column in HISTORY_COLUMNS]
            for record in history]
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(HISTORY_COLUMNS))


# -- loading -----------------------------------------------------------------------------------------


def restore(model, description, arrays):
    """Put the saved training state into a freshly built ``model``; raise StateError if any of it
    is wrong. Takes the arrays it uses out of ``arrays``."""
    if not isinstance(description, dict):
        raise StateError("the file has no training state")
    epochs_done = description.get("epochs_done")
    if isinstance(epochs_done, bool) or not isinstance(epochs_done, int) or epochs_done < 0:
        raise StateError(f"epochs_done must be a whole number of at least 0, got {epochs_done!r}")
    model.epochs_done = epochs_done
    model.history = _history(arrays.pop("history", None), epochs_done)
    _restore_dropout(model, description.get("dropout"), arrays)
    _restore_optimizer(model, description.get("optimizer_state"), arrays)


def _history(table, epochs_done):
    from .model import History

    if table is None:
        raise StateError("the file has no training history")
    if table.dtype != np.float64 or table.ndim != 2 or table.shape[1] != len(HISTORY_COLUMNS):
        raise StateError(f"the training history has shape {table.shape} ({table.dtype}); "
                         f"expected (epochs, {len(HISTORY_COLUMNS)}) float64")
    columns = dict(zip(HISTORY_COLUMNS, table.T))
    epochs = columns["epoch"]
    if len(table) and not (np.all(epochs == np.round(epochs)) and np.all(np.diff(epochs) > 0)
                           and epochs[0] >= 0 and epochs[-1] < epochs_done):
        raise StateError(f"the history's epoch numbers must be whole, increasing and below epochs_done "
                         f"({epochs_done})")
    for name in ("loss", "data_loss", "reg_loss", "accuracy", "learning_rate"):
        if not np.isfinite(columns[name]).all():
            raise StateError(f"the history's {name} holds NaN or infinite values")
    for name in ("accuracy", "val_accuracy"):
        values = columns[name][~np.isnan(columns[name])]
        if np.any((values < 0) | (values > 1)):
            raise StateError(f"the history's {name} must lie between 0 and 1")
    batch, batches = columns["batch"], columns["batches"]
    partial = ~np.isnan(batch)
    if np.any(partial != ~np.isnan(batches)) or np.any(np.isinf(columns["val_loss"])) or not (
            np.all(batch[partial] == np.round(batch[partial]))
            and np.all((batch[partial] >= 1) & (batch[partial] < batches[partial]))):
        raise StateError("the history's partial epochs must say which batch of how many they reached")
    records = []
    for row, is_partial in zip(table, partial):
        record = {name: (None if np.isnan(value) else float(value))
                  for name, value in zip(HISTORY_COLUMNS[:-2], row)}
        record["epoch"] = int(record["epoch"])
        if is_partial:
            record.update(partial=True, batch=int(row[-2]), batches=int(row[-1]))
        records.append(record)
    return History(records)


def _restore_dropout(model, saved, arrays):
    dropouts = {str(i): layer for i, layer in enumerate(model.layers) if isinstance(layer, layers.Dropout)}
    if not isinstance(saved, dict) or set(saved) != set(dropouts):
        raise StateError("the random states saved do not match the model's Dropout layers")
    for index, layer in dropouts.items():
        spec = saved[index]
        try:
            if spec["type"] == "RandomState":
                keys = arrays.pop(RNG_KEYS.format(index))
                if keys.dtype != np.uint32 or keys.shape != (624,):
                    raise ValueError("its key must be 624 unsigned 32-bit integers")
                pos, has_gauss, cached = spec["pos"], spec["has_gauss"], spec["cached_gaussian"]
                if not (isinstance(pos, int) and 0 <= pos <= 624 and has_gauss in (0, 1)
                        and isinstance(cached, (int, float)) and np.isfinite(cached)):
                    raise ValueError("its position or cached value is out of range")
                rng = np.random.RandomState()
                rng.set_state(("MT19937", keys, pos, has_gauss, float(cached)))
            elif spec["type"] == "Generator":
                state = spec["state"]
                bit_generator = getattr(np.random, str(state["bit_generator"]))
                if bit_generator not in (np.random.PCG64, np.random.PCG64DXSM, np.random.MT19937,
                                         np.random.Philox, np.random.SFC64):
                    raise ValueError(f"unknown bit generator {state['bit_generator']!r}")
                generator = bit_generator()
                generator.state = state
                rng = np.random.Generator(generator)
            else:
                raise ValueError(f"unknown kind {spec['type']!r}")
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
            raise StateError(f"the random state of Dropout layer {index} is bad: {error}") from None
        layer.rng = rng


def _restore_optimizer(model, saved, arrays):
    memories = {key[len(MEMORY_PREFIX):]: arrays.pop(key) for key in list(arrays) if key.startswith(MEMORY_PREFIX)}
    optimizer = model.optimizer
    if optimizer is None:
        if saved is not None or memories:
            raise StateError("the file holds an optimizer's state but no optimizer")
        return
    if not isinstance(saved, dict):
        raise StateError("the file has no optimizer state")
    iterations, rate = saved.get("iterations"), saved.get("current_learning_rate")
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 0:
        raise StateError(f"the optimizer's step count must be a whole number of at least 0, got {iterations!r}")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not np.isfinite(rate) or rate <= 0:
        raise StateError(f"the optimizer's current learning rate must be a positive number, got {rate!r}")
    size = sum(array.size for _, array in model.parameters())
    expected = {"SGD": {"momentums"} if getattr(optimizer, "momentum", 0) else set(),
                "Adagrad": {"cache"}, "RMSprop": {"cache"}, "Adam": {"momentums", "cache"}}[type(optimizer).__name__]
    if iterations == 0:
        expected = set()                 # no step yet: nothing remembered
    if set(memories) != expected:
        raise StateError(f"the optimizer's memories are {sorted(memories)}, but after {iterations} steps "
                         f"{type(optimizer).__name__} keeps {sorted(expected)}")
    for name, flat in memories.items():
        if flat.shape != (size,):
            raise StateError(f"the optimizer's {name} have shape {flat.shape}; the model has {size} parameters")
        if flat.dtype != model.dtype:
            raise StateError(f"the optimizer's {name} are {flat.dtype} numbers; the model's are {model.dtype}")
        if not np.isfinite(flat).all():
            raise StateError(f"the optimizer's {name} contain NaN or infinite values")
        if name == "cache" and np.any(flat < 0):
            raise StateError("the optimizer's cache (a sum of squares) holds negative numbers")
    optimizer.restore(model.dense_layers, iterations, float(rate), memories)
