"""Neuron page: the series' neurons, sliders that move the result, and share links."""

from conftest import open_page, texts

PAGE = "app_pages/neuron.py"


def metrics(at):
    return {m.label: m.value for m in at.metric}


def test_default_is_the_three_input_neuron_with_output_2_3():
    at = open_page(PAGE)
    assert metrics(at)["Neuron output"] == "2.3"
    assert any("1\\cdot0.2 + 2\\cdot0.8 + 3\\cdot(-0.5) + 2" in latex and "= 2.3" in latex for latex in texts(at.latex))


def test_four_input_neuron_is_one_click_away():
    at = open_page(PAGE)
    next(b for b in at.button if b.label.startswith("4-input")).click().run()
    assert metrics(at)["Neuron output"] == "4.8"
    assert at.slider(key="n").value == 4


def test_moving_the_bias_moves_the_output_by_the_same_amount():
    at = open_page(PAGE)
    at.slider(key="b").set_value(0.0).run()
    assert metrics(at)["Neuron output"] == "0.3"
    at.slider(key="b").set_value(-1.0).run()
    assert metrics(at)["Neuron output"] == "-0.7"


def test_activation_changes_the_output():
    at = open_page(PAGE)
    at.slider(key="b").set_value(-1.0).run()
    at.radio(key="activation").set_value("ReLU").run()
    assert metrics(at)["Neuron output"] == "0"
    assert metrics(at)["Weighted sum plus bias, z"] == "-0.7"
    at.radio(key="activation").set_value("Step").run()
    assert metrics(at)["Neuron output"] == "0"
    at.slider(key="b").set_value(2.0).run()
    assert metrics(at)["Neuron output"] == "1"


def test_a_weight_slider_changes_the_sum():
    at = open_page(PAGE)
    at.slider(key="w3").set_value(0.5).run()      # 3 * 0.5 instead of 3 * -0.5: +3
    assert metrics(at)["Neuron output"] == "5.3"


def test_a_link_opens_the_page_in_that_state():
    at = open_page(PAGE, {"n": "4", "b": "0", "activation": "ReLU"})
    assert metrics(at)["Neuron output"] == "2.8"
    assert at.slider(key="n").value == 4
    assert not at.warning


def test_a_bad_link_value_falls_back_with_a_notice():
    at = open_page(PAGE, {"b": "abc", "x1": "1e9", "activation": "Softmax!"})
    notices = " ".join(texts(at.warning))
    assert "Bias b" in notices and "Input x1" in notices and "Activation" in notices
    assert metrics(at)["Neuron output"] == "2.3"


def test_reset_puts_every_control_back():
    at = open_page(PAGE)
    at.slider(key="b").set_value(0.0).run()
    at.slider(key="n").set_value(5).run()
    at.button(key="reset_defaults").click().run()
    assert metrics(at)["Neuron output"] == "2.3"
    assert at.slider(key="n").value == 3


def test_share_link_holds_only_the_changed_values():
    at = open_page(PAGE)
    at.slider(key="b").set_value(0.5).run()
    link = next(c.value for c in at.code if "?" in c.value)
    assert link.endswith("?b=0.5")


def test_sweep_of_an_input_that_is_gone_falls_back_to_x1():
    at = open_page(PAGE, {"n": "5", "sweep": "x5"})
    at.slider(key="n").set_value(2).run()
    assert any("sweeps x1" in i for i in texts(at.info))


def test_a_fractional_count_in_the_link_says_what_the_page_used():
    """Streamlit truncates n=2.5 to 2 for a whole-number slider; the notice must say so."""
    at = open_page(PAGE, {"n": "2.5"})
    notice = " ".join(texts(at.warning))
    assert "Number of inputs" in notice and "uses `2` instead" in notice
    assert at.slider(key="n").value == 2
