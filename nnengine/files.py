"""Saving and loading models as ONE .npz file: the arrays plus a JSON description.

Nothing in a file is ever executed: numpy reads it with ``allow_pickle=False`` and the JSON
names layers from a fixed list. Nor can a file make the loader set aside more memory than it
holds: every array's header is checked against the bytes behind it before numpy reads it. Any
problem with a file raises ModelFileError saying what it is.

Version 2 files also carry the training state (see ``state.py``) and the application's own
``metadata`` (a JSON dict). Version 1 files, written before, hold the weights and settings only.
"""

import io
import json
import tokenize
import zipfile
import zlib

import numpy as np

from . import activations, layers, losses, optimizers, state
from .checks import positive_int

FORMAT = "nnengine-model"
VERSION = 2
READABLE_VERSIONS = (1, 2)   # 1: weights and settings only; 2: also the training state and metadata
# Limits that keep a hostile file from exhausting memory when it is unpacked.
MAX_MEMBERS = 1000
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
FLOAT_TYPES = (np.dtype(np.float32), np.dtype(np.float64))     # the dtypes the engine computes in
ZIP_START = b"PK"            # every zip archive, and so every .npz file, starts with these two bytes
PICKLE_START = b"\x80"       # a pickle (protocol 2 and later) starts with this byte
# What reading a damaged archive can raise: a broken zip entry, bad compressed data (zlib), a
# compression method or encryption zipfile does not support, a wrong or cut-short .npy header (numpy
# parses a header's text as a Python literal, so damage there can also be a SyntaxError or TokenError).
UNREADABLE = (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, ValueError, OSError,
              EOFError, SyntaxError, tokenize.TokenError)

LAYER_TYPES = {cls.__name__: cls for cls in (
    layers.Dense, layers.Dropout, activations.ReLU, activations.LeakyReLU, activations.Sigmoid,
    activations.Tanh, activations.Linear, activations.Step, activations.Softmax)}
LOSS_TYPES = {cls.__name__: cls for cls in (
    losses.CategoricalCrossentropy, losses.BinaryCrossentropy, losses.MeanSquaredError,
    losses.MeanAbsoluteError)}
OPTIMIZER_TYPES = {cls.__name__: cls for cls in (
    optimizers.SGD, optimizers.Adagrad, optimizers.RMSprop, optimizers.Adam)}


class ModelFileError(ValueError):
    """A model file that cannot be loaded; the message says why."""


def saved_name(part, table, what):
    """The name a file gives ``part``'s class; a class the loader would not know (a learner's own
    subclass, say) raises ValueError now, instead of writing a file that cannot be loaded."""
    kind = type(part).__name__
    if table.get(kind) is not type(part):
        raise ValueError(f"a model with the {what} {kind} cannot be saved: a model file holds only nnengine's own "
                         f"{what}s ({', '.join(table)})")
    return kind


def describe_layer(layer):
    kind = saved_name(layer, LAYER_TYPES, "layer")
    if isinstance(layer, layers.Dense):
        return {"type": kind, "n_inputs": layer.n_inputs, "n_neurons": layer.n_neurons,
                "bias": layer.biases is not None, "weight_l1": layer.weight_l1,
                "weight_l2": layer.weight_l2, "bias_l1": layer.bias_l1, "bias_l2": layer.bias_l2,
                "book_precision": layer.book_precision}
    if isinstance(layer, layers.Dropout):
        return {"type": kind, "rate": layer.rate}
    if isinstance(layer, activations.LeakyReLU):
        return {"type": kind, "alpha": layer.alpha}
    return {"type": kind}


def save_model(model, file, metadata=None):
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict (or None), not {type(metadata).__name__}")
    training_state, arrays = state.describe(model)
    description = {
        "format": FORMAT, "version": VERSION,
        "layers": [describe_layer(layer) for layer in model.layers],
        "loss": saved_name(model.loss, LOSS_TYPES, "loss"),
        "optimizer": None if model.optimizer is None else {
            "type": saved_name(model.optimizer, OPTIMIZER_TYPES, "optimizer"), **model.optimizer.config()},
        "regression_precision": model.regression_precision,
        "state": training_state,
        "metadata": metadata,
    }
    # allow_nan=False: NaN is not JSON, and the file must be readable by any JSON reader.
    text = json.dumps(description, allow_nan=False)
    for i, layer in enumerate(model.layers):
        if isinstance(layer, layers.Dense):
            for name, array in layer.parameters().items():
                arrays[f"layer{i}_{name}"] = array
    if hasattr(file, "write"):
        np.savez(file, description=np.array(text), **arrays)
    else:
        # Through a handle: given a path, np.savez would append ".npz" to a name without it.
        with open(file, "wb") as handle:
            np.savez(handle, description=np.array(text), **arrays)


def _file_bytes(file):
    """All the bytes of a path or a binary file object."""
    if hasattr(file, "read"):
        data = file.read()
        if not isinstance(data, bytes):
            raise ModelFileError("a model file must be opened in binary mode")
        return data
    try:
        with open(file, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise ModelFileError(f"cannot read the model file: {error}") from None


def _check_array_header(archive, member):
    """Read an .npy member's header alone and refuse the array before numpy reads it, if need be.

    An .npy file is a short text header (the dtype and shape) followed by the raw numbers. numpy
    sets aside memory for the whole shape before it reads a single number, so a header claiming
    a trillion numbers would ask for terabytes: the claim is checked against the member's size
    first. A dtype holding Python objects is refused here too, since reading one means unpickling.
    """
    name = member.filename
    try:
        with archive.open(member) as stream:
            version = np.lib.format.read_magic(stream)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
            else:
                raise ValueError(f"unsupported .npy version {version}")
            header_bytes = stream.tell()
    except UNREADABLE as error:
        raise ModelFileError(f"{name!r} in the archive is not a readable numpy array ({error})") from None
    if dtype.hasobject:
        raise ModelFileError(f"the model file holds pickled objects (in {name!r}), which are never "
                             "loaded: they could run code")
    claimed = int(np.prod(shape, dtype=object)) * dtype.itemsize   # Python ints: no overflow
    if header_bytes + claimed > member.file_size:
        raise ModelFileError(f"{name!r} says it holds an array of shape {shape}, more numbers than the "
                             "file has: it is truncated or damaged")


def _read_npz(file):
    """Open an .npz safely and return (description dict, arrays dict).

    The archive is opened with zipfile and each array read with numpy's .npy reader, never
    allowing pickle. Every way a file can be wrong gets its own message, in the order a reader
    would notice: nothing there, not a zip at all, a zip cut short, members that are not arrays,
    arrays whose headers lie, and finally a missing or foreign description.
    """
    data = _file_bytes(file)
    if not data:
        raise ModelFileError("the model file is empty (0 bytes)")
    if data.startswith(PICKLE_START):
        raise ModelFileError("this is a pickle file, which is never loaded: it could run code")
    if not data.startswith(ZIP_START):
        raise ModelFileError("this is not a model file (a saved model is an .npz archive, a kind of zip "
                             "file, and this is not one)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except UNREADABLE:
        # A zip keeps its table of contents at the END of the file, so a file cut short (an
        # interrupted download) starts like a zip but cannot be opened as one.
        raise ModelFileError("the model file is truncated or damaged (it starts like an .npz archive "
                             "but its end is missing); download or save it again") from None
    with archive:
        # The sizes in the table of contents are what zipfile will unpack, at most: they bound
        # the memory a hostile file can take.
        if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise ModelFileError("the model file is too large once unpacked")
        contents = {}
        for member in members:
            if not member.filename.endswith(".npy"):
                raise ModelFileError(f"this zip file is not a saved model: it holds {member.filename!r}, "
                                     "which is not a numpy array")
            _check_array_header(archive, member)
            try:
                with archive.open(member) as stream:
                    array = np.lib.format.read_array(stream, allow_pickle=False)
            except UNREADABLE as error:
                raise ModelFileError(f"the model file is damaged ({member.filename!r}: {error})") from None
            contents[member.filename[:-len(".npy")]] = array
    if "description" not in contents:
        raise ModelFileError("the file has no model description: it was not written by Model.save")
    try:
        description = json.loads(str(contents.pop("description")))
    except (TypeError, ValueError, RecursionError):
        raise ModelFileError("the model description is not valid JSON") from None
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        raise ModelFileError("the file is not an nnengine model")
    if description.get("version") not in READABLE_VERSIONS:
        raise ModelFileError(f"unsupported model file version {description.get('version')!r}")
    return description, contents


def _known(name, table):
    return isinstance(name, str) and name in table


def _build_layer(spec, index, arrays):
    if not isinstance(spec, dict) or not _known(spec.get("type"), LAYER_TYPES):
        kind = spec.get("type") if isinstance(spec, dict) else spec
        raise ModelFileError(f"layer {index} has an unknown type {kind!r}")
    kind = spec["type"]
    options = {k: v for k, v in spec.items() if k != "type"}
    try:
        if kind == "Dense":
            # Check the stored arrays against the described size BEFORE building the layer, so a
            # file describing a huge layer cannot make the loader allocate it.
            described = (positive_int(options["n_inputs"], "n_inputs"),
                         positive_int(options["n_neurons"], "n_neurons"))
            stored = arrays.get(f"layer{index}_weights")
            if stored is None:
                raise ModelFileError(f"the file has no weights for layer {index}")
            if stored.shape != described:
                raise ModelFileError(
                    f"layer {index} weights have shape {stored.shape}, but the description says {described}")
            penalties = {k: options.get(k, 0.0) for k in ("weight_l1", "weight_l2", "bias_l1", "bias_l2")}
            book_precision = options.get("book_precision", False)
            if not isinstance(book_precision, bool):
                raise ValueError(f"book_precision must be true or false, got {book_precision!r}")
            return layers.Dense(options["n_inputs"], options["n_neurons"], bias=bool(options.get("bias", True)),
                                rng=0, weight_scale=0.0, book_precision=book_precision, **penalties)
        if kind == "Dropout":
            return layers.Dropout(options["rate"], rng=0)
        if kind == "LeakyReLU":
            return activations.LeakyReLU(options.get("alpha", 0.01))    # which refuses a NaN slope
        return LAYER_TYPES[kind]()
    except ModelFileError:
        raise                               # already says what is wrong (it is a ValueError too)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"layer {index} ({kind}) has bad settings: {error}") from None


def _set_array(layer, name, array, index):
    target = getattr(layer, name)
    if array.shape != target.shape:
        raise ModelFileError(
            f"layer {index} {name} have shape {array.shape}, but the description says {target.shape}")
    if array.dtype.kind != "f":
        raise ModelFileError(f"layer {index} {name} are not floating-point numbers")
    if array.dtype not in FLOAT_TYPES:
        # float16 would train badly (3 significant digits) and the engine computes in float32 or 64.
        raise ModelFileError(f"layer {index} {name} are {array.dtype} numbers; a model holds float32 or float64")
    if not np.isfinite(array).all():
        raise ModelFileError(f"layer {index} {name} contain NaN or infinite values")
    setattr(layer, name, array.astype(array.dtype, copy=True))


def load_model(file):
    from .model import Model

    description, arrays = _read_npz(file)
    specs = description.get("layers")
    if not isinstance(specs, list) or not specs:
        raise ModelFileError("the model description lists no layers")
    built = [_build_layer(spec, i, arrays) for i, spec in enumerate(specs)]
    width = None
    for i, layer in enumerate(built):
        if isinstance(layer, layers.Dense):
            if width is not None and layer.n_inputs != width:
                raise ModelFileError(
                    f"layer {i} takes {layer.n_inputs} inputs but the layer before gives {width}")
            width = layer.n_neurons
            for name in layer.parameters():
                key = f"layer{i}_{name}"
                if key not in arrays:
                    raise ModelFileError(f"the file has no {name} for layer {i}")
                _set_array(layer, name, arrays.pop(key), i)
    loss_name = description.get("loss")
    if not _known(loss_name, LOSS_TYPES):
        raise ModelFileError(f"unknown loss {loss_name!r}")
    optimizer = None
    spec = description.get("optimizer")
    if spec is not None:
        if not isinstance(spec, dict) or not _known(spec.get("type"), OPTIMIZER_TYPES):
            raise ModelFileError(f"unknown optimizer {spec!r}")
        try:
            optimizer = OPTIMIZER_TYPES[spec["type"]](**{k: float(v) for k, v in spec.items() if k != "type"})
        except (TypeError, ValueError) as error:
            raise ModelFileError(f"the optimizer has bad settings: {error}") from None
    try:            # the checks every model gets, e.g. CategoricalCrossentropy needs a final Softmax
        model = Model(built, loss=LOSS_TYPES[loss_name](), optimizer=optimizer)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"the file describes a model that cannot be built: {error}") from None
    precision = description.get("regression_precision")
    if precision is not None:
        if not isinstance(precision, (int, float)) or not np.isfinite(precision) or precision < 0:
            raise ModelFileError("the regression precision must be a non-negative number")
        model.regression_precision = float(precision)
    metadata = description.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise ModelFileError("the file's metadata must be a JSON object")
    model.metadata = metadata
    if description["version"] == 1:
        epochs = description.get("epochs_done", 0)
        model.epochs_done = epochs if isinstance(epochs, int) and epochs >= 0 else 0
        model.state_restored = False
    else:
        try:
            state.restore(model, description.get("state"), arrays)
        except state.StateError as error:
            raise ModelFileError(str(error)) from None
    if arrays:
        raise ModelFileError(f"the file holds arrays no layer uses: {sorted(arrays)}")
    return model
