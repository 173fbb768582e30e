"""ui.csv_data: an uploaded CSV parsed, checked and turned into arrays, with a clear message for every bad file."""

import gzip

import numpy as np
import pytest

import nnengine as nn
from ui.csv_data import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    CsvError,
    Table,
    guess_target,
    parse_csv,
    prepare,
    scale,
)


def csv_bytes(header, rows):
    lines = ([",".join(header)] if header else []) + [",".join(str(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def good_rows(n=12):
    return [[i * 0.5, -i, "cat" if i % 3 == 0 else ("ant" if i % 3 == 1 else "bee")] for i in range(n)]


def good(n=12):
    return csv_bytes(["x", "y2", "species"], good_rows(n))


def error_of(data):
    with pytest.raises(CsvError) as raised:
        parse_csv(data)
    return str(raised.value)


def prepare_error(data, target, task="classification"):
    table = parse_csv(data)
    with pytest.raises(CsvError) as raised:
        prepare(table, target, task)
    return str(raised.value)


# --- good files ------------------------------------------------------------------------------------------------

def test_header_and_string_labels_round_trip():
    table = parse_csv(good())
    assert isinstance(table, Table) and table.had_header
    assert table.columns == ("x", "y2", "species") and table.rows == 12
    assert guess_target(table) == "species"                 # no label-like name: the last column
    X, y, info = prepare(table, "species", "classification")
    assert X.shape == (12, 2) and X.dtype == np.float32
    assert y.shape == (12,) and y.dtype.kind == "i"
    assert info["classes"] == ["ant", "bee", "cat"]       # sorted; y indexes into them
    assert info["features"] == ["x", "y2"] and info["rows"] == 12
    np.testing.assert_array_equal(X[:, 0], np.arange(12) * 0.5)
    names = np.array(info["classes"])[y]
    assert list(names[:4]) == ["cat", "ant", "bee", "cat"]


def test_integer_labels_sorted_numerically_and_any_column_can_be_the_target():
    rows = [[i, i % 2, [10, 2, 7][i % 3]] for i in range(12)]
    table = parse_csv(csv_bytes(["a", "b", "c"], rows))
    X, y, info = prepare(table, "c", "classification")
    assert info["classes"] == [2, 7, 10] and all(type(c) is int for c in info["classes"])
    assert list(y[:3]) == [2, 0, 1]
    X, y, info = prepare(table, "b", "classification")      # the target need not be last
    assert info["features"] == ["a", "c"] and info["classes"] == [0, 1]
    np.testing.assert_array_equal(X[:, 1], [[10, 2, 7][i % 3] for i in range(12)])


def test_digits_csv_headerless_loads_as_64_features_and_10_classes():
    data = gzip.open(nn.datasets.DIGITS_FILE).read()
    table = parse_csv(data)
    assert not table.had_header
    assert table.rows == 1797 and len(table.columns) == 65
    assert table.columns[:2] == ("x1", "x2") and table.columns[63] == "x64" and table.columns[-1] == "label"
    assert guess_target(table) == "label"
    X, y, info = prepare(table, "label", "classification")
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.shape == (1797,)
    assert info["classes"] == list(range(10))
    X_ref, y_ref = nn.datasets.digits(scale=False)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_regression_target():
    rows = [[i, 2 * i, 0.5 * i - 1] for i in range(15)]
    X, y, info = prepare(parse_csv(csv_bytes(["a", "b", "price"], rows)), "price", "regression")
    assert X.shape == (15, 2) and y.shape == (15, 1) and y.dtype == np.float32
    np.testing.assert_allclose(y[:, 0], [0.5 * i - 1 for i in range(15)])
    assert info["classes"] is None and info["task"] == "regression"


def test_bom_crlf_blank_lines_spaces_and_trailing_comma_are_tolerated():
    text = "\ufeffa, b, label,\r\n" + "".join(f"{i}, {i * 2}, {'yes' if i % 2 else 'no'},\r\n\r\n" for i in range(10))
    table = parse_csv(text.encode("utf-8"))
    assert table.columns == ("a", "b", "label") and table.rows == 10
    X, y, info = prepare(table, guess_target(table), "classification")
    assert X.shape == (10, 2) and info["classes"] == ["no", "yes"]


def test_quoted_fields_with_commas():
    rows = [[i, i + 1, '"big, red"' if i % 2 else '"small"'] for i in range(10)]
    _, _, info = prepare(parse_csv(csv_bytes(["a", "b", "kind"], rows)), "kind", "classification")
    assert info["classes"] == ["big, red", "small"]


@pytest.mark.parametrize("names, expected", [
    (["a", "Target", "z"], "Target"),
    (["a", "CLASS", "z"], "CLASS"),
    (["y", "b", "z"], "y"),
    (["y", "label", "z"], "label"),       # label is preferred to y
    (["a", "b", "z"], "z"),
])
def test_guess_target(names, expected):
    table = parse_csv(csv_bytes(names, [[1, 2, 3]] * 3))
    assert guess_target(table) == expected


def test_scale_uses_training_statistics_only():
    X_train = np.array([[0.0, 5.0], [2.0, 5.0], [4.0, 5.0]], dtype=np.float32)
    X_other = np.array([[100.0, 7.0]], dtype=np.float32)
    train, other = scale(X_train, X_other)
    assert train.dtype == np.float32 and other.dtype == np.float32
    std = np.std([0.0, 2.0, 4.0])
    np.testing.assert_allclose(train[:, 0], np.array([-2.0, 0.0, 2.0]) / std, rtol=1e-6)
    np.testing.assert_allclose(other[0], [(100 - 2) / std, 2.0], rtol=1e-6)   # constant column: std 1
    np.testing.assert_array_equal(train[:, 1], 0.0)
    train_alone, none = scale(X_train)
    np.testing.assert_array_equal(train_alone, train)
    assert none is None
    # Adding wild rows to the other set changes nothing about the training scale.
    _, other2 = scale(X_train, np.r_[X_other, [[1e6, -1e6]]])
    np.testing.assert_array_equal(other2[0], other[0])


# --- nothing in the file is executed -----------------------------------------------------------------------------

def test_code_in_a_cell_is_only_text(tmp_path):
    marker = tmp_path / "x"
    payload = f"__import__('os').system('touch {marker}')"
    rows = [[i, payload if i == 3 else i, i % 2] for i in range(12)]
    message = prepare_error(csv_bytes(["a", "b", "label"], rows), "label")
    assert "'b' is not numeric" in message and "data row 4" in message and "__import__" in message
    assert not marker.exists()
    # As a label it is just a string class name.
    rows = [[i, i, payload if i % 2 else "plain"] for i in range(12)]
    _, _, info = prepare(parse_csv(csv_bytes(["a", "b", "label"], rows)), "label", "classification")
    assert info["classes"] == sorted(["plain", payload])
    assert not marker.exists()


# --- parse_csv messages ----------------------------------------------------------------------------------------

def test_too_large():
    assert "too large" in error_of(b"a,b\n" + b"1,2\n" * (MAX_BYTES // 4))


@pytest.mark.parametrize("data", [
    b"\x00\x01\x02\x03PK\x03\x04binary",
    bytes(range(256)) * 4,
    bytes([200, 150, 3, 4, 5, 6, 7, 1, 2, 3, 250, 251]) * 50,
    b"a,b\n1,\x01\n",
])
def test_not_a_text_csv(data):
    assert "not a text CSV file" in error_of(data)


@pytest.mark.parametrize("data, what", [
    (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "a zip archive (an Excel .xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "an Excel .xls workbook"),
    (gzip.compress(b"a,b,label\n1,2,0\n"), "a gzip-compressed file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "a PNG image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
    (b"GIF89a\x01\x00", "a GIF image"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),      # not "not UTF-8 text (byte 11)"
], ids=["xlsx", "xls", "gzip", "png", "jpeg", "gif", "pdf"])
def test_files_of_another_kind_are_named(data, what):
    message = error_of(data)
    assert f"this is {what}" in message and "not a CSV file" in message


def test_web_pages_and_json_are_named():
    assert "web page (HTML or XML)" in error_of(b"<!DOCTYPE html>\n<html><body>Not found</body></html>\n")
    assert "web page (HTML or XML)" in error_of(b'<?xml version="1.0"?>\n<rows><row a="1"/></rows>\n')
    assert "this is JSON" in error_of(b'{"a": [1, 2, 3], "b": [4, 5, 6]}\n')
    assert "this is JSON" in error_of(b'[{"a": 1, "label": 0}, {"a": 2, "label": 1}]')
    assert "this is JSON" not in error_of(b"[a],b\n")                      # a bracketed name is not JSON


def test_not_utf8_text():
    message = error_of("café,b,label\n1,2,3\n".encode("latin-1"))
    assert "not UTF-8 text" in message and "byte 4" in message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_or_without_its_byte_order_mark(encoding):
    assert "the file is UTF-16 text" in error_of("a,b,label\n1,2,0\n3,4,1\n".encode(encoding))


def test_utf32():
    assert "the file is UTF-32 text" in error_of("a,b\n1,2\n".encode("utf-32"))


def test_old_mac_line_endings_are_read():
    table = parse_csv(b"a,b,label\r" + b"".join(b"%d,%d,%d\r" % (i, i, i % 2) for i in range(12)))
    assert table.rows == 12 and table.columns == ("a", "b", "label")


@pytest.mark.parametrize("data", [b"", b"\n\n", b"   \r\n  ", "\ufeff".encode()])
def test_empty_file(data):
    assert "empty" in error_of(data)


def test_header_only():
    assert "header only" in error_of(b"a,b,label\n")


def test_single_column():
    assert "single column" in error_of(b"label\n1\n2\n3\n")


def test_single_column_hints_at_the_separator():
    message = error_of(b"a;b;label\n1;2;3\n")
    assert "single column" in message and "';'" in message


def test_over_max_columns():
    message = error_of(csv_bytes([f"c{i}" for i in range(MAX_COLUMNS + 1)], [[1] * (MAX_COLUMNS + 1)]))
    assert "1 001 columns, more than the 1 000 allowed" in message
    assert "1 001 columns" in error_of(csv_bytes(None, [[1] * (MAX_COLUMNS + 1)]))      # headerless


def test_max_columns_is_allowed():
    table = parse_csv(csv_bytes([f"c{i}" for i in range(MAX_COLUMNS)], [[1] * MAX_COLUMNS]))
    assert len(table.columns) == MAX_COLUMNS


def test_over_max_rows():
    assert "over 100 000 rows" in error_of(b"a,b\n" + b"1,2\n" * (MAX_ROWS + 1))
    assert "over 100 000 rows" in error_of(b"1,2\n" * (MAX_ROWS + 1))          # headerless
    assert parse_csv(b"a,b\n" + b"1,2\n" * MAX_ROWS).rows == MAX_ROWS


@pytest.mark.parametrize("data, line", [
    (b"a,b\n1,2\n3,4\n1,2,3\n", "line 4 has 3 fields"),
    (b"a,b,c\n1,2,3\n1,2\n", "line 3 has 2 fields"),
    (b"a,b,c\n1,2,3\n1\n", "line 3 has 1 field but"),
])
def test_ragged_rows_name_the_line(data, line):
    message = error_of(data)
    assert line in message and "same number of columns" in message


def test_a_giant_cell_suggests_an_open_quote():
    message = error_of(b"a,b,label\n1," + b"9" * 200_000 + b",0\n")
    assert "line 2 has a cell over 131 072 characters" in message and "quote" in message


def test_parser_error_is_a_csv_error():
    message = error_of(b'a,b\n1,"2\n3,4\n')             # a quote never closed
    assert "cannot be read" in message and "row" in message


def test_duplicate_column_names_after_trimming():
    assert "'a' appears twice" in error_of(b"a ,a,label\n1,2,3\n")
    assert "'a' appears twice" in error_of(b"a,a,label\n1,2,3\n")       # pandas would rename one a.1


def test_every_cell_empty():
    assert "every cell of the file is empty" in error_of(b",,,\n,,,\n,,,\n")


def test_headerless_with_a_missing_value_in_the_first_row():
    table = parse_csv(b"1,,0\n" + b"1,2,1\n" * 11)
    assert not table.had_header and table.columns == ("x1", "x2", "label")
    assert "'x2' has 1 empty" in prepare_error(b"1,,0\n" + b"1,2,1\n" * 11, "label")


# --- prepare messages ------------------------------------------------------------------------------------------

def test_text_in_a_numeric_column_names_column_and_first_row():
    rows = good_rows()
    rows[5][1], rows[8][1] = "n/a?", "oops"
    message = prepare_error(csv_bytes(["x", "y2", "species"], rows), "species")
    assert "'y2' is not numeric" in message and "data row 6" in message and "n/a?" in message


def test_empty_cells_name_the_column():
    rows = good_rows()
    rows[2][0], rows[7][0] = "", "NaN"
    message = prepare_error(csv_bytes(["x", "y2", "species"], rows), "species")
    assert "'x' has 2 empty or missing cells" in message and "data row 3" in message


@pytest.mark.parametrize("value", ["inf", "-inf", "1e300"])
def test_infinities(value):
    rows = good_rows()
    rows[4][1] = value
    message = prepare_error(csv_bytes(["x", "y2", "species"], rows), "species")
    assert "'y2' has infinite" in message and "data row 5" in message


def test_true_false_is_not_numeric():
    rows = [[i, "True" if i % 2 else "False", i % 2] for i in range(12)]
    assert "True/False" in prepare_error(csv_bytes(["a", "b", "label"], rows), "label")


def test_only_one_class():
    rows = [[i, i, "cat"] for i in range(12)]
    assert "only one class" in prepare_error(csv_bytes(["a", "b", "label"], rows), "label")


def test_too_many_classes():
    rows = [[i, i, f"c{i}"] for i in range(30)]
    message = prepare_error(csv_bytes(["a", "b", "label"], rows), "label")
    assert "30 different labels" in message and "over 20 classes" in message


def test_twenty_classes_are_allowed():
    rows = [[i, i, i % 20] for i in range(40)]
    _, y, info = prepare(parse_csv(csv_bytes(["a", "b", "label"], rows)), "label", "classification")
    assert len(info["classes"]) == 20 and y.max() == 19


def test_missing_labels():
    rows = [[i, i, "" if i == 6 else i % 2] for i in range(12)]
    message = prepare_error(csv_bytes(["a", "b", "label"], rows), "label")
    assert "label column 'label' has 1 empty" in message and "data row 7" in message


def test_fractional_labels_suggest_regression():
    rows = [[i, i, i * 0.1] for i in range(12)]
    message = prepare_error(csv_bytes(["a", "b", "label"], rows), "label")
    assert "not whole" in message and "regression" in message


def test_too_few_rows():
    message = prepare_error(good(9), "species")
    assert "9 data rows" in message and "at least 10 rows" in message
    prepare(parse_csv(good(10)), "species", "classification")


def test_regression_target_must_be_numeric_and_finite():
    assert "target column 'species' is not numeric" in prepare_error(good(), "species", "regression")
    rows = [[i, i, "inf" if i == 3 else i] for i in range(12)]
    assert "'t' has infinite" in prepare_error(csv_bytes(["a", "b", "t"], rows), "t", "regression")
    rows = [[i, i, "" if i == 3 else i] for i in range(12)]
    assert "'t' has 1 empty" in prepare_error(csv_bytes(["a", "b", "t"], rows), "t", "regression")


def test_unknown_target_and_task():
    assert "no column 'nope'" in prepare_error(good(), "nope")
    assert "task must be one of" in prepare_error(good(), "species", "clustering")
