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


def require_finite(array, what="inputs"):
    """Raise ValueError if ``array`` holds NaN or an infinity."""
    if not np.isfinite(array).all():
        raise ValueError(f"{what} contain NaN or infinite values")
    return array


def positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return int(value)


def non_negative(value, name):
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number of at least 0, got {value!r}")
    return value
