"""The Backpropagation page's whole-network walk: what it shows equals the engine's walk of that
sample, its controls change it, bad input gives a message, and the Training page's model can be
followed through the session and through a link."""

import json

import numpy as np
from conftest import open_page as open_app
from conftest import texts

from nnengine.lessons import walk as lesson
from ui import training, walk_tex
from ui.walk_chart import short

PAGE = "app_pages/backprop.py"


def open_page(path, query=None, timeout=120):
    """The page is long (the XOR network trains on its first run): a generous timeout on a busy machine."""
    return open_app(path, query, timeout=timeout)


def walk_spec(at):
    """The walk drawing's Vega-Lite spec (the chart with the layer named walk_nodes)."""
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if any(layer.get("name") == "walk_nodes" for layer in spec.get("layer", [])):
            return spec
    return None


def labels(spec):
    """(value labels, gradient labels) written on the drawing."""
    rows = next(layer for layer in spec["layer"] if layer.get("name") == "walk_values")["data"]["values"]
    return [r["text"] for r in rows if not r["gradient"]], [r["text"] for r in rows if r["gradient"]]


def latex(at):
    return " ".join(texts(at.latex))


def sample_line(at):
    return next(m for m in texts(at.markdown) if m.startswith("**Sample "))


def test_the_default_walk_is_the_books_network_on_sample_54_with_the_engines_numbers():
    at = open_page(PAGE)
    assert "**Sample 54** of the book's 2-3-3 network, untrained" in sample_line(at)
    X, y, model = lesson.book_network(3)
    w = lesson.walk(model, X, y, 54)
    values, grads = labels(walk_spec(at))
    # Every neuron's value and gradient, as the engine computed them, is written on the drawing.
    for column in w.columns[1:]:
        for j in range(len(column.z)):
            assert f"z{j + 1} {short(column.z[j])}" in values
            assert f"∂z{j + 1} {short(column.dz[j])}" in grads
    assert f"L {short(w.loss)}" in values
    assert f"∂x1 {short(w.columns[0].da[0])}" in grads
    # The last operation (the hidden layer's gradients) and the gradient matrices, in numbers.
    assert "hidden: dW, db and dX" in " ".join(texts(at.markdown))
    assert walk_tex.row(w.links[0].dinputs) in latex(at)
    assert f"{w.links[1].dweights[0, 0]:.8f}".rstrip("0")[:9] in latex(at)


def test_stepping_shows_one_operation_at_a_time():
    at = open_page(PAGE)
    at.slider(key="walk_step").set_value(3).run()
    assert any("Operation 3 of 10, forward: hidden: ReLU." in m for m in texts(at.markdown))
    values, grads = labels(walk_spec(at))
    assert grads == [] and not any(v.startswith("p") for v in values)        # nothing beyond the ReLU yet
    assert any(v.startswith("a1 ") for v in values)
    at.button(key="walk_next").click().run()
    assert at.slider(key="walk_step").value == 4
    assert any("Operation 4 of 10, forward: outputs: weighted sums." in m for m in texts(at.markdown))
    at.slider(key="walk_step").set_value(0).run()
    assert any("Nothing computed yet" in i for i in texts(at.info))
    assert labels(walk_spec(at)) == ([], [])
    at.slider(key="walk_step").set_value(7).run()
    assert any(r"\hat y - y" in t for t in texts(at.latex))
    at.slider(key="walk_step").set_value(8).run()          # the output layer's dW: its links show gradients
    spec = walk_spec(at)
    links = next(layer for layer in spec["layer"] if "strokeWidth" in layer.get("encoding", {}))
    assert links["encoding"]["strokeWidth"]["legend"]["title"] == "|∂L/∂W| (this sample)"


def test_the_sample_hidden_size_and_training_change_the_walk():
    at = open_page(PAGE, {"walk_sample": "120", "walk_hidden": "4", "walk_trained": "100"})
    assert "**Sample 120** of the book's 2-4-3 network, after 100 epochs of Adam" in sample_line(at)
    X, y, model = lesson.book_network(hidden=4, trained_epochs=100)
    w = lesson.walk(model, X, y, 120)
    values, _ = labels(walk_spec(at))
    assert f"p{y[120] + 1} {short(w.output[y[120]])}" in values and "z4 " + short(w.columns[1].z[3]) in values


def test_a_sample_that_does_not_exist_gives_a_message_and_the_default():
    at = open_page(PAGE, {"walk_sample": "5000"})
    assert any("There is no sample 5000: the data has 300 samples, 0 to 299" in e for e in texts(at.error))
    assert sample_line(at).startswith("**Sample 54**")
    assert not at.exception


def test_the_update_and_batch_views_show_the_engines_numbers():
    at = open_page(PAGE, {"walk_lr": "0.5"})
    X, y, model = lesson.book_network(3)
    w = lesson.walk(model, X, y, 54)
    step = lesson.sgd_update(w, 0.5)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["This sample's loss before"] == f"{step.loss_before:.6f}"
    assert metrics["after one step"] == f"{step.loss_after:.6f}"
    at.number_input(key="walk_batch").set_value(5).run()
    table = next(m for m in texts(at.markdown) if "one pass over the batch" in m)
    result = lesson.batch_gradients(model, X, y, [54, 114, 174, 234, 294])
    assert f"| {short(result.batch[3][0, 0])} |" in table and table.count("| sample ") == 5
    assert any("Samples 54, 114, 174, 234, 294" in c for c in texts(at.caption))


def follow_from_training(query):
    at = open_page("app_pages/training.py", query, timeout=120)
    at.button(key="step_epoch").click().run()
    at.number_input(key="follow_sample").set_value(7).run()
    at.button(key="follow_point").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_follow_a_point_walks_the_training_pages_own_model():
    at = follow_from_training({"hidden": "4", "epochs": "30"})
    assert "**Sample 7** of your Training model after 1 epoch" in sample_line(at)
    settings = training.Settings(hidden=(4,), epochs=30)
    setup = training.build(settings)
    setup.model.fit(setup.X, setup.y, epochs=1, **training.fit_kwargs(settings, setup))
    w = lesson.walk(setup.model, setup.X, setup.y, 7)
    values, grads = labels(walk_spec(at))
    assert f"L {short(w.loss)}" in values and f"∂z1 {short(w.columns[1].dz[0])}" in grads
    assert at.query_params["walk_training"] == "hidden=4&epochs=30" and at.query_params["walk_epochs"] == "1"


def test_a_shared_follow_link_rebuilds_and_retrains_the_model():
    at = open_page(PAGE, {"walk_model": "training", "walk_sample": "7", "walk_training": "hidden=4&epochs=30",
                          "walk_epochs": "3"}, timeout=120)
    assert "rebuilt and trained for 3 epochs" in sample_line(at)
    settings = training.Settings(hidden=(4,), epochs=30)
    setup = training.build(settings)
    setup.model.fit(setup.X, setup.y, epochs=3, **training.fit_kwargs(settings, setup))
    w = lesson.walk(setup.model, setup.X, setup.y, 7)
    assert f"L {short(w.loss)}" in labels(walk_spec(at))[0]


def test_a_full_batch_run_trained_in_pieces_equals_one_run():
    """What rebuilding from a link relies on: the Training page trains in chunks, the link in one go."""
    settings = training.Settings(hidden=(4,), epochs=30)
    one, pieces = training.build(settings), training.build(settings)
    one.model.fit(one.X, one.y, epochs=6, **training.fit_kwargs(settings, one))
    for _ in range(3):
        pieces.model.fit(pieces.X, pieces.y, epochs=2, **training.fit_kwargs(settings, pieces))
    for a, b in zip(one.model.dense_layers, pieces.model.dense_layers):
        np.testing.assert_array_equal(a.weights, b.weights)


def test_a_bad_follow_link_says_so_and_shows_the_books_network():
    at = open_page(PAGE, {"walk_model": "training", "walk_training": "hidden=abc"})
    assert any("cannot be used" in i and "hidden layers" in i for i in texts(at.info))
    assert "book's 2-3-3 network" in sample_line(at)


def test_wide_layers_become_tables_and_regression_uses_its_own_gradient():
    at = open_page(PAGE, {"walk_model": "training", "walk_sample": "3", "walk_epochs": "0",
                          "walk_training": "dataset=sine&samples=50&hidden=16"}, timeout=120)
    assert walk_spec(at) is None
    assert any("too many to draw legibly" in c for c in texts(at.caption))
    assert any("regression loss" in e.label for e in at.expander)
    assert any("MeanSquaredError gives" in m for m in texts(at.markdown))


def test_the_verdict_judges_tiny_gradients_by_the_rounding_floor():
    """A Training-page model (two hidden layers, L2, dropout) after 5 epochs: some gradients are so small
    that a central difference's rounding (~1e-10) is a large relative error; those entries pass by the
    floor, the rest by their relative error (a broken rule still fails the verdict: tests/engine/test_walk.py)."""
    settings = training.Settings(hidden=(4, 3), dropout=0.2, l2=0.001)
    setup = training.build(settings)
    setup.model.fit(setup.X, setup.y, epochs=5, **training.fit_kwargs(settings, setup))
    w = lesson.walk(setup.model, setup.X, setup.y, 3)
    checks = lesson.numerical_check(w)
    passed, worst, rescued = lesson.verdict(checks)
    assert passed and worst > 1e-6 and rescued > 0                            # what the floor is for
