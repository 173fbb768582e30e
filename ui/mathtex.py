"""LaTeX for numbers, vectors and matrices, so the math on a page is written with the
page's own current values."""

import numpy as np

from ui.matrix import format_number


def number(value, digits=10):
    text = format_number(round(float(value), digits))
    return f"({text})" if text.startswith("-") else text


def matrix(array, digits=10):
    """A bracketed matrix (a 1-D array becomes one row)."""
    array = np.atleast_2d(np.asarray(array, dtype=float))
    rows = r" \\ ".join(" & ".join(format_number(round(v, digits)) for v in row) for row in array)
    return r"\begin{bmatrix}" + rows + r"\end{bmatrix}"


def shape(array_or_shape):
    dims = array_or_shape if isinstance(array_or_shape, tuple) else np.shape(array_or_shape)
    return "(" + r"\times ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def underset(tex, array):
    """The matrix with its shape written underneath."""
    return r"\underset{" + shape(array) + "}{" + tex + "}"
