"""Input checks shared by the engine, so that bad input fails early with a message that says
what is wrong (instead of a numpy error three layers deeper)."""

import numpy as np


def as_batch(inputs, n_features, dtype, what="inputs"):
    """Return ``inputs`` as a 2-D float array of shape (n_samples, n_features) in ``dtype``.

    Raises ValueError for an empty batch, a wrong number of features or non-numeric values.
    """
    try:
        array = np.asarray(inputs, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} must be numbers: {error}") from None
    if array.ndim == 1 and n_features is not None:
        # One sample written as a flat list, as the book's first examples do.
        array = array.reshape(1, -1)
    if array.ndim != 2:
        raise ValueError(
            f"{what} must be a 2-D array (n_samples, n_features), got shape {array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{what} is an empty batch: it has no samples")
    if n_features is not None and array.shape[1] != n_features:
        raise ValueError(
            f"{what} have {array.shape[1]} features per sample but this layer expects "
            f"{n_features} (shape {array.shape}, expected (n_samples, {n_features}))"
        )
    return array


class LabelError(ValueError, TypeError):
    """Labels (true values) that are not what the loss or the model's output needs; the message
    says what was expected. Both a ValueError and a TypeError: wrong values and wrong kinds of
    label are one mistake to a learner, whichever an ``except`` clause names."""


def require_finite(array, what="inputs", original=None):
    """Raise ValueError if ``array`` holds NaN or an infinity.

    ``original``: the values before they were converted to ``array``'s dtype. When those are all
    finite, the infinities came from the conversion, and the message says so: 1e39 is a finite
    float64 but too large for float32, whose largest number is about 3.4e38.
    """
    if not np.isfinite(array).all():
        if original is not None and array.dtype != np.float64:
            wide = np.asarray(original, dtype=np.float64)
            if np.isfinite(wide).all():
                raise ValueError(
                    f"{what} hold values too large for {array.dtype} (largest magnitude "
                    f"{np.abs(wide).max():.3g}; {array.dtype} holds up to {np.finfo(array.dtype).max:.3g}): "
                    "rescale them, or build the model in float64")
        raise ValueError(f"{what} contain NaN or infinite values")
    return array


def whole_number(value, name, minimum=1):
    """``value`` as an int: a Python or numpy integer (not a bool, a float or a string) >= minimum."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return int(value)


def positive_int(value, name):
    return whole_number(value, name, 1)


def float_dtype(dtype):
    """``dtype`` as a numpy dtype, float32 or float64: the dtypes the engine computes in and a model
    file holds (an integer dtype would cut every value to a whole number; float16 keeps 3 digits)."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def real_number(value, name):
    """``value`` as a float: a Python or numpy int or float (not a bool, a string or None)."""
    if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0 or np.asarray(value).dtype.kind not in "iuf":
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


def non_negative(value, name):
    value = real_number(value, name)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number of at least 0, got {value!r}")
    return value


def positive(value, name):
    """A finite number above 0 (a learning rate, an epsilon)."""
    value = real_number(value, name)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number above 0, got {value!r}")
    return value


def fraction(value, name):
    """A number in [0, 1): a moving average's or momentum's share of the past. At 1 the past
    never fades (and Adam's bias correction divides by 1 - 1^t = 0); above 1 it grows each step."""
    value = real_number(value, name)
    if not 0.0 <= value < 1.0:         # False for NaN too
        raise ValueError(f"{name} must be at least 0 and below 1, in [0, 1), got {value!r}")
    return value
