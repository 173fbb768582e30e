"""Every number and verdict the Training page states about touching the network (Be the optimizer, your own
points), set up and checked (see DESIGN.md, "Every claim is true"); the rest is in test_claims_training.py."""

import re

import numpy as np
from conftest import ROOT, chart_rows, chart_specs, open_page, texts, train

from ui import drawn_points, training, training_reproduce
from ui.matrix import readable

PAGE = "app_pages/training.py"


# -- Be the optimizer (ui/optimizer_challenge.py) -----------------------------------------------------


def challenge_start():
    """The challenge's data and starting model, checked against what the page says they are."""
    from ui import optimizer_challenge as challenge

    X, y, model = challenge.data()
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "Tanh", "Dense", "Sigmoid"]                        # "2-2-1 ... tanh ... sigmoid"
    assert [model.n_inputs] + [d.n_neurons for d in model.dense_layers] == [2, 2, 1]
    assert type(model.loss).__name__ == "BinaryCrossentropy"                     # "binary cross-entropy"
    assert type(model.optimizer).__name__ == "SGD" and model.optimizer.momentum == 0 and model.optimizer.decay == 0
    return X, y, model


def test_the_challenge_says_its_network_data_and_starting_loss_truly():
    X, y, model = challenge_start()
    labels = y.reshape(-1)
    assert len(X) == 20 and (labels == 0).sum() == (labels == 1).sum() == 10
    assert X[labels == 0, 1].min() > X[labels == 1, 1].max()                     # class 0 above, class 1 below
    at = open_page(PAGE, {"hidden": "4", "epochs": "5"})
    start = model.evaluate(X, y)
    intro = next(m for m in texts(at.markdown) if "2-2-1" in m)
    assert "on 20 points in two clouds (10 of class 0 above, 10 of class 1 below)" in intro
    assert f"loss starts at {readable(start['loss'])}" in intro and "**0.1 or less**" in intro
    assert f"Now: step 0, loss {readable(start['loss'])}, accuracy {start['accuracy']:.3f}." in intro


def test_gradient_descent_reaches_the_target_in_the_steps_the_page_states():
    from ui import optimizer_challenge as challenge

    at = open_page(PAGE, {"hidden": "4", "epochs": "5"})
    at.button(key="challenge_descent").click().run()
    caption = next(c for c in texts(at.caption) if c.startswith("Gradient descent (learning rate 0.5"))
    steps = int(re.search(r"after (\d+) steps", caption).group(1))
    stated = re.search(r"reaches a loss of ([0-9.]+) after", caption).group(1)
    assert [m.value for m in at.metric][1] == str(steps)
    # The same starting weights, trained here with one fit of `steps` epochs (each a full-batch step).
    X, y, model = challenge_start()
    model.fit(X, y, epochs=steps - 1)
    assert model.evaluate(X, y)["loss"] > challenge.TARGET                       # not one step earlier
    model.fit(X, y, epochs=1)
    after = model.evaluate(X, y)["loss"]
    assert after <= challenge.TARGET and readable(after) == stated
    assert "all 20 points at each step" in caption and model.optimizer.learning_rate == 0.5
    assert f"({steps} full-batch steps at learning rate 0.5)" in (ROOT / "README.md").read_text()


def test_the_challenge_counts_the_learners_steps_and_states_the_engines_loss():
    from ui import optimizer_challenge as challenge
    from ui import weight_edit

    at = open_page(PAGE, {"hidden": "4", "epochs": "5"})
    attempt = at.session_state[challenge.KEY]
    X, y, model = challenge_start()
    for layer, row, value in ((0, 1, -5.0), (1, 0, 5.0)):
        at.session_state[challenge.PENDING] = {"token": weight_edit.token_of(attempt.model), "kind": "weight",
                                               "layer": layer, "row": row, "col": 0, "text": str(value)}
        at.run()
        model.dense_layers[layer].weights[row, 0] = value
    loss = model.evaluate(X, y)["loss"]
    assert loss <= challenge.TARGET
    assert f"Step 2: you set the weight from hidden 1 neuron 1 to output neuron 1 to 5; the loss is now " \
           f"{readable(loss)}." in texts(at.info)
    assert f"You reached a loss of {readable(loss)} in 2 steps." in texts(at.success)
    assert [m.value for m in at.metric][0] == "2"


# ---- your own points (ui/training_touch.py): every sentence the page says about drawn data ----------------

OWN = {"dataset": training.DRAWN, "hidden": "8", "epochs": "30"}
DRAWN_POINTS = "-100,20,0;-80,-60,0;-120,90,0;100,10,1;70,-90,1;110,80,1;0,130,2;10,-140,2;-5,5,2;60,60,1"


def own_settings(**changes):
    return training.Settings(**{"dataset": training.DRAWN, "hidden": (8,), "epochs": 30, **changes})


def points_caption(at):
    return next(c for c in texts(at.caption) if " on the plane (" in c)


def test_with_no_validation_share_every_point_trains_and_the_curves_and_table_say_so():
    at = train(open_page(PAGE, {**OWN, "points": DRAWN_POINTS}))
    assert any("10 training and 0 validation samples" in c and "Validation: none (Validation share 0): every "
               "point you place trains the network, so the curves show training alone" in c for c in texts(at.caption))
    curves = {row["curve"] for row in chart_rows(at) if "curve" in row}
    assert "training loss" in curves and not any(c.startswith("validation") for c in curves)
    assert ("No validation curves: with a Validation share of 0 every point you place trains the network, so "
            "nothing is held out to measure it on.") in texts(at.caption)
    # Changed with the merge: the matrix's title is short for a phone, and its caption says what it counts.
    assert any(spec.get("title") == "Confusion matrix (training)" for spec in chart_specs(at))
    assert any("a cell counts the training samples of that pair" in c for c in texts(at.caption))


def test_a_validation_share_holds_out_every_few_points_in_the_order_placed():
    at = train(open_page(PAGE, {**OWN, "points": DRAWN_POINTS, "val_split": "0.2"}))
    assert any("8 training and 2 validation samples" in c and "a share (0.2) of your points, evenly spaced in the "
               "order you placed them" in c for c in texts(at.caption))
    setup = at.session_state["training_run"]["setup"]
    points = drawn_points.parse(DRAWN_POINTS)
    assert np.array_equal(setup.X_val, np.array([p[:2] for p in points[4::5]], dtype=np.float32) / 100)
    assert any(r["curve"] == "validation loss" for r in chart_rows(at) if "curve" in r)
    assert not any(c.startswith("No validation curves") for c in texts(at.caption))


def test_the_models_numbers_on_the_points_are_the_engines():
    at = train(open_page(PAGE, {**OWN, "points": DRAWN_POINTS}))
    setup = at.session_state["training_run"]["setup"]
    now = setup.model.evaluate(setup.X, setup.y)
    assert (f"The model as it is now, on the training points as they are now: loss {readable(now['loss'])}, "
            f"accuracy {now['accuracy']:.3f}.") in points_caption(at)
    assert points_caption(at).startswith("10 points on the plane (10 training, 0 validation; at most 400).")


def test_points_of_a_class_the_setting_no_longer_has_sit_out():
    at = open_page(PAGE, {**OWN, "points": DRAWN_POINTS, "classes": "2"})
    assert "3 points of a class above 1 (drawn before Classes was lowered) sit out" in points_caption(at)
    assert len(at.session_state["training_run"]["setup"].X) == 7


def test_a_point_added_keeps_the_network_and_after_reset_the_page_prints_the_scripts_numbers(capsys):
    at = train(open_page(PAGE, {**OWN, "points": DRAWN_POINTS}))
    run = at.session_state["training_run"]
    model = run["setup"].model
    at.session_state["points"] = drawn_points.parse(DRAWN_POINTS + ";-140,-140,0")    # as the plane's callback does
    at.run()
    run = at.session_state["training_run"]
    assert run["setup"].model is model and model.epochs_done == 30           # the same network, trained on
    assert len(run["setup"].X) == 11 and "11 training and 0 validation samples" in " ".join(texts(at.caption))
    assert "The points changed during this run, so its curves mix data sets; Reset trains on these points from " \
           "the start (the numbers the reproduce script prints)." in points_caption(at)
    at.button(key="reset_model").click().run()
    at = train(at)
    assert "changed during this run" not in points_caption(at)
    setup = at.session_state["training_run"]["setup"]
    settings = own_settings()
    script = training_reproduce.reproduce_script(settings, setup, at.session_state["points"])
    exec(compile(script, "reproduce_run.py", "exec"), {})
    last = setup.model.history.records[-1]
    assert capsys.readouterr().out.strip() == (f"epoch: {last['epoch']}, accuracy: {last['accuracy']:.3f}, "
                                               f"loss: {last['loss']:.4f}")


def test_a_dataset_put_on_the_plane_is_that_dataset_rounded_with_what_was_left_out_counted():
    at = open_page(PAGE, {**OWN, "classes": "3", "seed": "4"})
    at.button(key="points_copy").click().run()
    settings = training.Settings(dataset="spiral", samples=100, classes=3, noise=training.NOISE["spiral"], seed=4)
    X, y = training.draw_data(settings, np.random.RandomState(4))
    expected, dropped = drawn_points.from_dataset(X, y, regression=False)
    assert at.session_state["points"] == expected and len(expected) == 300 and dropped == 0
    assert any(c == "The spiral data's points, rounded to hundredths." for c in texts(at.caption))
    assert "300 points on the plane (300 training" in points_caption(at)
    at.selectbox(key="points_start_classes").set_value("moons").run()
    at.button(key="points_copy").click().run()
    X, y = training.draw_data(training.Settings(dataset="moons", samples=100, noise=0.1, seed=4),
                              np.random.RandomState(4))
    expected, dropped = drawn_points.from_dataset(X, y, regression=False)
    assert at.session_state["points"] == expected
    note = next(c for c in texts(at.caption) if c.startswith("The moons data's points"))
    assert note == ("The moons data's points, rounded to hundredths" + (
        f"; {dropped} point{'s' * (dropped != 1)} outside the plane or beyond 400 left out." if dropped else "."))


def test_an_empty_plane_asks_for_points_before_training():
    at = open_page(PAGE, OWN)
    at.button(key="train").click().run()
    assert any(i.startswith("There is no training point yet: click on the plane") for i in texts(at.info))
    assert at.session_state["training_run"]["setup"].model.epochs_done == 0 and not at.exception
