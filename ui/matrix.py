"""Numbers typed by a learner: parse matrices and vectors from text, and write them back.

An editor shows one row per line with values separated by commas; a share link writes the same
matrix with rows split by ';' and values by ','. A row or matrix pasted from Python or numpy,
``[1.0, 2.0]``, ``[[1, 2], [3, 4]]`` or ``np.array([[1, 2], [3, 4]])``, is read too: as data, by
splitting at its brackets and commas, never evaluated. Pure functions, no Streamlit, so every rule
about bad input is tested directly.
"""

import math
import re

import numpy as np

from ui.numbers import power_of_ten

# Values beyond this are refused: they are typos, and they overflow the math downstream.
MAX_ABS = 1e6
MAX_ROWS = 12
MAX_COLS = 12


class MatrixError(ValueError):
    """Text that is not a usable matrix; the message says what to fix."""


def _number(cell, row, col):
    cell = cell.strip()
    where = f"row {row}, value {col}"
    if cell == "":
        raise MatrixError(f"{where.capitalize()} is empty: type a number there.")
    try:
        value = float(cell)
    except ValueError:
        raise MatrixError(f"{where.capitalize()} ('{cell[:20]}') is not a number.") from None
    if math.isnan(value) or math.isinf(value):
        raise MatrixError(f"{where.capitalize()} is {cell}: only finite numbers are allowed.")
    if abs(value) > MAX_ABS:
        raise MatrixError(
            f"{where.capitalize()} ({cell[:20]}) is too large: keep values within ±{MAX_ABS:,.0f}.")
    return value


# What a pasted numpy call may wrap a list in: np.array( ... ), numpy.array( ... ), with an optional dtype.
NUMPY_CALL = re.compile(r"^(?:np|numpy)\.(?:array|asarray)\((.*?)(?:,\s*dtype\s*=\s*[\w.]+)?\)$", re.S)


def list_rows(text, what="matrix"):
    """The rows of a matrix written as a Python or numpy list, as comma-separated lines (the
    editor's own form), or None when ``text`` is not written with brackets. Only brackets,
    commas and numbers are read: '[1, 2]' is one row, '[[1, 2], [3, 4]]' two."""
    text = text.strip()
    call = NUMPY_CALL.match(text)
    if call:
        text = call.group(1).strip()
    if not text.startswith("["):
        if "[" in text or "]" in text:
            raise MatrixError(f"{what.capitalize()}: a list starts with '[' (e.g. [1, 2] or [[1, 2], [3, 4]]).")
        return None
    flat = re.sub(r"\s+", "", text)
    flat = re.sub(r",(?=\])", "", flat)                  # Python allows a comma before a closing bracket
    if flat.count("[") != flat.count("]") or not flat.endswith("]"):
        raise MatrixError(f"{what.capitalize()}: the brackets do not match: every '[' needs its ']'.")
    if not flat.startswith("[["):                          # one row: [1, 2, 3]
        inner = flat[1:-1]
        if "[" in inner or "]" in inner:
            raise MatrixError(f"{what.capitalize()}: write one row as [1, 2, 3] or rows as [[1, 2], [3, 4]].")
        if not inner:
            raise MatrixError(f"{what.capitalize()}: the list is empty; put numbers between the brackets.")
        return [inner]
    if not flat.endswith("]]") or re.search(r"\[\[\[", flat):
        raise MatrixError(f"{what.capitalize()}: a matrix is a list of rows, [[1, 2], [3, 4]], nested two deep.")
    rows = flat[2:-2].split("],[")
    if any("[" in row or "]" in row for row in rows):
        raise MatrixError(f"{what.capitalize()}: rows are separated by commas: [[1, 2], [3, 4]].")
    return rows


def parse_matrix(text, row_sep="\n", shape=None, what="matrix"):
    """Parse text into a 2-D float array; raise MatrixError saying what is wrong.

    ``shape`` = (rows, cols) with None for "any" restricts the size. Text in brackets is read as
    a Python or numpy list (``list_rows``).
    """
    if not isinstance(text, str):
        raise MatrixError(f"{what.capitalize()} must be text.")
    listed = list_rows(text, what)
    lines = listed if listed is not None else [line for line in text.strip().split(row_sep) if line.strip()]
    if not lines:
        raise MatrixError(f"Nothing is typed in {what}: type numbers, one row per line, separated by commas.")
    if len(lines) > MAX_ROWS:
        raise MatrixError(f"{what.capitalize()} has {len(lines)} rows; at most {MAX_ROWS} are allowed.")
    rows = []
    for r, line in enumerate(lines, start=1):
        cells = line.replace(";", ",").split(",")
        if len(cells) > MAX_COLS:
            raise MatrixError(f"Row {r} has {len(cells)} values; at most {MAX_COLS} are allowed.")
        rows.append([_number(cell, r, c) for c, cell in enumerate(cells, start=1)])
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        counts = ", ".join(f"row {r} has {len(row)}" for r, row in enumerate(rows, start=1))
        raise MatrixError(f"Every row needs the same number of values: {counts}.")
    array = np.array(rows, dtype=float)
    if shape is not None:
        want_rows, want_cols = shape
        if want_rows is not None and array.shape[0] != want_rows:
            raise MatrixError(f"{what.capitalize()} needs {want_rows} row(s), one per line; it has {array.shape[0]}.")
        if want_cols is not None and array.shape[1] != want_cols:
            raise MatrixError(f"{what.capitalize()} needs {want_cols} value(s) per row; it has {array.shape[1]}.")
    return array


def parse_vector(text, length=None, what="list"):
    """Parse one row of comma-separated numbers into a 1-D float array."""
    listed = isinstance(text, str) and list_rows(text, what) is not None
    if isinstance(text, str) and not listed and ("\n" in text.strip() or ";" in text):
        raise MatrixError(f"{what.capitalize()} is a single row: separate its values with commas, on one line.")
    return parse_matrix(text, shape=(1, length), what=what)[0]


def format_number(value):
    """Short, exact-looking text for a number: 2.0 -> '2', 0.1 + 0.2 -> '0.3'."""
    text = f"{value:.10g}"
    return "0" if text == "-0" else text


def readable(value, decimals=4):
    """A measured number (a loss, a rate, an error) as a learner reads it: ``decimals`` places for
    ordinary sizes (0.0829), powers of ten for huge and tiny ones (1.85 × 10³⁴, 1.13 × 10⁻⁶) where
    fixed places would print 36 digits or 0.0000."""
    value = float(value)
    if not math.isfinite(value):
        return "not a number" if math.isnan(value) else ("infinity" if value > 0 else "minus infinity")
    if value == 0 or 10.0 ** -decimals <= abs(value) < 1e5:
        return f"{value:.{decimals}f}"
    mantissa, exponent = f"{value:.2e}".split("e")
    return power_of_ten(mantissa, exponent, "unicode")


def count(n, noun, plural=None):
    """'1 row', '2 rows', '1,437 rows': a number with its noun in the right number (``plural`` for a
    noun that does not just take an s)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def format_matrix(array, row_sep="\n", value_sep=", "):
    array = np.atleast_2d(np.asarray(array, dtype=float))
    return row_sep.join(value_sep.join(format_number(v) for v in row) for row in array)


def to_url(array):
    """A matrix in the share-link form: '1,2;3,4'."""
    return format_matrix(array, row_sep=";", value_sep=",")


def from_url(text, shape=None, what="matrix"):
    return parse_matrix(text, row_sep=";", shape=shape, what=what)
