"""Activations page: each function with its slope, linear layers collapsing, the hand-fitted sine,
and softmax with and without the max subtracted."""

import numpy as np
import pytest
from conftest import open_page, texts

PAGE = "app_pages/activations.py"


def metrics(at):
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("name, value, slope", [
    ("Step", "1", "0"), ("Linear", "1", "1"), ("Sigmoid", "0.731059", "0.196612"),
    ("Tanh", "0.761594", "0.419974"), ("ReLU", "1", "1"), ("Leaky ReLU", "1", "1")])
def test_every_activation_shows_its_value_and_slope_at_the_probe(name, value, slope):
    at = open_page(PAGE)
    at.radio(key="act").set_value(name).run()
    assert not at.exception
    shown = metrics(at)
    assert shown[f"{name}(1)"] == value and shown["slope there"] == slope


def test_negative_probe_shows_relu_off_and_leaky_relu_slope_alpha():
    at = open_page(PAGE, {"probe": "-2"})
    assert metrics(at)["ReLU(-2)"] == "0" and metrics(at)["slope there"] == "0"
    at.radio(key="act").set_value("Leaky ReLU").run()
    at.slider(key="alpha").set_value(0.2).run()
    assert metrics(at)["Leaky ReLU(-2)"] == "-0.4" and metrics(at)["slope there"] == "0.2"


def test_stacked_linear_layers_collapse_to_one_weight_and_bias():
    at = open_page(PAGE)
    before = [latex for latex in texts(at.latex) if "W_1 W_2 W_3" in latex]
    assert before and any("match the stack's to" in c for c in texts(at.caption))
    at.number_input(key="stack_seed").set_value(7).run()
    after = [latex for latex in texts(at.latex) if "W_1 W_2 W_3" in latex]
    assert after != before


def test_the_hand_fit_error_moves_with_a_pair_control():
    at = open_page(PAGE)
    assert metrics(at)["Your mean squared error"] == "0.0228"      # four straight pieces
    at.slider(key="o1").set_value(-0.5).run()
    assert metrics(at)["Your mean squared error"] != "0.0228"
    next(b for b in at.button if b.label == "Eight straight pieces").click().run()
    assert metrics(at)["Your mean squared error"] == "0.0015"
    assert at.slider(key="pairs").value == 8


def test_the_trained_network_beats_0_01():
    at = open_page(PAGE, {"trained": "true"})
    assert float(metrics(at)["Trained network's error"]) < 0.01


def test_softmax_stable_and_naive_agree_for_small_scores_and_part_for_large():
    at = open_page(PAGE)
    table = next(m for m in texts(at.markdown) if m.startswith("| class"))
    assert "0.895283" in table and "nan" not in table and "inf" not in table
    assert any("Both ways give the same" in s for s in texts(at.success))
    at.slider(key="scale").set_value(200).run()
    table = next(m for m in texts(at.markdown) if m.startswith("| class"))
    assert "**nan**" in table and "**inf**" in table
    assert any("overflows to infinity" in e for e in texts(at.error))
    stable_probabilities = [row.split("|")[5].strip() for row in table.split("\n")[2:5]]
    assert stable_probabilities[0] == "1"
    assert not any("nan" in p for p in stable_probabilities)


def test_softmax_of_the_largest_score_is_the_largest_probability():
    at = open_page(PAGE)
    at.text_area(key="scores").set_value("1, 3, 2").run()
    table = next(m for m in texts(at.markdown) if m.startswith("| class"))
    probabilities = [float(row.split("|")[5]) for row in table.split("\n")[2:5]]
    assert int(np.argmax(probabilities)) == 1
    np.testing.assert_allclose(sum(probabilities), 1, atol=1e-5)
    assert any("largest probability: class 1" in c for c in texts(at.caption))


def test_bad_scores_give_a_message_and_the_page_keeps_working():
    at = open_page(PAGE)
    at.text_area(key="scores").set_value("1, x, 3").run()
    assert any("not a number" in e for e in texts(at.error))
    assert not at.exception
    assert metrics(at)["ReLU(1)"] == "1"
