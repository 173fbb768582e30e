"""Book parity: with one shared RandomState(0) used in the book's order (data, then layers), the
engine's datasets, initial weights and first forward pass are the book's numbers.

The reference is the book's own helper package, nnfs. Its ``nnfs.init()`` patches numpy for the
whole process (float32 randn, zeros, dot), so it runs in a subprocess that writes an .npz.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import nnengine as nn

# The book's code, as a learner types it: nnfs.init() seeds numpy with 0 and makes it float32.
REFERENCE = textwrap.dedent("""
    import sys
    import numpy as np
    import nnfs
    from nnfs.datasets import sine_data, spiral_data, vertical_data

    nnfs.init()
    out = {}

    # Chapter 4 and 5: spiral data, then Dense(2, 3) and Dense(3, 3), forward, loss.
    X, y = spiral_data(samples=100, classes=3)
    w1 = 0.01 * np.random.randn(2, 3)
    b1 = np.zeros((1, 3))
    w2 = 0.01 * np.random.randn(3, 3)
    b2 = np.zeros((1, 3))
    hidden = np.maximum(0, np.dot(X, w1) + b1)
    scores = np.dot(hidden, w2) + b2
    exps = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    probabilities = exps / np.sum(exps, axis=1, keepdims=True)
    clipped = np.clip(probabilities, 1e-7, 1 - 1e-7)
    loss = np.mean(-np.log(clipped[range(len(clipped)), y]))
    out.update(spiral_X=X, spiral_y=y, spiral_w1=w1, spiral_b1=b1, spiral_w2=w2, spiral_b2=b2,
               spiral_output=probabilities, spiral_loss=np.float32(loss))

    # The same start with the wider network of the training chapters: Dense(2, 64), Dense(64, 3).
    np.random.seed(0)
    spiral_data(samples=100, classes=3)
    out["wide_w1"] = 0.01 * np.random.randn(2, 64)
    out["wide_w2"] = 0.01 * np.random.randn(64, 3)

    # Vertical data, then Dense(2, 3) and Dense(3, 3).
    np.random.seed(0)
    X, y = vertical_data(samples=100, classes=3)
    out.update(vertical_X=X, vertical_y=y, vertical_w1=0.01 * np.random.randn(2, 3),
               vertical_w2=0.01 * np.random.randn(3, 3))

    X, y = sine_data()
    out.update(sine_X=X, sine_y=y)
    np.savez(sys.argv[1], **out)
""")

# The book's printed output for the seeded 2-3-3 network on the spiral data.
BOOK_FIRST_ROWS = np.array([
    [0.33333334, 0.33333334, 0.33333334],
    [0.3333332, 0.3333332, 0.33333364],
    [0.3333329, 0.33333293, 0.3333342],
    [0.3333326, 0.33333263, 0.33333477],
    [0.33333233, 0.3333324, 0.33333528],
])
BOOK_LOSS = 1.0986104


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """The arrays the book's code produces, computed by nnfs in a separate process."""
    path = tmp_path_factory.mktemp("book") / "book.npz"
    result = subprocess.run([sys.executable, "-c", REFERENCE, str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with np.load(path) as data:
        return {name: data[name] for name in data.files}


def book_network(rng):
    return nn.Model([nn.Dense(2, 3, rng=rng), nn.ReLU(), nn.Dense(3, 3, rng=rng), nn.Softmax()],
                    loss=nn.CategoricalCrossentropy())


def test_reference_really_is_float32(book):
    """The reference ran under nnfs.init(): its data and weights are float32 like the book's."""
    for name in ("spiral_X", "spiral_w1", "vertical_X", "spiral_output"):
        assert book[name].dtype == np.float32, name


def test_spiral_data_and_first_layers_match_the_book(book):
    """A learner copying the book's seed gets the very same points, labels and weights."""
    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(samples=100, classes=3, rng=rng)
    dense1 = nn.Dense(2, 3, rng=rng)
    dense2 = nn.Dense(3, 3, rng=rng)
    assert X.dtype == np.float32 and X.shape == (300, 2)
    np.testing.assert_array_equal(X, book["spiral_X"])
    np.testing.assert_array_equal(y, book["spiral_y"])
    np.testing.assert_array_equal(dense1.weights, book["spiral_w1"])
    np.testing.assert_array_equal(dense2.weights, book["spiral_w2"])
    np.testing.assert_array_equal(dense1.biases, book["spiral_b1"])
    np.testing.assert_array_equal(dense2.biases, book["spiral_b2"])
    assert dense1.weights.dtype == dense1.biases.dtype == np.float32


def test_wide_spiral_network_starts_from_the_books_weights(book):
    """The 2-64-3 training network starts from the book's weights too."""
    rng = np.random.RandomState(0)
    nn.datasets.spiral(samples=100, classes=3, rng=rng)
    np.testing.assert_array_equal(nn.Dense(2, 64, rng=rng).weights, book["wide_w1"])
    np.testing.assert_array_equal(nn.Dense(64, 3, rng=rng).weights, book["wide_w2"])


def test_vertical_data_and_first_layers_match_the_book(book):
    rng = np.random.RandomState(0)
    X, y = nn.datasets.vertical(samples=100, classes=3, rng=rng)
    np.testing.assert_array_equal(X, book["vertical_X"])
    np.testing.assert_array_equal(y, book["vertical_y"])
    np.testing.assert_array_equal(nn.Dense(2, 3, rng=rng).weights, book["vertical_w1"])
    np.testing.assert_array_equal(nn.Dense(3, 3, rng=rng).weights, book["vertical_w2"])


def test_sine_data_matches_the_book_to_float32(book):
    X, y = nn.datasets.sine()
    assert X.shape == y.shape == (1000, 1)
    np.testing.assert_array_equal(X, book["sine_X"].astype(np.float32))
    np.testing.assert_array_equal(y, book["sine_y"].astype(np.float32))


def seeded_forward():
    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(samples=100, classes=3, rng=rng)
    model = book_network(rng)
    return model.predict(X), model.evaluate(X, y)["loss"]


def test_seeded_forward_pass_prints_the_books_numbers():
    """Dense(2,3), ReLU, Dense(3,3), Softmax on the seeded spiral: the first five rows and the
    loss the book prints (written down here, so this holds even without the reference)."""
    output, loss = seeded_forward()
    assert output.dtype == np.float32
    np.testing.assert_allclose(output[:5], BOOK_FIRST_ROWS, rtol=0, atol=1e-7)
    assert loss == pytest.approx(BOOK_LOSS, abs=1e-6)


def test_seeded_forward_pass_equals_the_reference_run(book):
    output, loss = seeded_forward()
    np.testing.assert_allclose(output, book["spiral_output"], rtol=0, atol=1e-7)
    np.testing.assert_allclose(book["spiral_output"][:5], BOOK_FIRST_ROWS, rtol=0, atol=1e-7)
    assert loss == pytest.approx(float(book["spiral_loss"]), abs=1e-6)


def test_the_order_of_draws_matters():
    """Building the layers before the data (the wrong order) gives different weights: the shared
    rng really is one stream, not a fresh seed per call."""
    rng = np.random.RandomState(0)
    nn.datasets.spiral(samples=100, classes=3, rng=rng)
    in_order = nn.Dense(2, 3, rng=rng).weights
    assert not np.array_equal(nn.Dense(2, 3, rng=np.random.RandomState(0)).weights, in_order)


# -- the rng contract ---------------------------------------------------------------------------


def test_an_int_seed_means_a_fresh_randomstate_every_call():
    first = nn.Dense(3, 4, rng=7).weights
    np.testing.assert_array_equal(nn.Dense(3, 4, rng=7).weights, first)
    np.testing.assert_array_equal(nn.Dense(3, 4, rng=np.random.RandomState(7)).weights, first)
    X1, _ = nn.datasets.spiral(10, 2, rng=7)
    X2, _ = nn.datasets.spiral(10, 2, rng=7)
    np.testing.assert_array_equal(X1, X2)


def test_a_shared_randomstate_keeps_drawing():
    rng = np.random.RandomState(7)
    assert not np.array_equal(nn.Dense(3, 4, rng=rng).weights, nn.Dense(3, 4, rng=rng).weights)


def test_a_generator_is_accepted():
    a = nn.Dense(3, 4, rng=np.random.default_rng(1)).weights
    b = nn.Dense(3, 4, rng=np.random.default_rng(1)).weights
    np.testing.assert_array_equal(a, b)
    expected = (0.01 * np.random.default_rng(1).standard_normal((3, 4))).astype(np.float32)
    np.testing.assert_allclose(a, expected, rtol=1e-6)
    X, y = nn.datasets.spiral(10, 3, rng=np.random.default_rng(2))
    assert X.shape == (30, 2)
    dropout = nn.Dropout(0.5, rng=np.random.default_rng(3))
    assert dropout.forward(np.ones((4, 5))).shape == (4, 5)


@pytest.mark.parametrize("bad", [True, False, np.bool_(True), "0", "seed", 1.5, [0]])
def test_rng_rejects_bools_strings_and_other_types(bad):
    with pytest.raises(TypeError, match="rng must be"):
        nn.as_rng(bad)
    with pytest.raises(TypeError, match="rng must be"):
        nn.Dense(2, 3, rng=bad)
    with pytest.raises(TypeError, match="rng must be"):
        nn.datasets.spiral(10, 2, rng=bad)


def test_negative_seed_is_refused():
    with pytest.raises(ValueError, match="seed"):
        nn.Dense(2, 3, rng=-1)


def test_engine_never_touches_numpys_global_state():
    """Randomness flows only through rng=: the global numpy stream is left where it was."""
    np.random.seed(123)
    expected = np.random.random_sample(3)
    np.random.seed(123)
    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(20, 3, rng=rng)
    model = nn.Model([nn.Dense(2, 8, rng=rng), nn.ReLU(), nn.Dropout(0.2, rng=rng), nn.Dense(8, 3, rng=rng),
                      nn.Softmax()], loss=nn.CategoricalCrossentropy(), optimizer=nn.Adam())
    model.fit(X, y, epochs=2, batch_size=16, rng=rng)
    np.testing.assert_array_equal(np.random.random_sample(3), expected)
