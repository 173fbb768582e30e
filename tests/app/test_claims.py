"""Every claim on the Home, Neuron, Layer, Batches and Activations pages, checked in its own scenario.

One test per "predict, then check" answer and per sentence that states a behaviour or a number: each
sets up exactly what the sentence describes (on the page, through its controls, or in the engine code
the page calls) and asserts what the learner is told.
"""

import json

import numpy as np
import pytest
from conftest import open_page, texts

import nnengine as nn
from nnengine import lessons
from nnengine.layers import Dense

NEURON, LAYER, BATCHES, ACTIVATIONS = (f"app_pages/{name}.py" for name in ("neuron", "layer", "batches",
                                                                          "activations"))


def metrics(at):
    return {m.label: m.value for m in at.metric}


def chart_specs(at):
    """The Vega-Lite dicts of the page's charts, in page order, with their rows back under "datasets"
    (Streamlit sends each named dataset apart, as Arrow)."""
    import pyarrow as pa

    specs = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        spec["datasets"] = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist()
                            for d in chart.proto.datasets}
        specs.append(spec)
    return specs


def everything(at):
    """All the text of a run (markdown, captions, messages, latex, code) as one string."""
    parts = [at.markdown, at.caption, at.error, at.warning, at.info, at.success, at.latex, at.code]
    return "\n".join(str(value) for elements in parts for value in texts(elements))


def click(at, label):
    next(b for b in at.button if b.label.startswith(label)).click().run()
    return at


# ---- Home -----------------------------------------------------------------------------------------

def test_home_network_has_a_line_for_every_weight_of_2_4_4_2():
    """'2 inputs feed a hidden layer of 4 ... 2 outputs. Every line is one weight.'"""
    at = open_page("")
    (spec,) = chart_specs(at)
    assert len(spec["datasets"]["edges"]) == 2 * 4 + 4 * 4 + 4 * 2
    assert len(spec["datasets"]["nodes"]) == 2 + 4 + 4 + 2


def test_home_links_every_page_of_the_course():
    from ui.catalog import PAGES

    at = open_page("")
    links = [link.proto.page for link in at.get("page_link")]
    assert sorted(links) == sorted(p.url_path for p in PAGES if p.url_path)


# ---- Neuron ---------------------------------------------------------------------------------------

def test_neuron_the_series_neurons_give_2_3_and_4_8():
    at = open_page(NEURON)
    assert metrics(at)["Neuron output"] == "2.3"
    assert metrics(click(at, "4-input"))["Neuron output"] == "4.8"


def test_neuron_video_1_neuron_can_be_set_and_gives_35_7():
    """Issue 12 item 14: inputs were limited to [-5, 5] and weights to [-2, 2]."""
    at = click(open_page(NEURON), "Video 1")
    assert metrics(at)["Neuron output"] == "35.7"
    assert [at.slider(key=k).value for k in ("x1", "x2", "x3", "w1", "w2", "w3", "b")] == [
        1.2, 5.1, 2.1, 3.1, 2.1, 8.7, 3.0]
    at = open_page(NEURON, {"x2": "5.1", "w3": "8.7"})          # and by a link, with no notice
    assert at.slider(key="x2").value == 5.1 and at.slider(key="w3").value == 8.7
    assert not at.warning


def test_neuron_predict_1_bias_zero_drops_the_output_by_2():
    at = click(open_page(NEURON), "3-input")
    at.slider(key="b").set_value(0.0).run()
    assert metrics(at)["Neuron output"] == "0.3"
    assert "**0.3**" in everything(at)


def test_neuron_predict_2_x3_at_minus_3_raises_the_output_by_3():
    at = open_page(NEURON)
    at.slider(key="x3").set_value(-3.0).run()
    assert metrics(at)["Neuron output"] == "5.3"
    assert "**5.3**" in everything(at)


def test_neuron_predict_3_relu_outputs_0_from_bias_minus_0_3_down():
    at = open_page(NEURON)
    at.radio(key="activation").set_value("ReLU").run()
    at.slider(key="b").set_value(-0.3).run()
    assert metrics(at)["Weighted sum plus bias, z"] == "0" and metrics(at)["Neuron output"] == "0"
    at.slider(key="x1").set_value(1.1).run()                    # on the kink: raising x1 brings it back
    assert float(metrics(at)["Neuron output"]) > 0
    at.slider(key="x1").set_value(1.0).run()
    at.slider(key="b").set_value(-1.0).run()                    # below: small changes change nothing
    for x1 in (0.9, 1.1):
        at.slider(key="x1").set_value(x1).run()
        assert metrics(at)["Neuron output"] == "0"
    at.slider(key="b").set_value(-0.2).run()
    assert metrics(at)["Neuron output"] != "0"


def test_neuron_sweep_is_a_straight_line_of_slope_w_without_activation():
    at = open_page(NEURON)
    spec = chart_specs(at)[1]
    curve = spec["datasets"]["curve"]
    xs = np.array([row["x1"] for row in curve])
    ys = np.array([row["output"] for row in curve])
    np.testing.assert_allclose(np.diff(ys) / np.diff(xs), 0.2, atol=1e-5)
    assert "slope w1 = 0.2" in everything(at)
    assert spec["datasets"]["point"][0]["x1"] == 1.0 and abs(spec["datasets"]["point"][0]["output"] - 2.3) < 1e-6


def test_neuron_sweep_offers_only_this_neurons_inputs():
    """Issue 12 item 14: the sweep offered x4 and x5 when n = 3."""
    at = open_page(NEURON)
    assert at.selectbox(key="sweep").options == ["x1", "x2", "x3"]
    at.slider(key="n").set_value(5).run()
    at.selectbox(key="sweep").set_value("x5").run()
    at.slider(key="n").set_value(2).run()
    assert at.selectbox(key="sweep").options == ["x1", "x2"]
    assert at.selectbox(key="sweep").value == "x1"
    assert any("x5 is not an input of this neuron now" in i for i in texts(at.info))
    assert not at.exception


def test_neuron_bars_are_the_terms_of_the_sum():
    at = open_page(NEURON)
    bars = chart_specs(at)[0]["datasets"]["bars"]
    assert [(b["term"], round(b["value"], 10)) for b in bars] == [
        ("x1·w1", 0.2), ("x2·w2", 1.6), ("x3·w3", -1.5), ("bias", 2.0)]
    assert "Together they make z = 2.3" in everything(at)


# ---- Layer ----------------------------------------------------------------------------------------

def results(at):
    return [m for m in texts(at.markdown) if m.startswith("Result")]


def test_layer_predict_1_the_notebook_typo_gives_3_465_a_change_of_1_08():
    at = open_page(LAYER)
    assert "**3.465** instead of 2.385" in everything(at)
    at.text_area(key="weights").set_value("0.2, 0.8, -0.5, 1\n0.5, -0.91, 0.26, -0.5\n-0.26, 0.27, 0.17, 0.87").run()
    assert results(at) == ["Result: `4.8, 1.21, 3.465`"] * 2
    assert round(3.465 - 2.385, 10) == round(2 * 0.54, 10) == 1.08


def test_layer_predict_2_a_fourth_neuron_gives_shape_4():
    at = open_page(LAYER)
    at.text_area(key="weights").set_value(at.text_area(key="weights").value + "\n1, 0, 0, 0").run()
    at.text_area(key="biases").set_value("2, 3, 0.5, 0").run()
    assert results(at)[0] == "Result: `4.8, 1.21, 2.385, 1`"
    assert "outputs (4,)" in everything(at)


def test_layer_predict_3_a_missing_input_is_named_with_numpys_own_error():
    """Issue 12 item 15: a shape mismatch hid the whole result without numpy's error."""
    at = open_page(LAYER)
    at.text_area(key="inputs").set_value("1, 2, 3").run()
    assert not results(at)
    assert any("one weight per input: there are 3 inputs" in e for e in texts(at.error))
    numpy_error = next(c for c in texts(at.code) if "ValueError" in c)
    assert "shapes (3,4) and (3,) not aligned" in numpy_error
    assert "shapes (3,4) and (3,) not aligned" in everything(at)     # the answer quotes the same error


def test_layer_reads_a_row_and_a_matrix_pasted_from_the_notebooks():
    """Issue 12 item 15: '[1.0, 2.0, 3.0, 2.5]' gave "('[1.0' is not a number)"."""
    at = open_page(LAYER)
    at.text_area(key="inputs").set_value("[1.0, 2.0, 3.0, 2.5]").run()
    at.text_area(key="weights").set_value("[[0.2, 0.8, -0.5, 1.0],\n [0.5, -0.91, 0.26, -0.5],\n"
                                          " [-0.26, -0.27, 0.17, 0.87]]").run()
    assert not at.error
    assert results(at) == ["Result: `4.8, 1.21, 2.385`"] * 2


def test_layer_loop_and_dot_product_agree():
    at = open_page(LAYER)
    assert any("Both give the same outputs (largest difference" in s for s in texts(at.success))
    looped = lessons.layer_loop([1, 2, 3, 2.5], [[0.2, 0.8, -0.5, 1], [0.5, -0.91, 0.26, -0.5],
                                                 [-0.26, -0.27, 0.17, 0.87]], [2, 3, 0.5])
    np.testing.assert_allclose(looped, [4.8, 1.21, 2.385], atol=1e-12)


def test_layer_drawing_lines_are_wider_for_larger_weights():
    """'a line's width follows the weight's size': every line had stroke-width 1.2 (issue 12 item 10)."""
    at = open_page(LAYER)
    spec = chart_specs(at)[0]
    lines = spec["layer"][0]
    assert "strokeWidth" not in lines["mark"] and lines["encoding"]["strokeWidth"]["field"] == "size"
    sizes = sorted(e["size"] for e in spec["datasets"]["edges"])
    assert len(sizes) == 12 and sizes[0] == 0.17 and sizes[-1] == 1.0


def test_layer_caption_counts_are_in_the_right_number():
    """Issue 12 item 16: '1 inputs ... 1 weights'."""
    at = open_page(LAYER)
    at.text_area(key="inputs").set_value("2").run()
    at.text_area(key="weights").set_value("0.5").run()
    at.text_area(key="biases").set_value("1").run()
    assert results(at) == ["Result: `2`"] * 2
    assert "1 input, each connected to the neuron: 1 weight." in everything(at)


def test_layer_engine_stores_the_transpose():
    dense = lessons.dense_from_rows(np.ones((3, 4)), np.zeros(3))
    assert dense.weights.shape == (4, 3)
    assert "shape (4, 3) instead of (3, 4)" in everything(open_page(LAYER))


# ---- Batches --------------------------------------------------------------------------------------

def test_batches_predict_1_a_fourth_sample_gives_4_by_3():
    at = open_page(BATCHES)
    at.text_area(key="batch").set_value(at.text_area(key="batch").value + "\n1, 1, 1, 1").run()
    assert "give (4, 3)" in everything(at)


def test_batches_predict_2_thirty_draws_give_a_third_set():
    fresh = lessons.seeded_layers((1.0, 2.0, 3.0, 2.5), seed=0, draws_before=0)[0]
    sixty = lessons.seeded_layers((1.0, 2.0, 3.0, 2.5), seed=0, draws_before=60)[0]
    thirty = lessons.seeded_layers((1.0, 2.0, 3.0, 2.5), seed=0, draws_before=30)[0]
    assert not np.allclose(thirty, fresh) and not np.allclose(thirty, sixty)
    at = open_page(BATCHES)
    at.number_input(key="draws").set_value(30).run()
    assert "Seed 0, 30 numbers drawn first" in everything(at)


def test_batches_sixty_draws_are_two_earlier_builds_of_both_layers():
    """'60 is exactly two earlier runs of the cell that builds both layers (4 x 5 + 5 x 2 = 30 each)'."""
    rng = np.random.RandomState(0)
    for _ in range(3):                  # two earlier runs, then the one the notebook printed
        layer1 = Dense(4, 5, weight_scale=0.10, rng=rng, dtype=np.float64)
        Dense(5, 2, weight_scale=0.10, rng=rng, dtype=np.float64)
    later = lessons.seeded_layers((1.0, 2.0, 3.0, 2.5), seed=0, draws_before=60)[0]
    np.testing.assert_array_equal(layer1.forward([1.0, 2.0, 3.0, 2.5]), later)


def test_batches_predict_3_untransposed_3x2_runs_and_only_the_correct_product_fails():
    """Issue 12 item 4: the answer said the shapes fit neither way."""
    hidden = lessons.batch_layer([[1, 2, 3, 2.5], [2, 5, -1, 2], [-1.5, 2.7, 3.3, -0.8]],
                                 [[0.2, 0.8, -0.5, 1], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]],
                                 [2, 3, 0.5])
    w2 = np.array([[0.1, -0.14], [-0.5, 0.12], [-0.44, 0.73]])
    assert np.dot(hidden, w2).shape == (3, 2)
    with pytest.raises(ValueError):
        np.dot(hidden, w2.T)
    at = open_page(BATCHES)
    at.text_area(key="weights2").set_value("0.1, -0.14\n-0.5, 0.12\n-0.44, 0.73").run()
    assert not at.exception
    assert any("Layer 2: each neuron needs one weight per input" in e for e in texts(at.error))
    assert any("runs and returns shape (3, 2)" in w for w in texts(at.warning))
    assert "it runs and returns (3, 2)" in everything(at)


def test_batches_columns_say_correct_and_wrong_and_notebook_001_printed_the_wrong_one():
    """Issue 12 item 5: 'With the transpose (right)' labelled the correct column."""
    at = open_page(BATCHES)
    shown = everything(at)
    assert "**Correct:** with the transpose" in shown and "**Wrong:** without it" in shown
    assert "(right)" not in shown
    _, wrong = lessons.chained_layers(
        [[1, 2, 3, 2.5], [2, 5, -1, 2], [-1.5, 2.7, 3.3, -0.8]],
        [[0.2, 0.8, -0.5, 1], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]], [2, 3, 0.5],
        [[0.1, -0.14, 0.5], [-0.5, 0.12, -0.33], [-0.44, 0.73, -0.13]], [-1, 2, -0.5], transpose_second=False)
    np.testing.assert_allclose(wrong[0], [-2.1744, 3.21425, 1.19065], atol=1e-12)   # notebook 001's print
    assert any("seed notebook 001 printed exactly this matrix" in c for c in texts(at.caption))


def test_batches_square_second_layer_gives_no_error_and_wrong_numbers():
    at = open_page(BATCHES)
    assert any("raises **no error**" in w for w in texts(at.warning))


def test_batches_the_untransposed_first_layer_fails_with_numpys_error():
    at = open_page(BATCHES)
    assert any("shapes (3,4) and (3,4) not aligned" in c for c in texts(at.code))


def test_batches_larger_batches_scatter_less_around_the_full_loss():
    full, spread = lessons.batch_loss_spread()
    assert spread[1].std() > spread[4].std() > spread[16].std() > spread[64].std()
    assert abs(spread[64].mean() - full) < abs(spread[1].mean() - full) + spread[1].std()


def test_batches_draws_accepts_large_counts():
    """Issue 12 item 14: 'Draws' above 300 showed a red mark while the page silently kept 60."""
    at = open_page(BATCHES, {"draws": "1000"})
    assert at.number_input(key="draws").value == 1000
    assert not any("The link set" in w for w in texts(at.warning))


# ---- Activations ----------------------------------------------------------------------------------

def test_activations_predict_1_sigmoid_slope_is_largest_at_0_and_equals_0_25():
    xs = np.linspace(-5, 5, 201).reshape(-1, 1)
    sigmoid = nn.Sigmoid()
    sigmoid.forward(xs)
    slopes = sigmoid.backward(np.ones_like(xs))[:, 0]
    assert xs[np.argmax(slopes), 0] == 0 and slopes.max() == pytest.approx(0.25)
    at = open_page(ACTIVATIONS)
    at.radio(key="act").set_value("Sigmoid").run()
    at.slider(key="probe").set_value(0.0).run()
    assert metrics(at)["slope there"] == "0.25"


@pytest.mark.parametrize("name, low, high", [("ReLU", 0, 1), ("Tanh", 0, 1), ("Sigmoid", 0, 0.25), ("Step", 0, 0)])
def test_activations_slopes_are_as_described(name, low, high):
    """ReLU 'slope 1 for positive inputs', tanh 'up to 1', sigmoid 'at most 0.25', step 'slope 0'."""
    xs = np.linspace(-5, 5, 201).reshape(-1, 1)
    activation = getattr(nn, name)()
    activation.forward(xs)
    slopes = activation.backward(np.ones_like(xs))[:, 0]
    assert slopes.min() >= low and slopes.max() == pytest.approx(high)


@pytest.mark.parametrize("seed", [0, 1, 7, 123])
def test_activations_predict_2_every_linear_stack_is_one_straight_line(seed):
    demo = lessons.linear_stack_demo(seed)
    np.testing.assert_allclose(demo["straight"], demo["weight"] * demo["x"] + demo["bias"], atol=1e-9)
    assert demo["gap"] < 1e-9


def test_activations_single_weight_is_written_without_brackets():
    """Issue 12 item 16: 'W = (−0.410797)'."""
    at = open_page(ACTIVATIONS)
    line = next(latex for latex in texts(at.latex) if "W_1 W_2 W_3" in latex)
    assert "(" not in line.split("=")[-1]


def test_activations_predict_3_eight_even_pieces_get_below_0_01():
    pairs, bias = lessons.sine_pieces(8)
    X, y = nn.datasets.sine(samples=200, dtype=np.float64)
    error = nn.MeanSquaredError().calculate(lessons.run_layers(lessons.relu_pairs(pairs, bias), X), y)
    assert error < 0.01
    at = click(open_page(ACTIVATIONS), "Eight straight pieces")
    assert metrics(at)["Your mean squared error"] == f"{error:.4f}"


def test_activations_four_pieces_preset_switches_off_the_other_pairs():
    """Issue 12 item 9: after 'Eight', 'Four' left pairs 5-8 at the eight-piece values, so adding pair 5
    jumped the error from 0.0228 to 0.2060."""
    at = open_page(ACTIVATIONS)
    click(at, "Eight straight pieces")
    click(at, "Four straight pieces")
    assert metrics(at)["Your mean squared error"] == "0.0228"
    at.slider(key="pairs").set_value(5).run()
    assert metrics(at)["Your mean squared error"] == "0.0228"


def test_activations_sine_pieces_output_bias_is_exactly_0():
    """Issue 12 item 16: the output bias showed '-0.00' and -1.1102230246251565e-16 in the link."""
    for n in range(4, 9):
        assert repr(lessons.sine_pieces(n)[1]) == "0.0"
    at = open_page(ACTIVATIONS)
    assert at.slider(key="out_bias").value == 0.0


def test_activations_softmax_small_scores_agree_and_200_times_breaks_the_naive_way():
    at = open_page(ACTIVATIONS)
    assert any("Multiply the scores by 200 to see the naive way break" in s for s in texts(at.success))
    at.slider(key="scale").set_value(200).run()
    assert any("exp(960) overflows to infinity, and infinity / infinity is nan" in e for e in texts(at.error))
    assert np.isinf(np.exp(710.0)) and np.isfinite(np.exp(709.0))      # 'exp(710) is already too big'


def test_activations_naive_softmax_of_very_negative_scores_underflows_to_0_over_0():
    """Issue 12 item 8: the page said exp(-1000) overflows to infinity."""
    with np.errstate(under="ignore", invalid="ignore"):
        exps = np.exp(np.array([-1000.0, -1001.0, -1002.0]))
        assert np.all(exps == 0) and np.isnan(exps[0] / exps.sum())
    at = open_page(ACTIVATIONS, {"scores": "-1000,-1001,-1002"})
    (error,) = texts(at.error)
    assert "underflow to 0, and 0 / 0 is nan" in error and "overflow" not in error


def test_activations_naive_softmax_whose_sum_overflows_gives_zeros_not_the_same_probabilities():
    """Each exp(709.5) fits in a float, their sum does not: the naive probabilities are 0, 0, and the
    page had said 'Both ways give the same probabilities'."""
    at = open_page(ACTIVATIONS, {"scores": "709.5,709.5"})
    assert not at.success
    assert any("sum overflows to infinity" in e for e in texts(at.error))


def test_activations_softmax_axis_stops_at_probability_1():
    """Issue 12 item 16: the probability axis ran to 1.1."""
    at = open_page(ACTIVATIONS)
    bars = next(s for s in chart_specs(at) if "bars" in s.get("datasets", {}))
    assert max(bars["layer"][0]["encoding"]["x"]["axis"]["values"]) == 1


@pytest.mark.parametrize("key, typed, used", [("draws", 20_000, "10,000"), ("draws", -5, "0"),
                                              ("seed", 99_999, "10,000")])
def test_batches_a_number_out_of_range_is_replaced_with_a_message(key, typed, used):
    """Issue 12 item 14: 'Draws' out of range showed only a red mark while the page silently kept 60."""
    at = open_page(BATCHES)
    at.number_input(key=key).set_value(typed).run()
    assert not at.exception
    assert any(f"so the page uses {used}" in w for w in texts(at.warning))
    if key == "draws":
        assert f"{used.replace(',', '')} numbers drawn first" in everything(at)
