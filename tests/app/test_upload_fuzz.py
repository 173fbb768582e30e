"""Bad uploads through the Training page itself (AppTest drives st.file_uploader): every bad CSV and
every bad model file gets its own clear message, the page keeps working after each one (a good file
loads, Step trains), and nothing in a file is ever executed.

Each test keeps one page session for all its files, as a learner trying file after file would.
Streamlit's own upload limit (.streamlit/config.toml, 5 MB) is enforced by the browser widget, so it
is tested in tests/e2e/test_upload_browser.py; here the page's own size check stands behind it.
"""

import gzip
import io
import json
import pickle
import zipfile

import numpy as np
from conftest import open_page, texts

import nnengine as nn
from ui import training

PAGE = "app_pages/training.py"
CSV = ("data.csv", "text/csv")
NPZ = "application/octet-stream"


def progress(at):
    return [str(p.proto.text) for p in at.get("progress")]


def lines(header, rows):
    return (header + "\n" + "".join(row + "\n" for row in rows)).encode()


def table(n=20, cell=lambda i, column: str(i if column == "a" else i * 0.5), label=lambda i: str(i % 2)):
    """a,b,label with n rows; ``cell`` and ``label`` can spoil any cell."""
    return lines("a,b,label", [f"{cell(i, 'a')},{cell(i, 'b')},{label(i)}" for i in range(n)])


def spoil_b(row, value):
    return lambda i, column: value if (column == "b" and i == row) else str(i)


GOOD_CSV = table()
DIGITS_CSV = gzip.open(nn.datasets.DIGITS_FILE).read()          # the shipped file, headerless, 65 columns

# (what the learner uploads, its bytes, what the message must say). Each message must differ from all others.
BAD_CSVS = [
    ("UTF-16 with its byte-order mark", ("a,b,label\n1,2,0\n3,4,1\n" * 5).encode("utf-16"),
     "the file is UTF-16 text, not UTF-8; save it as 'CSV UTF-8'"),
    ("Latin-1 bytes", "café,b,label\n1,2,0\n".encode("latin-1"),
     "the file is not UTF-8 text (byte 4 cannot be read); save it as 'CSV UTF-8'"),
    ("random bytes", np.random.RandomState(0).bytes(4000),
     "this is not a text CSV file (it holds binary data)"),
    ("a PNG image", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + np.random.RandomState(1).bytes(500),
     "this is a PNG image, not a CSV file"),
    ("an Excel workbook", b"PK\x03\x04\x14\x00\x06\x00" + bytes(300),
     "this is a zip archive (an Excel .xlsx"),
    ("the digits file still gzipped", nn.datasets.DIGITS_FILE.read_bytes(),
     "this is a gzip-compressed file, not a CSV file; decompress it"),
    ("a web page", b"<!DOCTYPE html>\n<html><body>404: Not Found</body></html>\n",
     "this is a web page (HTML or XML), not a CSV file"),
    ("text in a feature column", table(cell=spoil_b(3, "oops")),
     "column 'b' is not numeric: data row 4 holds 'oops'; fix that cell, or remove the column"),
    ("NaN cells", table(cell=lambda i, column: "NaN" if (column == "b" and i in (3, 7)) else str(i)),
     "column 'b' has 2 empty or missing cells (first at data row 4); fill them in or remove those rows"),
    ("infinities", table(cell=spoil_b(5, "inf")),
     "column 'b' has infinite or too large values (first at data row 6: 'inf')"),
    ("a label with one class", table(label=lambda i: "cat"),
     "label column 'label' has only one class ('cat'); classification needs at least 2 different labels"),
    ("a header and no rows", b"a,b,label\n", "the file has a header only: no data rows below it"),
    ("an empty file", b"", "the file is empty: no rows"),
    ("too few rows", table(n=5), "the file has 5 data rows; at least 10 rows are needed to train"),
    ("ragged rows", b"a,b,label\n1,2,0\n3,4\n", "line 3 has 2 fields but the first line has 3"),
    ("semicolons", lines("a;b;label", [f"{i};{i};{i % 2}" for i in range(20)]),
     "the file has a single column (is it separated by ';' or tabs? commas are needed)"),
    ("1 001 columns", lines(",".join(f"c{i}" for i in range(1001)), [",".join(["1"] * 1001)] * 3),
     "the file has 1 001 columns, more than the 1 000 allowed; remove some feature columns"),
    ("100 001 rows", lines("a,b,label", ["1,2,0"] * 100_001),
     "the file has over 100 000 rows; use a sample of at most 100 000"),
    ("over 5 MB (past the browser's own limit)", lines("a,b,label", ["1.25,2.5,0"] * 500_000),
     "the file is too large: 5.2 MB, at most 5 MB"),
]


def upload(at, key, name, data, mime):
    at.file_uploader(key=key).set_value((name, data, mime)).run()
    return at


def test_every_bad_csv_has_its_own_message_and_the_page_keeps_working():
    at = open_page(PAGE, {"dataset": "upload", "epochs": "3"})
    failures, messages = [], {}
    for case, data, expected in BAD_CSVS:
        upload(at, "csv_upload", CSV[0], data, CSV[1])
        errors = texts(at.error)
        if at.exception:
            failures.append(f"{case}: crashed: {[e.value for e in at.exception]}")
            continue
        if len(errors) != 1 or expected not in errors[0]:
            failures.append(f"{case}: expected one error with {expected!r}, got {errors}")
            continue
        messages[case] = errors[0]
        # The page still works: a good file loads and trains one step.
        upload(at, "csv_upload", CSV[0], GOOD_CSV, CSV[1])
        at.button(key="step_epoch").click().run()
        if at.exception or texts(at.error) or not progress(at) or not progress(at)[0].startswith("epoch 1 of 3"):
            failures.append(f"{case}: the page did not recover: {texts(at.error)} {progress(at)} {at.exception}")
    assert not failures, "\n".join(failures)
    same = {message for message in messages.values() if list(messages.values()).count(message) > 1}
    assert not same, f"two problems share a message: {same}"


def test_the_shipped_digits_csv_loads_with_its_size_and_trains():
    at = open_page(PAGE, {"dataset": "upload", "epochs": "2", "batch_size": "128"})
    upload(at, "csv_upload", "digits.csv", DIGITS_CSV, "text/csv")
    assert not at.exception and not texts(at.error)
    assert any(c.startswith("1,797 rows, 65 columns (no header row") for c in texts(at.caption))
    assert any("10 classes: softmax outputs" in c for c in texts(at.caption))
    at.button(key="train").click().run()
    assert not at.exception and progress(at)[0].startswith("epoch 2 of 2")


def test_an_uploaded_csv_is_parsed_once_not_on_every_rerun(monkeypatch):
    from ui import csv_data

    calls = []
    parse = csv_data.parse_csv
    monkeypatch.setattr(csv_data, "parse_csv", lambda data: calls.append(len(data)) or parse(data))
    at = open_page(PAGE, {"dataset": "upload", "epochs": "2"})
    upload(at, "csv_upload", "digits.csv", DIGITS_CSV, "text/csv")
    at.number_input(key="seed").set_value(3).run()             # a setting moves: the page reruns
    assert not at.exception and any(c.startswith("1,797 rows") for c in texts(at.caption))
    assert calls == [len(DIGITS_CSV)]


def test_code_in_a_csv_cell_is_only_text(tmp_path):
    marker = tmp_path / "ran"
    payload = f"__import__('os').system('touch {marker}')"
    at = open_page(PAGE, {"dataset": "upload"})
    upload(at, "csv_upload", *CSV[:1], table(cell=spoil_b(2, payload)), CSV[1])
    assert any("column 'b' is not numeric: data row 3 holds" in e for e in texts(at.error))
    upload(at, "csv_upload", *CSV[:1], table(label=lambda i: payload if i % 2 else "plain"), CSV[1])
    assert not at.exception and not texts(at.error)          # as a label it is just a class name
    assert not marker.exists()


# --- model files ------------------------------------------------------------------------------------------------


class Payload:
    """Unpickling this object opens (creates) a marker file: proof that code in the file ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def saved(settings, epochs=3):
    """A model as the page's Download button gives it: built by the page's own code for these
    settings, trained a few epochs, saved with Model.save."""
    setup = training.build(settings)
    setup.model.fit(setup.X, setup.y, epochs=epochs, **training.fit_kwargs(settings, setup))
    buffer = io.BytesIO()
    setup.model.save(buffer)
    return buffer.getvalue()


def hand_made(layers, arrays, loss="CategoricalCrossentropy", optimizer=None):
    """An .npz in the model format with any description and arrays (np.savez: object arrays pickled)."""
    description = {"format": "nnengine-model", "version": 1, "layers": layers, "loss": loss,
                   "optimizer": optimizer}
    buffer = io.BytesIO()
    np.savez(buffer, description=np.array(json.dumps(description)), **arrays)
    return buffer.getvalue()


def dense(n_inputs, n_neurons):
    return {"type": "Dense", "n_inputs": n_inputs, "n_neurons": n_neurons}


def weights(index, n_inputs, n_neurons):
    return {f"layer{index}_weights": np.full((n_inputs, n_neurons), 0.1, np.float32),
            f"layer{index}_biases": np.zeros((1, n_neurons), np.float32)}


def zip_of(**members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def terabyte_header():
    """An .npy member whose header claims 10^12 numbers (3.6 TiB) but holds 16 bytes."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f4", "fortran_order": False, "shape": (10**12,)})
    return buffer.getvalue() + bytes(16)


def bad_models(marker):
    good = saved(training.Settings())
    object_array = np.empty(1, dtype=object)
    object_array[0] = Payload(marker)
    softmax = [dense(2, 3), {"type": "Softmax"}]
    return [
        ("a saved model cut in half", good[: len(good) // 2],
         "That file cannot be loaded: the model file is truncated or damaged (it starts like an .npz archive"),
        ("pickled objects inside an .npz", hand_made(softmax, {**weights(0, 2, 3), "smuggled": object_array}),
         "the model file holds pickled objects (in 'smuggled.npy'), which are never loaded: they could run code"),
        ("a raw pickle named .npz", pickle.dumps(Payload(marker)),
         "this is a pickle file, which is never loaded: it could run code"),
        ("layers that do not chain",
         hand_made([dense(2, 3), {"type": "ReLU"}, dense(5, 3), {"type": "Softmax"}],
                   {**weights(0, 2, 3), **weights(2, 5, 3)}),
         "layer 2 takes 5 inputs but the layer before gives 3"),
        ("weights of another shape than described", hand_made(softmax, weights(0, 2, 4)),
         "layer 0 weights have shape (2, 4), but the description says (2, 3)"),
        ("a model of the digits (64 inputs)", saved(training.Settings(dataset="digits"), epochs=1),
         "That model takes 64 inputs, but this data has 2 features: load it with the dataset and input features"),
        ("a model of the moons (one sigmoid output)", saved(training.Settings(dataset="moons")),
         "That model gives one sigmoid output (two classes), but this data needs 3 softmax outputs (3 classes)"),
        ("softmax outputs trained with squared error", hand_made(softmax, weights(0, 2, 3), loss="MeanSquaredError"),
         "That model trains its 3 softmax outputs (3 classes) with mean squared error, which does not fit them"),
        ("a Step between the layers (it loads, but nothing before it could learn)",
         hand_made([dense(2, 3), {"type": "Step"}, dense(3, 3), {"type": "Softmax"}],
                   {**weights(0, 2, 3), **weights(2, 3, 3)}),
         "That model can be loaded but not trained here: a model with a Step (layer 1) cannot be trained"),
        ("no Dense layer", hand_made([{"type": "ReLU"}, {"type": "Softmax"}], {}),
         "That model has no Dense layer: it has no weights to load or train."),
        ("a header claiming 3.6 TiB",
         zip_of(**{"description.npy": npy(np.array(json.dumps({"format": "nnengine-model"}))),
                   "layer0_weights.npy": terabyte_header()}),
         "'layer0_weights.npy' says it holds an array of shape (1000000000000,), more numbers than the file has"),
        ("plain junk bytes", b"this is not a model at all" * 10,
         "this is not a model file (a saved model is an .npz archive"),
        ("a zip of other things", zip_of(**{"notes.txt": "hello", "picture.png": b"\x89PNG"}),
         "this zip file is not a saved model: it holds 'notes.txt', which is not a numpy array"),
        ("arrays but no description", zip_of(**{"layer0_weights.npy": npy(np.ones((2, 3), np.float32))}),
         "the file has no model description: it was not written by Model.save"),
        ("an empty file", b"", "the model file is empty (0 bytes)"),
    ]


def test_every_bad_model_file_has_its_own_message_runs_nothing_and_the_page_keeps_working(tmp_path):
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(Payload(tmp_path / "control"))).close()
    assert (tmp_path / "control").exists()                # the payload is live: unpickling it does run code
    at = open_page(PAGE, {"epochs": "50"})
    assert any("387 parameters" in c for c in texts(at.caption))
    failures, messages, epoch = [], {}, 0
    for case, data, expected in bad_models(marker):
        upload(at, "model_upload", "model.npz", data, NPZ)
        errors = texts(at.error)
        if at.exception:
            failures.append(f"{case}: crashed: {[e.value for e in at.exception]}")
            at = open_page(PAGE, {"epochs": "50"})
            epoch = 0
            continue
        if len(errors) != 1 or expected not in errors[0]:
            failures.append(f"{case}: expected one error with {expected!r}, got {errors}")
        else:
            messages[case] = errors[0]
        # The page keeps its own model and trains on: Step adds an epoch, and the message stays
        # while the file is still in the uploader.
        at.button(key="step_epoch").click().run()
        epoch += 1
        if at.exception or not progress(at)[0].startswith(f"epoch {epoch} of 50"):
            failures.append(f"{case}: the page did not train on: {progress(at)} {at.exception}")
        if texts(at.error) != errors:
            failures.append(f"{case}: after Step the page shows {texts(at.error)} instead of {errors}")
        if not any("387 parameters" in c for c in texts(at.caption)):
            failures.append(f"{case}: the page's model changed: {texts(at.caption)}")
        assert not marker.exists(), f"{case}: code in the file ran"
    assert not failures, "\n".join(failures)
    same = {message for message in messages.values() if list(messages.values()).count(message) > 1}
    assert not same, f"two problems share a message: {same}"
    # And a good file afterwards still loads, and trains on from its weights.
    upload(at, "model_upload", "model.npz", saved(training.Settings()), NPZ)
    assert any(s.startswith("Loaded a model with 387 parameters") for s in texts(at.success)), texts(at.error)
    at.button(key="step_epoch").click().run()
    assert not at.exception and progress(at)[0].startswith("epoch 4 of 50")      # 3 saved epochs, then one
    assert not marker.exists()


def test_a_model_saved_without_an_optimizer_trains_with_the_pages():
    """It used to load, and then Train crashed the page ('this model has no optimizer')."""
    at = open_page(PAGE, {"epochs": "5"})
    data = hand_made([dense(2, 3), {"type": "Softmax"}], weights(0, 2, 3), optimizer=None)
    upload(at, "model_upload", "model.npz", data, NPZ)
    assert any("with this page's optimizer (the file has none)" in s for s in texts(at.success))
    at.button(key="train").click().run()
    assert not at.exception and progress(at)[0].startswith("epoch 5 of 5")


def test_the_limit_is_said_before_a_file_is_picked_and_the_file_in_use_is_named():
    """A CSV over 20 MB never reaches the page (the browser marks it in red, without words on a phone, and
    the last file stays in use): the page says its limit before any file, and which file it uses after."""
    at = open_page(PAGE, {"dataset": "upload", "epochs": "3"})
    assert "at most 5 MB" in at.file_uploader(key="csv_upload").label
    assert any("Upload a CSV file of at most 5 MB (100,000 rows, 1,000 columns)" in i for i in texts(at.info))
    upload(at, "csv_upload", "shapes.csv", GOOD_CSV, CSV[1])
    using = next(c for c in texts(at.caption) if c.startswith("Using "))
    assert using.startswith(f"Using shapes.csv ({len(GOOD_CSV)} bytes). A file marked in red above was refused by the "
                            "browser (over 20 MB) and is not used: this page takes 5 MB at most"), using
    assert not at.exception
