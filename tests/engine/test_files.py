"""Saving and loading models: one .npz file that round-trips exactly, and any bad or hostile file
raises nn.ModelFileError without running anything. A teacher shares these files; a page loads them."""

import io
import json
import pickle
import struct
import zipfile

import numpy as np
import pytest
from enginetest_helpers import assert_same_parameters, sine_regressor, spiral_classifier

import nnengine as nn


def trained_model(dtype=np.float32):
    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(20, 3, rng=rng, dtype=dtype)
    model = nn.Model([nn.Dense(2, 8, weight_l2=5e-4, bias_l1=1e-4, rng=rng, dtype=dtype), nn.LeakyReLU(0.2),
                      nn.Dropout(0.1, rng=rng), nn.Dense(8, 8, bias=False, rng=rng, dtype=dtype), nn.Tanh(),
                      nn.Dense(8, 3, rng=rng, dtype=dtype), nn.Softmax()],
                     loss=nn.CategoricalCrossentropy(), optimizer=nn.Adam(learning_rate=0.02, decay=1e-3))
    model.fit(X, y, epochs=5)
    return X, y, model


def round_trip(model):
    buffer = io.BytesIO()
    model.save(buffer)
    return nn.Model.load(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_through_a_file_object_predicts_identically(dtype):
    X, y, model = trained_model(dtype)
    loaded = round_trip(model)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.predict(X).dtype == dtype
    assert_same_parameters(loaded, model)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    assert loaded.layers[1].alpha == 0.2 and loaded.layers[2].rate == 0.1
    assert loaded.layers[3].biases is None
    assert (loaded.layers[0].weight_l2, loaded.layers[0].bias_l1) == (5e-4, 1e-4)
    assert type(loaded.loss) is nn.CategoricalCrossentropy
    assert type(loaded.optimizer) is nn.Adam and loaded.optimizer.config() == model.optimizer.config()
    assert loaded.epochs_done == 5
    assert loaded.evaluate(X, y) == model.evaluate(X, y)


def test_round_trip_through_a_path(tmp_path):
    X, _, model = trained_model()
    path = tmp_path / "model.npz"
    model.save(path)
    assert zipfile.is_zipfile(path)
    np.testing.assert_array_equal(nn.Model.load(path).predict(X), model.predict(X))
    np.testing.assert_array_equal(nn.Model.load(str(path)).predict(X), model.predict(X))


def test_save_then_load_the_same_path_whatever_its_name(tmp_path):
    """save(path) then load(path) must find the file: numpy's savez quietly appends '.npz' to a
    name without it, so the model would be written somewhere the learner did not ask for."""
    X, _, model = trained_model()
    path = tmp_path / "my-model.bin"
    model.save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-model.bin"]
    np.testing.assert_array_equal(nn.Model.load(path).predict(X), model.predict(X))


def test_a_regression_model_keeps_its_precision_and_can_train_on():
    X, y, model = sine_regressor()
    model.fit(X, y, epochs=3)
    loaded = round_trip(model)
    assert loaded.regression_precision == model.regression_precision
    assert loaded.evaluate(X, y) == model.evaluate(X, y)
    loaded.fit(X, y, epochs=2)
    assert [r["epoch"] for r in loaded.history] == [0, 1, 2, 3, 4]  # the History travels with the file now


def test_the_file_holds_no_pickle():
    _, _, model = trained_model()
    buffer = io.BytesIO()
    model.save(buffer)
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as data:  # would raise if any member needed pickle
        description = json.loads(str(data["description"]))
        assert {"layer0_weights", "layer0_biases", "layer3_weights", "layer5_weights"} <= set(data.files)
    assert description["format"] == "nnengine-model"
    assert [spec["type"] for spec in description["layers"]][:3] == ["Dense", "LeakyReLU", "Dropout"]


# -- bad files --------------------------------------------------------------------------------------


def npz_bytes(description=None, **arrays):
    """A hand-made .npz with a JSON description (a dict, or any string) and the given arrays."""
    buffer = io.BytesIO()
    if description is not None:
        text = description if isinstance(description, str) else json.dumps(description)
        arrays["description"] = np.array(text)
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def description(layers=None, **changes):
    spec = {"format": "nnengine-model", "version": 1,
            "layers": layers if layers is not None else [
                {"type": "Dense", "n_inputs": 2, "n_neurons": 3}, {"type": "ReLU"},
                {"type": "Dense", "n_inputs": 3, "n_neurons": 1}, {"type": "Sigmoid"}],
            "loss": "BinaryCrossentropy", "optimizer": {"type": "SGD", "learning_rate": 1.0}}
    spec.update(changes)
    return spec


def good_arrays(**changes):
    arrays = {"layer0_weights": np.ones((2, 3), np.float32), "layer0_biases": np.zeros((1, 3), np.float32),
              "layer2_weights": np.ones((3, 1), np.float32), "layer2_biases": np.zeros((1, 1), np.float32)}
    arrays.update(changes)
    return arrays


def load_bytes(data):
    return nn.Model.load(io.BytesIO(data))


def test_the_hand_made_file_itself_is_good():
    """The bad files below differ from this one in one thing only."""
    model = load_bytes(npz_bytes(description(), **good_arrays()))
    assert model.predict([[1.0, 2.0]]).shape == (1, 1)


def saved_bytes():
    buffer = io.BytesIO()
    trained_model()[2].save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("keep", [0.0, 0.1, 0.5, 0.9, 0.99])
def test_truncated_files_are_refused(keep):
    data = saved_bytes()
    with pytest.raises(nn.ModelFileError, match="truncated or damaged|empty|not a model file"):
        load_bytes(data[:int(len(data) * keep)])


@pytest.mark.parametrize("data", [b"hello, this is not a model", b"\x00" * 64, b"PK\x03\x04garbage"])
def test_malformed_bytes_are_refused(data):
    with pytest.raises(nn.ModelFileError, match="not a model file|truncated or damaged"):
        load_bytes(data)


def test_junk_a_cut_short_file_and_a_foreign_zip_each_have_their_own_message():
    data = saved_bytes()
    with pytest.raises(nn.ModelFileError, match="this is not a model file") as junk:
        load_bytes(b"hello, this is not a model")
    with pytest.raises(nn.ModelFileError, match="truncated or damaged") as cut:
        load_bytes(data[:len(data) // 2])
    foreign = io.BytesIO()
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("notes.txt", "a zip, but no arrays")
    with pytest.raises(nn.ModelFileError, match="this zip file is not a saved model: it holds 'notes.txt'") as other:
        load_bytes(foreign.getvalue())
    assert len({str(junk.value), str(cut.value), str(other.value)}) == 3


def test_a_compressed_npz_loads_and_a_damaged_one_is_refused():
    """np.savez_compressed files are .npz too; their bad deflate data is a damaged file, not a crash."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, description=np.array(json.dumps(description())), **good_arrays())
    assert load_bytes(buffer.getvalue()).predict([[1.0, 2.0]]).shape == (1, 1)
    data = bytearray(buffer.getvalue())
    member = zipfile.ZipFile(io.BytesIO(data)).getinfo("layer0_weights.npy")
    # Its compressed bytes follow its 30-byte local header, its name and an extra field.
    name_length, extra_length = struct.unpack("<HH", data[member.header_offset + 26: member.header_offset + 30])
    start = member.header_offset + 30 + name_length + extra_length
    data[start: start + member.compress_size] = b"\xff" * member.compress_size
    with pytest.raises(nn.ModelFileError, match="layer0_weights.npy"):
        load_bytes(bytes(data))


def npy_header(shape, dtype="<f4"):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def test_an_array_header_claiming_terabytes_is_refused_before_any_memory_is_set_aside():
    """numpy allocates the whole shape a header names before reading; this one names 3.6 TiB and
    holds 16 bytes. It used to escape as a MemoryError (a crash on the page)."""
    archive_bytes = io.BytesIO()
    with zipfile.ZipFile(archive_bytes, "w") as archive:
        archive.writestr("description.npy", npz_member(np.array(json.dumps(description()))))
        archive.writestr("layer0_weights.npy", npy_header((10**12,)) + bytes(16))
    with pytest.raises(nn.ModelFileError, match=r"'layer0_weights.npy' says it holds an array of shape"):
        load_bytes(archive_bytes.getvalue())


def npz_member(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@pytest.mark.parametrize("seed", range(3))
def test_random_damage_to_a_saved_model_only_ever_gives_a_model_file_error(seed):
    """Bytes changed, deleted or inserted anywhere: the loader says what is wrong (ModelFileError)
    or loads a model, and never raises anything else."""
    rng = np.random.RandomState(seed)
    data = saved_bytes()
    for _ in range(400):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            at = rng.randint(len(damaged))
            action = rng.randint(3)
            if action == 0:
                damaged[at] = rng.randint(256)
            elif action == 1:
                del damaged[at: at + rng.randint(1, 20)]
            else:
                damaged[at:at] = rng.bytes(rng.randint(1, 6))
        try:
            load_bytes(bytes(damaged))
        except nn.ModelFileError:
            pass


def test_a_flipped_byte_inside_an_array_is_caught():
    data = bytearray(npz_bytes(description(), **good_arrays()))
    start = data.index(b"NUMPY") - 1  # the first array's header, inside the zip
    data[start + 8: start + 12] = b"\xff\xff\xff\xff"  # wreck the header length
    with pytest.raises(nn.ModelFileError):
        load_bytes(bytes(data))


def test_array_shapes_must_match_the_described_layers():
    bad = good_arrays(layer0_weights=np.ones((2, 4), np.float32))
    message = r"layer 0 weights have shape \(2, 4\), but the description says \(2, 3\)"
    with pytest.raises(nn.ModelFileError, match=message):
        load_bytes(npz_bytes(description(), **bad))


def test_described_layer_sizes_must_chain():
    layers = [{"type": "Dense", "n_inputs": 2, "n_neurons": 3}, {"type": "ReLU"},
              {"type": "Dense", "n_inputs": 5, "n_neurons": 1}, {"type": "Sigmoid"}]
    arrays = good_arrays(layer2_weights=np.ones((5, 1), np.float32))
    with pytest.raises(nn.ModelFileError, match="layer 2 takes 5 inputs but the layer before gives 3"):
        load_bytes(npz_bytes(description(layers), **arrays))


def test_unknown_layer_type_is_refused():
    layers = [{"type": "Dense", "n_inputs": 2, "n_neurons": 3}, {"type": "os.system"},
              {"type": "Dense", "n_inputs": 3, "n_neurons": 1}, {"type": "Sigmoid"}]
    with pytest.raises(nn.ModelFileError, match="layer 1 has an unknown type 'os.system'"):
        load_bytes(npz_bytes(description(layers), **good_arrays()))


@pytest.mark.parametrize("field, value", [("layers", [{"type": ["Dense"]}]), ("loss", ["MeanSquaredError"]),
                                          ("optimizer", {"type": {"name": "SGD"}})],
                         ids=["layer", "loss", "optimizer"])
def test_type_names_that_are_not_strings_are_refused(field, value):
    """A list or a dict where a type name belongs is a bad file, not a crash."""
    with pytest.raises(nn.ModelFileError):
        load_bytes(npz_bytes(description(**{field: value}), **good_arrays()))


@pytest.mark.parametrize("changes, message", [
    ({"loss": "Nope"}, "unknown loss 'Nope'"),
    ({"optimizer": {"type": "Teleport"}}, "unknown optimizer"),
    ({"optimizer": {"type": "SGD", "learning_rate": -1}}, "optimizer has bad settings"),
    ({"format": "something-else"}, "not an nnengine model"),
    ({"version": 99}, "unsupported model file version 99"),
    ({"layers": []}, "lists no layers"),
    ({"layers": [{"type": "Dense", "n_inputs": "two", "n_neurons": 3}]},
     r"layer 0 \(Dense\) has bad settings: n_inputs must be a whole number"),
    ({"layers": [{"type": "Dense", "n_inputs": 2, "n_neurons": 3}, {"type": "LeakyReLU", "alpha": float("nan")},
                 {"type": "Dense", "n_inputs": 3, "n_neurons": 1}, {"type": "Sigmoid"}]},
     r"layer 1 \(LeakyReLU\) has bad settings: alpha must be a finite number"),
], ids=["loss", "optimizer", "optimizer-settings", "format", "version", "no-layers", "dense-settings",
        "leaky-relu-nan"])
def test_bad_descriptions_are_refused_by_name(changes, message):
    with pytest.raises(nn.ModelFileError, match=message):
        load_bytes(npz_bytes(description(**changes), **good_arrays()))


def test_description_must_be_present_and_json():
    with pytest.raises(nn.ModelFileError, match="no model description"):
        load_bytes(npz_bytes(None, **good_arrays()))
    with pytest.raises(nn.ModelFileError, match="not valid JSON"):
        load_bytes(npz_bytes("{not json", **good_arrays()))


def test_deeply_nested_json_is_a_bad_file_not_a_crash():
    with pytest.raises(nn.ModelFileError):
        load_bytes(npz_bytes("[" * 100_000, **good_arrays()))


def test_huge_described_layers_are_refused_without_allocating_them():
    """A description claiming a 10^7-by-10^7 layer must not make the loader try to build it; the
    arrays in the file do not match it, so it is a bad file. (728 TiB is more than any address
    space, so even where memory is overcommitted the attempt fails at once instead of filling RAM.)"""
    layers = [{"type": "Dense", "n_inputs": 10**7, "n_neurons": 10**7}, {"type": "Sigmoid"}]
    arrays = {"layer0_weights": np.ones((2, 3), np.float32), "layer0_biases": np.zeros((1, 3), np.float32)}
    with pytest.raises(nn.ModelFileError):
        load_bytes(npz_bytes(description(layers), **arrays))


@pytest.mark.parametrize("arrays, message", [
    (good_arrays(layer0_weights=np.full((2, 3), np.nan, np.float32)), "NaN or infinite"),
    (good_arrays(layer0_weights=np.ones((2, 3), np.int64)), "not floating-point"),
    (good_arrays(layer0_weights=np.ones((2, 3), np.float16)), "float16 numbers; a model holds float32 or float64"),
    (good_arrays(extra=np.ones(3)), r"arrays no layer uses: \['extra'\]"),
    ({k: v for k, v in good_arrays().items() if k != "layer2_biases"}, "no biases for layer 2"),
], ids=["nan", "integers", "float16", "extra-array", "missing-array"])
def test_bad_arrays_are_refused_by_name(arrays, message):
    with pytest.raises(nn.ModelFileError, match=message):
        load_bytes(npz_bytes(description(), **arrays))


def test_empty_missing_and_text_files(tmp_path):
    with pytest.raises(nn.ModelFileError, match="empty"):
        load_bytes(b"")
    with pytest.raises(nn.ModelFileError, match="cannot read"):
        nn.Model.load(tmp_path / "nowhere.npz")
    path = tmp_path / "model.npz"
    path.write_bytes(npz_bytes(description(), **good_arrays()))
    with open(path, encoding="latin-1") as text_file, pytest.raises(nn.ModelFileError, match="binary mode"):
        nn.Model.load(text_file)


def test_model_file_error_is_a_value_error():
    assert issubclass(nn.ModelFileError, ValueError)


# -- pickle: refused, and never run ---------------------------------------------------------------------


class Payload:
    """Unpickling this object opens (creates) a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_the_payload_really_runs_when_unpickled(tmp_path):
    """Control: plain pickle.loads does create the marker, so the tests below can fail."""
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(Payload(marker))).close()
    assert marker.exists()


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_raw_pickle_is_refused_and_not_run(tmp_path, protocol):
    marker = tmp_path / "ran"
    data = pickle.dumps(Payload(marker), protocol=protocol)
    with pytest.raises(nn.ModelFileError) as caught:
        load_bytes(data)
    if protocol >= 2:
        assert "pickle" in str(caught.value)
    assert not marker.exists()
    path = tmp_path / "model.npz"
    path.write_bytes(data)
    with pytest.raises(nn.ModelFileError):
        nn.Model.load(path)
    assert not marker.exists()


def test_an_object_array_inside_the_npz_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "ran"
    payload = np.empty(1, dtype=object)
    payload[0] = Payload(marker)
    data = npz_bytes(description(), **good_arrays(layer0_weights=payload))
    with pytest.raises(nn.ModelFileError, match="pickle"):
        load_bytes(data)
    assert not marker.exists()
    data = npz_bytes(description(), **good_arrays(), smuggled=payload)
    with pytest.raises(nn.ModelFileError, match="pickle"):
        load_bytes(data)
    assert not marker.exists()


def test_a_loaded_model_is_independent_of_the_original():
    X, y, model = trained_model()
    loaded = round_trip(model)
    loaded.fit(X, y, epochs=2)
    with pytest.raises(AssertionError):
        assert_same_parameters(loaded, model)
    _, _, fresh = spiral_classifier()
    assert fresh.epochs_done == 0
