"""Edit a weight on the drawing: the Python that receives the network editor's events (ui/weight_edit.py,
ui/components/network_editor.py), and the Training page under AppTest. The editor is a v2 component (an
unknown element here, clicked in tests/e2e/test_weights_browser.py), so its events are put where its
callback puts them (weight_edit.PENDING) and the page's answer is checked against the engine's."""

import copy
import math
from dataclasses import replace

import numpy as np
import pytest
from conftest import open_page, texts, train

from ui import training, weight_edit
from ui.components.network_editor import editor_data
from ui.matrix import readable

PAGE = "app_pages/training.py"
QUERY = {"hidden": "4", "epochs": "5"}
SETTINGS = replace(training.Settings(), hidden=(4,), epochs=5)


def model():
    return training.build(SETTINGS).model


def event(m, kind="weight", layer=0, row=1, col=2, text="0.5", **changes):
    return {"token": weight_edit.token_of(m), "kind": kind, "layer": layer, "row": row, "col": col, "text": text,
            **changes}


# -- what a learner types ---------------------------------------------------------------------------


@pytest.mark.parametrize("text,value", [("0.5", 0.5), (" -1.25 ", -1.25), ("3e-2", 0.03), ("−2", -2.0),
                                        ("1000", 1000.0), ("0", 0.0)])
def test_a_typed_number_is_read(text, value):
    assert weight_edit.parse_value(text) == value


@pytest.mark.parametrize("text,why", [("abc", "not a number"), ("0,5", "not a number"), ("", "empty"),
                                      ("   ", "empty"), ("nan", "NaN"), ("NaN", "NaN"), ("1e300", "too large"),
                                      ("inf", "too large"), ("-Infinity", "too large"), ("1000.5", "too large"),
                                      ("1" * 41, "longer"), (None, "text"), (0.5, "text")])
def test_anything_else_is_refused_saying_why(text, why):
    with pytest.raises(ValueError, match=why):
        weight_edit.parse_value(text)


def test_a_refusal_never_repeats_what_was_typed():
    with pytest.raises(ValueError) as refusal:
        weight_edit.parse_value("![x](http://example.com/a.png)")
    assert "example" not in str(refusal.value)


# -- which parameter a click names -----------------------------------------------------------------


def test_an_event_names_a_weight_or_a_bias_of_this_network():
    m = model()
    assert weight_edit.check_event(event(m), m) == weight_edit.Edit("weight", 0, 1, 2, 0.5)
    bias = weight_edit.check_event(event(m, kind="bias", layer=1, row=None, col=2, text="-1"), m)
    assert bias == weight_edit.Edit("bias", 1, 0, 2, -1.0)


@pytest.mark.parametrize("changes,why", [
    ({"token": "0:2-4-3"}, "changed since"),                # a drawing of another model
    ({"layer": 2}, "not in this network"), ({"row": 2}, "not in this network"), ({"col": 4}, "not in this network"),
    ({"layer": -1}, "not in this network"), ({"col": 1.0}, "could not be read"), ({"row": True}, "could not be read"),
    ({"kind": "neuron"}, "could not be read"), ({"text": "x"}, "not a number")])
def test_a_stale_or_malformed_click_is_refused(changes, why):
    m = model()
    with pytest.raises(ValueError, match=why):
        weight_edit.check_event(event(m, **changes), m)


def test_a_click_on_a_network_that_has_changed_is_refused():
    """The settings changed (a neuron more): a click made on the old drawing names a network that is gone."""
    old, new = model(), training.build(replace(SETTINGS, hidden=(5,))).model
    with pytest.raises(ValueError, match="changed since"):
        weight_edit.check_event(event(old, col=4), new)
    assert weight_edit.check_event(event(new, col=4), new).col == 4


def test_junk_events_are_refused():
    m = model()
    for junk in (None, "weight", [], {}, {"kind": "weight"}):
        with pytest.raises(ValueError):
            weight_edit.check_event(junk, m)


# -- applying it ----------------------------------------------------------------------------------


def test_an_edit_sets_that_weight_alone_and_the_loss_is_the_engines():
    setup = training.build(SETTINGS)
    expected = copy.deepcopy(setup.model)
    expected.dense_layers[0].weights[1, 2] = 2.5
    kind, message = weight_edit.receive(setup.model, setup.X, setup.y, event(setup.model, text="2.5"))
    assert kind == "success"
    for got, want in zip(setup.model.dense_layers, expected.dense_layers):
        assert np.array_equal(got.weights, want.weights) and np.array_equal(got.biases, want.biases)
    after = expected.evaluate(setup.X, setup.y)
    assert f"loss {readable(after['loss'])}" in message and f"accuracy {after['accuracy']:.3f}" in message
    assert "the weight from input 2 to hidden 1 neuron 3 to 2.5" in message


def test_a_bias_edit_and_the_float32_the_model_keeps():
    setup = training.build(SETTINGS)
    kind, message = weight_edit.receive(setup.model, setup.X, setup.y,
                                        event(setup.model, kind="bias", layer=1, col=0, text="0.1"))
    assert kind == "success" and setup.model.dense_layers[1].biases[0, 0] == np.float32(0.1)
    assert "the bias of output neuron 1 to 0.1 " in message


def test_a_refused_edit_leaves_the_model_as_it_was():
    setup = training.build(SETTINGS)
    before = [d.weights.copy() for d in setup.model.dense_layers]
    for text in ("abc", "nan", "1e300", "inf", ""):
        kind, _ = weight_edit.receive(setup.model, setup.X, setup.y, event(setup.model, text=text))
        assert kind == "warning"
    assert all(np.array_equal(a, d.weights) for a, d in zip(before, setup.model.dense_layers))


def test_the_sentence_says_what_train_does_with_the_optimizers_memory():
    setup = training.build(SETTINGS)
    assert "Adam has taken no step yet" in weight_edit.memory_sentence(setup.model)
    setup.model.fit(setup.X, setup.y, epochs=2)
    assert "Adam keeps its moving averages" in weight_edit.memory_sentence(setup.model)
    sgd = training.build(replace(SETTINGS, optimizer="SGD", momentum=0.0)).model
    sgd.fit(setup.X, setup.y, epochs=1)
    assert "remembers no past gradient" in weight_edit.memory_sentence(sgd)


def test_the_optimizers_memory_stays_and_train_carries_on_from_the_edited_weight():
    """What the page says is true: an edit changes the weight and nothing the optimizer holds, and the
    next step starts from the edited weight with the optimizer's memory (a fresh Adam would step elsewhere)."""
    def trained(epochs=3):
        setup = training.build(SETTINGS)
        setup.model.fit(setup.X, setup.y, epochs=epochs)
        return setup

    edited = trained()
    memory = copy.deepcopy(edited.model.optimizer.state())
    weight_edit.receive(edited.model, edited.X, edited.y, event(edited.model, text="3"))
    state = edited.model.optimizer.state()
    assert state["iterations"] == memory["iterations"] == 3
    assert all(np.array_equal(state["memories"][k], memory["memories"][k]) for k in memory["memories"])
    by_hand, forgetful = trained(), trained()
    for setup in (by_hand, forgetful):
        setup.model.dense_layers[0].weights[1, 2] = 3
    forgetful.model.optimizer = training.build(SETTINGS).model.optimizer       # a fresh Adam: no memory
    for setup in (edited, by_hand, forgetful):
        setup.model.fit(setup.X, setup.y, epochs=1)
    assert np.array_equal(edited.model.dense_layers[0].weights, by_hand.model.dense_layers[0].weights)
    assert not np.array_equal(edited.model.dense_layers[0].weights, forgetful.model.dense_layers[0].weights)
    assert abs(float(edited.model.dense_layers[0].weights[1, 2]) - 3) < 0.2      # one Adam step from 3


# -- what the component is given --------------------------------------------------------------------


def test_the_editor_draws_every_weight_of_a_small_network_with_its_biases():
    m = model()
    data = editor_data(m, "t", input_names=["x1", "x2"])
    assert len(data["edges"]) == 2 * 4 + 4 * 3 and data["token"] == "t"
    for edge in data["edges"]:
        assert edge["weight"] == float(m.dense_layers[edge["layer"]].weights[edge["row"], edge["col"]])
    biases = [n["bias"] for n in data["nodes"]]
    assert biases[:2] == [None, None] and biases[2:] == [0.0] * 7
    assert data["widest"] == max(abs(e["weight"]) for e in data["edges"])


def test_the_editor_draws_a_wide_layer_as_its_strongest_neurons_with_how_many_more():
    m = training.build(replace(SETTINGS, hidden=(64,))).model
    m.dense_layers[0].weights[:, 40] = 9.0                  # neuron 41 is by far the strongest
    data = editor_data(m, "t")
    hidden = [n for n in data["nodes"] if n["x"] == 1]
    assert len(hidden) == 8 and 40 in [n["index"] for n in hidden]
    assert data["captions"][1] == ["hidden 1", "+56 more"]
    assert {e["col"] for e in data["edges"] if e["layer"] == 0} == {n["index"] for n in hidden}


# -- the page -------------------------------------------------------------------------------------


def send(at, **changes):
    m = at.session_state["training_run"]["setup"].model
    at.session_state[weight_edit.PENDING] = event(m, **changes)
    return at.run()


def test_the_page_applies_an_edit_and_shows_the_engines_loss_without_training():
    at = open_page(PAGE, QUERY)
    send(at, text="2.5")
    setup = training.build(SETTINGS)
    setup.model.dense_layers[0].weights[1, 2] = 2.5
    after = setup.model.evaluate(setup.X, setup.y)
    [message] = texts(at.success)
    assert f"loss {readable(after['loss'])}" in message and f"accuracy {after['accuracy']:.3f}" in message
    run = at.session_state["training_run"]
    assert run["setup"].model.epochs_done == 0 and run["setup"].model.dense_layers[0].weights[1, 2] == 2.5
    assert not at.exception


def test_the_page_refuses_bad_values_and_stale_clicks_with_a_message_and_keeps_working():
    at = open_page(PAGE, QUERY)
    weights = at.session_state["training_run"]["setup"].model.dense_layers[0].weights.copy()
    for changes, why in (({"text": "abc"}, "not a number"), ({"text": "nan"}, "NaN"), ({"text": "1e300"}, "too large"),
                         ({"text": ""}, "empty"), ({"col": 9}, "not in this network"),
                         ({"token": "0:2-4-3"}, "changed since")):
        send(at, **changes)
        assert any(why in w for w in texts(at.warning)), (changes, texts(at.warning))
        assert not at.exception
    assert np.array_equal(at.session_state["training_run"]["setup"].model.dense_layers[0].weights, weights)
    train(at)                                                   # and the page still trains
    assert at.session_state["training_run"]["setup"].model.epochs_done == 5


def test_after_an_edit_train_carries_on_from_the_edited_weights():
    at = open_page(PAGE, QUERY)
    send(at, text="2.5")
    train(at)
    setup = training.build(SETTINGS)
    setup.model.dense_layers[0].weights[1, 2] = 2.5
    setup.model.fit(setup.X, setup.y, epochs=5, **training.fit_kwargs(SETTINGS, setup))
    model = at.session_state["training_run"]["setup"].model
    assert np.array_equal(model.dense_layers[0].weights, setup.model.dense_layers[0].weights)
    assert not texts(at.success)                                # the note was about the model before training
    assert math.isclose(model.history.records[-1]["loss"], setup.model.history.records[-1]["loss"])


def test_an_edit_that_arrives_while_the_run_trains_is_refused():
    at = open_page(PAGE, {**QUERY, "epochs": "100000"})
    at.button(key="train").click().run()
    model = at.session_state["training_run"]["setup"].model
    at.session_state[weight_edit.PENDING] = event(model, text="2.5")
    at.run()
    assert any("press Stop, then set the weight" in w for w in texts(at.warning))
    at.button(key="stop").click().run()
    assert model.dense_layers[0].weights[1, 2] != 2.5 and not at.exception


def test_the_sentence_names_what_the_page_redrew_for_each_kind_of_data():
    at = open_page(PAGE, {"dataset": "sine", "hidden": "4", "epochs": "5"})
    send(at, row=0, text="1")                                   # sine has one input, x
    [message] = texts(at.success)
    assert "The fit drawn above is this model's." in message and "boundary" not in message
    at = open_page(PAGE, QUERY)
    send(at, text="1")
    assert "The boundary and the validation counts above are this model's." in texts(at.success)[0]
