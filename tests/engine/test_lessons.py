"""nnengine.lessons: the long ways round and the mistakes, giving the series' own numbers."""

import numpy as np
import pytest

import nnengine as nn
from nnengine import lessons

INPUTS = [1, 2, 3, 2.5]
WEIGHTS = [[0.2, 0.8, -0.5, 1.0], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]]
BIASES = [2, 3, 0.5]
BATCH = [[1, 2, 3, 2.5], [2.0, 5.0, -1.0, 2.0], [-1.5, 2.7, 3.3, -0.8]]
WEIGHTS2 = [[0.1, -0.14, 0.5], [-0.5, 0.12, -0.33], [-0.44, 0.73, -0.13]]
BIASES2 = [-1, 2, -0.5]


def test_neuron_terms_writes_out_the_sum():
    products, output = lessons.neuron_terms([1, 2, 3], [0.2, 0.8, -0.5], 2)
    assert products == pytest.approx([0.2, 1.6, -1.5])
    assert output == pytest.approx(2.3)


def test_neuron_needs_one_weight_per_input():
    with pytest.raises(ValueError, match="3 inputs need 3 weights, got 2"):
        lessons.neuron_terms([1, 2, 3], [0.2, 0.8], 2)


def test_layer_loop_and_dot_agree_on_the_four_input_layer():
    expected = [4.8, 1.21, 2.385]
    assert lessons.layer_loop(INPUTS, WEIGHTS, BIASES) == pytest.approx(expected)
    np.testing.assert_allclose(lessons.layer_dot(INPUTS, WEIGHTS, BIASES), expected)


def test_batch_layer_transposes_the_weights():
    out = lessons.batch_layer(BATCH, WEIGHTS, BIASES)
    np.testing.assert_allclose(out, [[4.8, 1.21, 2.385], [8.9, -1.81, 0.2], [1.41, 1.051, 0.026]])


def test_chained_layers_give_the_series_output():
    hidden, out = lessons.chained_layers(BATCH, WEIGHTS, BIASES, WEIGHTS2, BIASES2)
    np.testing.assert_allclose(hidden[0], [4.8, 1.21, 2.385])
    np.testing.assert_allclose(out, [[0.5031, -1.04185, -2.03875],
                                     [0.2434, -2.7332, -5.7633],
                                     [-0.99314, 1.41254, -0.35655]], atol=1e-12)


def test_forgetting_the_second_transpose_is_a_quiet_mistake():
    """A square second weight matrix multiplies without an error, but the numbers are wrong."""
    _, out = lessons.chained_layers(BATCH, WEIGHTS, BIASES, WEIGHTS2, BIASES2, transpose_second=False)
    np.testing.assert_allclose(out[0], [-2.1744, 3.21425, 1.19065], atol=1e-12)
    _, right = lessons.chained_layers(BATCH, WEIGHTS, BIASES, WEIGHTS2, BIASES2)
    assert not np.allclose(out, right)


def test_shape_error_without_transpose_explains_the_mismatch():
    message = lessons.shape_error_without_transpose(BATCH, WEIGHTS)
    assert isinstance(message, str)
    assert "(3,4)" in message.replace(" ", "") and "not aligned" in message
    assert lessons.shape_error_without_transpose(BATCH, np.asarray(WEIGHTS).T) is None


def test_seeded_layers_give_the_notebooks_numbers():
    first, second = lessons.seeded_layers(INPUTS)
    expected = [[0.10758131, 1.03983522, 0.24462411, 0.31821498, 0.18851053]]
    np.testing.assert_allclose(first, expected, atol=1e-8)
    np.testing.assert_allclose(second, [[0.148296, -0.08397602]], atol=1e-8)
    assert first.dtype == second.dtype == np.float64


def test_seeded_layers_after_earlier_draws():
    """The same seed gives other weights when 60 numbers were drawn in cells before."""
    first, second = lessons.seeded_layers(INPUTS, draws_before=60)
    expected = [[-0.10007759, -0.5409994, 0.20834961, -0.80242381, 0.16287552]]
    np.testing.assert_allclose(first, expected, atol=1e-8)
    np.testing.assert_allclose(second, [[-0.09455211, 0.14520825]], atol=1e-8)


def test_dense_from_rows_stores_the_transpose_and_computes_the_layer():
    rows = [[0.2, 0.8, -0.5, 1.0], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]]
    layer = lessons.dense_from_rows(rows, [2.0, 3.0, 0.5])
    assert layer.weights.shape == (4, 3)
    assert np.array_equal(layer.weights, np.array(rows).T)
    np.testing.assert_allclose(layer.forward([1.0, 2.0, 3.0, 2.5]), [[4.8, 1.21, 2.385]], atol=1e-12)
    with pytest.raises(ValueError, match="biases"):
        lessons.dense_from_rows(rows, [1.0, 2.0])


def test_batch_loss_spread_narrows_as_batches_grow():
    full, spread = lessons.batch_loss_spread(batch_sizes=(1, 16, 64), draws=60, seed=0, epochs=200)
    assert set(spread) == {1, 16, 64}
    assert all(len(v) == 60 for v in spread.values())
    assert spread[1].std() > 2 * spread[16].std() > 0
    assert spread[16].std() > spread[64].std()
    assert abs(spread[64].mean() - full) < 3 * spread[64].std() + 1e-9


def test_collapse_linear_gives_the_same_outputs_as_the_stack():
    rng = np.random.RandomState(3)
    stack = [nn.Dense(2, 4, weight_scale=1.0, rng=rng, dtype=np.float64),
             nn.Dense(4, 3, weight_scale=1.0, rng=rng, dtype=np.float64),
             nn.Dense(3, 1, weight_scale=1.0, rng=rng, dtype=np.float64, bias=False)]
    stack[0].biases = rng.standard_normal((1, 4))
    stack[1].biases = rng.standard_normal((1, 3))
    X = rng.standard_normal((7, 2))
    single = lessons.collapse_linear(stack)
    assert single.weights.shape == (2, 1)
    np.testing.assert_allclose(single.forward(X), lessons.run_layers(stack, X), atol=1e-12)


def test_relu_pairs_compute_clipped_steps():
    # One pair switching on at x = 0.5 with slope 4, clipped at 1, flipped: a step from -2 up to 0.
    layers = lessons.relu_pairs([(4.0, -2.0, -1.0, 1.0, -2.0)], output_bias=0.0)
    out = lessons.run_layers(layers, np.array([[0.0], [0.5], [0.625], [0.75], [1.0]]))[:, 0]
    np.testing.assert_allclose(out, [-2.0, -2.0, -1.0, 0.0, 0.0])


def test_sine_pieces_draw_the_sine_and_more_pieces_fit_better():
    X, y = nn.datasets.sine(samples=200, dtype=np.float64)
    errors = {}
    for n in (4, 8):
        pairs, bias = lessons.sine_pieces(n)
        assert len(pairs) == n
        out = lessons.run_layers(lessons.relu_pairs(pairs, bias), X)
        errors[n] = float(np.mean((out - y) ** 2))
    assert errors[8] < 0.005 < errors[4] < 0.05


@pytest.mark.slow
def test_trained_sine_network_beats_the_threshold_the_page_promises():
    model, error = lessons.trained_sine_network(seed=0)
    assert error < 0.01
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "ReLU", "Dense", "ReLU", "Dense", "Linear"]


def test_softmax_steps_match_the_engine_and_show_the_overflow():
    scores = [4.8, 1.21, 2.385]
    steps = lessons.softmax_steps(scores)
    np.testing.assert_allclose(steps["shifted"], np.array(scores) - 4.8)
    np.testing.assert_allclose(steps["probabilities"], nn.Softmax().forward(np.array([scores]))[0], rtol=1e-12)
    naive = lessons.softmax_steps(scores, subtract_max=False)
    np.testing.assert_allclose(naive["probabilities"], steps["probabilities"], rtol=1e-12)
    big = lessons.softmax_steps([1000.0, 1.0, 2.0], subtract_max=False)
    assert np.isinf(big["exps"][0]) and np.isnan(big["probabilities"][0])
    stable = lessons.softmax_steps([1000.0, 1.0, 2.0])
    np.testing.assert_allclose(stable["probabilities"], [1.0, 0.0, 0.0], atol=1e-12)


@pytest.mark.parametrize("scores, trouble", [
    ([4.8, 1.21, 2.385], None),
    ([960.0, 242.0, 477.0], "overflow"),            # exp(960) = inf: inf / inf = nan
    ([709.5, 709.5], "sum overflow"),               # each exp fits, the sum does not: x / inf = 0
    ([-1000.0, -1001.0, -1002.0], "underflow"),     # every exp is 0: 0 / 0 = nan
    ([-800.0, 0.0], None),                          # exp(-800) = 0 is right: the probability is 0
])
def test_naive_softmax_trouble_names_what_breaks(scores, trouble):
    assert lessons.naive_softmax_trouble(scores) == trouble
    naive = lessons.softmax_steps(scores, subtract_max=False)["probabilities"]
    if trouble == "sum overflow":
        assert np.all(naive == 0)
    elif trouble:
        assert np.isnan(naive).any()


def test_sine_pieces_output_bias_is_exactly_zero():
    for n in range(1, 9):
        assert repr(lessons.sine_pieces(n)[1]) == "0.0"


def test_linear_stack_demo_is_a_straight_line_until_relu_bends_it():
    demo = lessons.linear_stack_demo(seed=0)
    slopes = np.diff(demo["straight"]) / np.diff(demo["x"])
    np.testing.assert_allclose(slopes, demo["weight"], rtol=1e-9)
    assert demo["straight"][0] == pytest.approx(demo["bias"])
    assert demo["gap"] < 1e-12
    bent_slopes = np.diff(demo["bent"]) / np.diff(demo["x"])
    assert np.ptp(bent_slopes) > 1e-3
    assert lessons.linear_stack_demo(seed=1)["weight"] != demo["weight"]


def test_regression_points_and_their_outlier():
    x, y = lessons.regression_points()
    x_out, y_out = lessons.regression_points(outlier=True)
    assert x.shape == y.shape == (8,)
    np.testing.assert_array_equal(x, x_out)
    np.testing.assert_allclose(y_out - y, [0, 0, 0, 0, 0, 0, 0, 4.0])
    assert np.abs(y - (1 + 0.5 * x)).max() < 0.5
