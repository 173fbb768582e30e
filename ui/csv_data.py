"""A dataset uploaded as CSV, for the Training page: bytes in, checked arrays out, without Streamlit.

``parse_csv`` reads the file (text only, with pandas; nothing in it is ever executed or evaluated),
``guess_target`` picks the likely label column, ``prepare`` turns the table into X (n, k) float32
and class labels (n,) int64 or regression targets (n, 1) float32, and ``scale`` standardises
features by the training columns' statistics. Every problem is a ``CsvError`` whose message says
what is wrong and where.
"""

import csv
import io
import json
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from ui.matrix import count

MAX_BYTES = 5 * 1024 * 1024
UPLOAD_LIMIT_MB = 20        # what the uploader lets through, so that MAX_BYTES is checked (and said) by the page
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
MIN_ROWS = 10
MAX_CLASSES = 20
TASKS = ("classification", "regression")
TARGET_NAMES = ("label", "target", "class", "y")      # guess_target's preference, case-insensitive

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # not tab, newline, form feed or return
_MARKUP = re.compile(r"\s*<(!doctype|html|head|body|table|\?xml|svg)\b", re.IGNORECASE)
# The first bytes of files a learner may pick by mistake: what the file is, and what to do instead.
_SIGNATURES = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx or LibreOffice .ods workbook is one)",
     "save the sheet as 'CSV UTF-8'"),
    (b"\xd0\xcf\x11\xe0", "an Excel .xls workbook", "save the sheet as 'CSV UTF-8'"),
    (b"\x1f\x8b", "a gzip-compressed file", "decompress it and upload the .csv inside"),
    (b"\x89PNG", "a PNG image", "upload the table of numbers, saved as CSV"),
    (b"\xff\xd8\xff", "a JPEG image", "upload the table of numbers, saved as CSV"),
    (b"GIF8", "a GIF image", "upload the table of numbers, saved as CSV"),
    (b"%PDF", "a PDF document", "export the table itself as CSV"),
)


class CsvError(ValueError):
    """An uploaded CSV that cannot be used; the message is meant for the learner."""


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame           # the parsed cells, one column per CSV column
    columns: tuple                # the column names (x1..x{n-1}, label when the file had no header)
    had_header: bool              # False: the first row was all numbers, so it was read as data

    @property
    def rows(self):
        return len(self.frame)


def _spaced(number):
    return f"{number:,}".replace(",", " ")


def _count(number, word):
    return f"{_spaced(number)} {word}{'' if number == 1 else 's'}"


def _show(value, width=40):
    text = str(value)
    return repr(text if len(text) <= width else text[: width - 3] + "...")


def _utf16_without_bom(data):
    """UTF-16 text with no byte-order mark: each plain (ASCII) character is two bytes, one of
    them zero, so every other byte is zero and the bytes between are not."""
    sample = data[:1000]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return ((odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0)
            or (even.count(0) >= 0.9 * len(even) and odd.count(0) == 0))


def _decode(data):
    """The file's text with every line ending in a newline, or a CsvError saying what the file is
    instead (another kind of file, another encoding, binary data, a web page, JSON)."""
    for signature, what, fix in _SIGNATURES:
        if data.startswith(signature):
            raise CsvError(f"this is {what}, not a CSV file; {fix}")
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):     # checked first: it starts like UTF-16's
        raise CsvError("the file is UTF-32 text, not UTF-8; save it as 'CSV UTF-8'")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or _utf16_without_bom(data):
        raise CsvError("the file is UTF-16 text, not UTF-8; save it as 'CSV UTF-8'")
    if b"\x00" in data:
        raise CsvError("this is not a text CSV file (it holds binary data); export the sheet as CSV")
    try:
        text = data.decode("utf-8-sig")          # UTF-8, with or without the byte-order mark
    except UnicodeDecodeError as error:
        if len(_CONTROL.findall(data.decode("latin-1"))) > 0.01 * len(data):
            raise CsvError("this is not a text CSV file (it holds binary data); export the sheet as CSV") from None
        raise CsvError(f"the file is not UTF-8 text (byte {error.start + 1} cannot be read); "
                       "save it as 'CSV UTF-8'") from None
    if _CONTROL.search(text):
        raise CsvError("this is not a text CSV file (it holds control characters); export the sheet as CSV")
    if _MARKUP.match(text):
        raise CsvError("this is a web page (HTML or XML), not a CSV file; if it came from a website, download "
                       "the raw file")
    if _is_json(text):
        raise CsvError("this is JSON, not a CSV file; save the data as a table: one sample per row, values "
                       "separated by commas")
    # Old Mac files end lines with a lone carriage return: make every line end with a newline.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_json(text):
    """A JSON object or list (only parsed, like everything here, never run)."""
    if text.lstrip()[:1] not in ("{", "["):
        return False
    try:
        return isinstance(json.loads(text), (dict, list))
    except (ValueError, RecursionError):
        return False


def _is_number(cell):
    cell = cell.strip()
    if not cell or "_" in cell:
        return False
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _blank(record):
    return not record or (len(record) == 1 and not record[0].strip())


def _scan(text):
    """The first record and the number of records, checking every record's width (csv module,
    which quotes as pandas does) before pandas reads anything."""
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    first, width, count = None, 0, 0
    try:
        for record in reader:
            if _blank(record):
                continue
            if first is None:
                first, width = record, len(record)
                if width > MAX_COLUMNS:
                    raise CsvError(f"the file has {_spaced(width)} columns, more than the {_spaced(MAX_COLUMNS)} "
                                   "allowed; remove some feature columns")
            elif len(record) != width:
                raise CsvError(f"line {reader.line_num} has {_count(len(record), 'field')} but the first line has "
                               f"{width}; every row needs the same number of columns")
            count += 1
            if count > MAX_ROWS + 1:
                raise CsvError(f"the file has over {_spaced(MAX_ROWS)} rows; use a sample of at most "
                               f"{_spaced(MAX_ROWS)}")
    except csv.Error as error:
        if "field limit" in str(error):
            raise CsvError(f"line {reader.line_num} has a cell over {_spaced(csv.field_size_limit())} characters "
                           'long; is a quote (") left open?') from None
        raise CsvError(f"the CSV cannot be read near line {reader.line_num}: {error}") from None
    return first, count


def parse_csv(data: bytes) -> Table:
    """Read an uploaded CSV. A first row of numbers only means no header: the columns are then
    named x1..x{n-1} and the last one "label"."""
    if len(data) > MAX_BYTES:
        raise CsvError(f"the file is too large: {len(data) / 1024 / 1024:.1f} MB, at most "
                       f"{MAX_BYTES // 1024 // 1024} MB; use a sample of its rows")
    text = _decode(bytes(data))
    if not text.strip():
        raise CsvError("the file is empty: no rows")
    first, count = _scan(text)
    if first is None:
        raise CsvError("the file is empty: no rows")
    # No header when the first row is numbers (blank cells allowed: a missing value or a trailing comma).
    had_header = not (all(_is_number(cell) or not cell.strip() for cell in first)
                      and any(_is_number(cell) for cell in first))
    data_rows = count - 1 if had_header else count
    if data_rows > MAX_ROWS:
        raise CsvError(f"the file has over {_spaced(MAX_ROWS)} rows; use a sample of at most {_spaced(MAX_ROWS)}")
    if data_rows == 0:
        raise CsvError("the file has a header only: no data rows below it")
    names = [cell.strip() for cell in first if cell.strip()] if had_header else []
    twice = next((name for i, name in enumerate(names) if name in names[:i]), None)
    if twice is not None:
        raise CsvError(f"the column name {twice!r} appears twice; column names must differ")
    if len(first) < 2:
        hint = " (is it separated by ';' or tabs? commas are needed)" if (";" in text or "\t" in text) else ""
        raise CsvError(f"the file has a single column{hint}; it needs at least one feature column and a "
                       "label column")
    try:
        frame = pd.read_csv(io.StringIO(text), header=0 if had_header else None, index_col=False,
                            skipinitialspace=True, low_memory=False)
    except pd.errors.ParserError as error:
        raise CsvError(f"the CSV cannot be read: {str(error).strip().splitlines()[-1]}") from None
    except (ValueError, csv.Error) as error:        # e.g. pandas' EmptyDataError
        raise CsvError(f"the CSV cannot be read: {error}") from None
    # Drop the empty columns a trailing comma on every line makes (common in spreadsheet exports).
    empty = [column for column, name in zip(frame.columns, first)
             if not name.strip() and frame[column].isna().all()]
    frame = frame.drop(columns=empty)
    if frame.shape[1] == 0:
        raise CsvError("every cell of the file is empty")
    if frame.shape[1] < 2:
        raise CsvError("the file has a single column; it needs at least one feature column and a label column")
    if had_header:
        frame.columns = [str(column).strip() for column in frame.columns]
    else:
        frame.columns = [f"x{i}" for i in range(1, frame.shape[1])] + ["label"]
    return Table(frame=frame, columns=tuple(frame.columns), had_header=had_header)


def guess_target(table: Table) -> str:
    """The column named label, target, class or y (in that preference, any case), else the last."""
    lowered = {column.strip().lower(): column for column in reversed(table.columns)}
    for name in TARGET_NAMES:
        if name in lowered:
            return lowered[name]
    return table.columns[-1]


def _numbers(series, name, role):
    """The column as float64, or a CsvError naming it and its first bad row (1-based, header not counted)."""
    if is_bool_dtype(series):
        raise CsvError(f"{role} {name!r} holds True/False, not numbers; write them as 1 and 0")
    # A column with any text is read as strings (object or pandas' str dtype): convert what can be.
    values = series if is_numeric_dtype(series) else pd.to_numeric(series, errors="coerce")
    values = values.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(values)
    text = missing & series.notna().to_numpy()
    if text.any():
        row = int(np.argmax(text))
        fix = ("fix that cell, or remove the column (features must be numbers)" if role == "column" else
               "for labels choose classification (regression predicts a number)")
        raise CsvError(f"{role} {name!r} is not numeric: data row {row + 1} holds {_show(series.iloc[row])}; {fix}")
    if missing.any():
        row = int(np.argmax(missing))
        raise CsvError(f"{role} {name!r} has {_count(int(missing.sum()), 'empty or missing cell')} (first at data "
                       f"row {row + 1}); fill them in or remove those rows")
    with np.errstate(over="ignore"):
        infinite = ~np.isfinite(values) | ~np.isfinite(values.astype(np.float32))
    if infinite.any():
        row = int(np.argmax(infinite))
        raise CsvError(f"{role} {name!r} has infinite or too large values (first at data row {row + 1}: "
                       f"{_show(series.iloc[row])}); replace them or remove those rows")
    return values


def _classes(series, name):
    if series.isna().any():
        row = int(np.argmax(series.isna().to_numpy()))
        raise CsvError(f"label column {name!r} has {_count(int(series.isna().sum()), 'empty or missing cell')} "
                       f"(first at data row {row + 1}); fill them in or remove those rows")
    if is_bool_dtype(series):
        labels = series
    elif not is_numeric_dtype(series):
        labels = series.astype(str).str.strip()
    else:
        numbers = series.to_numpy(dtype=np.float64)
        bad = ~np.isfinite(numbers) | (numbers != np.round(numbers))
        if bad.any():
            raise CsvError(f"label column {name!r} holds numbers that are not whole (data row "
                           f"{int(np.argmax(bad)) + 1}: {_show(series.iloc[int(np.argmax(bad))])}); classes need "
                           "whole numbers or names; for a quantity choose regression")
        labels = pd.Series(numbers.astype(np.int64))
    classes = sorted(labels.unique())
    if len(classes) < 2:
        raise CsvError(f"label column {name!r} has only one class ({_show(classes[0])}); "
                       "classification needs at least 2 different labels (is it the right column?)")
    if len(classes) > MAX_CLASSES:
        raise CsvError(f"label column {name!r} has {len(classes)} different labels, over {MAX_CLASSES} classes; "
                       "choose another column, or regression for a quantity")
    index = {label: i for i, label in enumerate(classes)}
    y = labels.map(index).to_numpy(dtype=np.int64)
    return y, [label.item() if isinstance(label, np.generic) else label for label in classes]


def prepare(table: Table, target: str, task: str):
    """X (n, k) float32 from every column but ``target``, unscaled; y (n,) int64 class indices in
    0..k-1 (labels sorted) for "classification" or (n, 1) float32 for "regression"; and info:
    {"target", "task", "features" (names), "rows", "classes" (original labels, sorted; None for
    regression)}."""
    if task not in TASKS:
        raise CsvError(f"the task must be one of {TASKS}, got {task!r}")
    if target not in table.columns:
        raise CsvError(f"there is no column {target!r}; the columns are {list(table.columns)}")
    rows = len(table.frame)
    if rows < MIN_ROWS:
        raise CsvError(f"the file has {count(rows, 'data row')}; at least {MIN_ROWS} rows are needed to train")
    features = [column for column in table.columns if column != target]
    X = np.empty((rows, len(features)), dtype=np.float32)
    for i, column in enumerate(features):
        X[:, i] = _numbers(table.frame[column], column, "column")
    info = {"target": target, "task": task, "features": features, "rows": rows, "classes": None}
    if task == "classification":
        y, info["classes"] = _classes(table.frame[target], target)
    else:
        y = _numbers(table.frame[target], target, "target column").astype(np.float32).reshape(-1, 1)
    return X, y, info


def scale(X_train, X_other=None):
    """Standardise both by the training columns' mean and standard deviation (a constant column
    divides by 1): (X_train_scaled, X_other_scaled) as float32; X_other may be None."""
    X_train = np.asarray(X_train, dtype=np.float64)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 1e-12 * np.maximum(np.abs(mean), 1.0), std, 1.0)   # constant (up to rounding): 1

    def apply(X):
        return None if X is None else ((np.asarray(X, dtype=np.float64) - mean) / std).astype(np.float32)

    return apply(X_train), apply(X_other)


