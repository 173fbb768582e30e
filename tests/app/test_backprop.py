"""Backpropagation page: the book's neuron and its gradients, stepping through the graph, a layer's
gradients, the gradient check catching broken rules, random search, and the XOR network."""

from conftest import open_page, texts

PAGE = "app_pages/backprop.py"


def metrics(at):
    return {m.label: m.value for m in at.metric}


def latex(at):
    return " ".join(texts(at.latex))


def test_the_books_neuron_gives_the_books_gradients_and_step():
    at = open_page(PAGE)
    summary = next(m for m in texts(at.markdown) if "forward pass gives" in m)
    assert "y = 6" in summary and "[1.0, -2.0, 3.0]" in summary and "[-3.0, -1.0, 2.0]" in summary
    assert r"\begin{bmatrix}-3.001 & -0.998 & 1.997\end{bmatrix},\quad b = 0.999" in latex(at)
    assert r"y_{\text{new}} = 5.985 < 6" in latex(at)


def test_stepping_changes_the_graph_and_the_operation_shown():
    at = open_page(PAGE)
    done = latex(at)
    at.slider(key="step").set_value(3).run()
    assert "p_2 = x_2 w_2" in latex(at) and latex(at) != done
    assert any("Move *Operations done* to the end" in c for c in texts(at.caption))
    at.slider(key="step").set_value(0).run()
    assert any("Nothing computed yet" in i for i in texts(at.info))


def test_editing_the_numbers_moves_the_gradients():
    at = open_page(PAGE)
    at.text_area(key="inputs").set_value("2, -2, 3").run()
    summary = next(m for m in texts(at.markdown) if "forward pass gives" in m)
    assert "y = 3" in summary and "[2.0, -2.0, 3.0]" in summary   # 2(-3) + (-2)(-1) + 3(2) + 1


def test_a_negative_sum_stops_every_gradient():
    at = open_page(PAGE, {"bias": "-7"})
    summary = next(m for m in texts(at.markdown) if "not positive" in m)
    assert "y = 0" in summary and "every gradient is 0" in summary


def test_mismatched_inputs_and_weights_give_a_message():
    at = open_page(PAGE)
    at.text_area(key="weights").set_value("1, 2").run()
    assert any("3 inputs need 3 weights" in e for e in texts(at.error))
    assert not at.exception


def test_a_layers_gradients_match_the_book():
    at = open_page(PAGE)
    text = latex(at)
    assert r"0.5 & 0.5 & 0.5 \\ 20.1 & 20.1 & 20.1 \\ 10.9 & 10.9 & 10.9 \\ 4.1 & 4.1 & 4.1" in text
    assert r"6 & 6 & 6" in text
    assert r"0.44 & -0.38 & -0.07 & 1.37" in text


def test_the_gradient_check_passes_and_catches_each_broken_rule():
    at = open_page(PAGE)
    assert any("agree" in s for s in texts(at.success))
    for broken in ["ReLU's backward (forgets to zero the gradient)", "Dense's bias gradient (a mean instead of a sum)"]:
        at.selectbox(key="broken").set_value(broken).run()
        assert any("The check fails" in e for e in texts(at.error)), broken
        table = next(m for m in texts(at.markdown) if m.startswith("| parameter"))
        assert "**fails**" in table
    at.radio(key="check_act").set_value("Tanh").run()          # the ReLU bug does not apply to tanh
    at.selectbox(key="broken").set_value("nothing").run()
    assert any("agree" in s for s in texts(at.success))


def test_random_search_and_gradient_descent_both_lower_the_loss():
    at = open_page(PAGE, {"iterations": "300"})
    search = float(metrics(at)["Random search, final loss"])
    descent = float(metrics(at)["Gradient descent, final loss"])
    assert search < 1.0986 and descent < search


def test_the_seed_xor_network_stays_at_0_25_and_learns_with_larger_weights_and_rate():
    at = open_page(PAGE)
    assert metrics(at)["Loss after training"] == "0.2500"
    assert any("Stuck" in w for w in texts(at.warning))
    at.radio(key="scale").set_value("1.0").run()
    at.radio(key="xor_rate").set_value("2.0").run()
    at.radio(key="epochs").set_value("20000").run()
    assert float(metrics(at)["Loss after training"]) < 0.01
    assert any("Learned" in s for s in texts(at.success))
