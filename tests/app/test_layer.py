"""Layer page: the series' layer, loop and dot product agree, editors refuse bad numbers."""

from conftest import open_page, texts

PAGE = "app_pages/layer.py"


def results(at):
    return [m for m in texts(at.markdown) if m.startswith("Result")]


def test_default_layer_gives_the_series_outputs_by_loop_and_by_dot():
    at = open_page(PAGE)
    assert results(at) == ["Result: `4.8, 1.21, 2.385`"] * 2
    assert any("Both give the same outputs" in s for s in texts(at.success))
    assert any("(3\\times 4)" in latex and "2.385" in latex for latex in texts(at.latex))


def test_engine_stores_the_transpose():
    at = open_page(PAGE)
    assert any("Dense.weights" in latex and "(4\\times 3)" in latex for latex in texts(at.latex))


def test_the_sign_typo_gives_3_465():
    at = open_page(PAGE)
    at.text_area(key="weights").set_value("0.2, 0.8, -0.5, 1\n0.5, -0.91, 0.26, -0.5\n-0.26, 0.27, 0.17, 0.87").run()
    assert results(at) == ["Result: `4.8, 1.21, 3.465`"] * 2


def test_a_fourth_neuron_adds_a_fourth_output():
    at = open_page(PAGE)
    at.text_area(key="weights").set_value(at.text_area(key="weights").value + "\n1, 0, 0, 0").run()
    at.text_area(key="biases").set_value("2, 3, 0.5, 0").run()
    assert results(at)[0] == "Result: `4.8, 1.21, 2.385, 1`"


def test_bad_editor_input_gives_a_message_and_the_page_keeps_working():
    at = open_page(PAGE)
    for text, fragment in [("1, 2, abc, 4", "not a number"), ("", "Nothing is typed"), ("1,,3,4", "empty"),
                           ("1, nan, 3, 4", "finite"), ("1, inf, 3, 4", "finite"),
                           ("1, 1e308, 3, 4", "too large"), ("1, 2, 3", "one weight per input")]:
        at.text_area(key="inputs").set_value(text).run()
        assert not at.exception, text
        assert any(fragment in e for e in texts(at.error)), (text, texts(at.error))
        assert not results(at)
    at.text_area(key="inputs").set_value("1, 2, 3, 2.5").run()
    assert results(at) == ["Result: `4.8, 1.21, 2.385`"] * 2


def test_ragged_weights_are_explained():
    at = open_page(PAGE)
    at.text_area(key="weights").set_value("1, 2, 3, 4\n1, 2").run()
    assert any("same number of values" in e for e in texts(at.error))


def test_a_link_with_matrices_opens_that_layer():
    at = open_page(PAGE, {"inputs": "1,1,1,1", "weights": "1,0,0,0;0,1,0,0", "biases": "0,1"})
    assert results(at) == ["Result: `1, 2`"] * 2


def test_a_bad_matrix_in_the_link_falls_back_with_a_notice():
    at = open_page(PAGE, {"weights": "1,2;x,y"})
    assert any("Weights" in w and "not valid" in w for w in texts(at.warning))
    assert results(at) == ["Result: `4.8, 1.21, 2.385`"] * 2
