"""Your own points on the Training page under AppTest. The plane is a v2 component (an unknown element here;
its clicks are tested in Chromium, tests/e2e/test_points_browser.py), so the points are put where its
callback puts them, st.session_state["points"], as the digit pad's tests put a drawing."""

from conftest import open_page, texts, train, until_trained

from ui import drawn_points, training

PAGE = "app_pages/training.py"
OWN = {"dataset": training.DRAWN, "hidden": "8", "epochs": "30"}
SOME = "-100,20,0;-80,-60,0;100,10,1;70,-90,1;0,130,2"


def warnings(at):
    return " ".join(texts(at.warning))


def test_a_link_with_junk_or_too_many_points_says_so_and_starts_with_an_empty_plane():
    for raw, shown in [(";".join(["1,2,0"] * 10_000), "1,2,0;1,2,0;"), ("1,2,0;abc", "1,2,0;abc"),
                       ("1,2,0;900,0,1", "1,2,0;900,0,1"), ("0.5,0.5,0", "0.5,0.5,0")]:
        at = open_page(PAGE, {**OWN, "points": raw})
        assert f"The link set **Your points** to `{shown}" in warnings(at), raw
        assert "at most 400 points" in warnings(at)
        assert at.session_state["points"] == () and not at.exception
        assert any("0 training and 0 validation samples" in c for c in texts(at.caption))


def test_the_share_link_carries_the_points_and_reset_to_defaults_clears_them():
    at = open_page(PAGE, {**OWN, "points": SOME})
    assert at.session_state["points"] == drawn_points.parse(SOME)
    at.session_state["points"] = drawn_points.parse(SOME + ";5,5,1")         # a click on the plane
    at.run()
    assert at.query_params["points"] == SOME + ";5,5,1"                      # the address bar follows
    at.button(key="reset_defaults").click().run()
    assert at.session_state["points"] == () and not at.exception


def test_regression_on_drawn_points_learns_y_from_x():
    points = ";".join(f"{x},{round(100 * (x / 100) ** 2) - 50},0" for x in range(-140, 141, 20))
    at = train(open_page(PAGE, {**OWN, "points": points, "points_task": "regression", "epochs": "400",
                                "hidden": "16", "lr": "0.02"}))
    setup = at.session_state["training_run"]["setup"]
    assert setup.task == "regression" and setup.X.shape == (15, 1) and setup.model.n_inputs == 1
    assert any("regression: a linear output with mean squared error" in c for c in texts(at.caption))
    assert any("On the training data the root mean squared error" in c for c in texts(at.caption))
    assert setup.model.evaluate(setup.X, setup.y)["loss"] < 0.02 and not at.exception


def test_points_added_while_the_network_trains_join_its_next_epoch():
    at = open_page(PAGE, {**OWN, "points": SOME, "epochs": "50001", "hidden": "64"})
    at.button(key="train").click().run()
    run = at.session_state["training_run"]
    trainer, model = run["trainer"], run["setup"].model
    assert trainer is not None and trainer.running()
    at.session_state["points"] = drawn_points.parse(SOME + ";120,120,2;-120,-120,1")
    at.run()
    run = at.session_state["training_run"]
    assert run["trainer"] is trainer and run["setup"].model is model        # the same run, the same network
    for _ in range(100):
        if len(trainer.X) == 7:
            break
        at.run()
    assert len(trainer.X) == 7 and trainer.model is model
    at.button(key="stop").click().run()
    until_trained(at)
    assert not at.exception


def test_a_weight_set_by_hand_on_an_empty_plane_is_refused_with_a_message():
    """Setting a weight (ui/weight_edit.py) measures the loss on the training points: with none placed yet,
    the page says so and the weight is left as it was (before, the page raised: 'X is an empty batch')."""
    from ui import weight_edit

    at = open_page(PAGE, OWN)
    model = at.session_state["training_run"]["setup"].model
    before = float(model.dense_layers[0].weights[0, 0])
    at.session_state[weight_edit.PENDING] = {"kind": "weight", "token": weight_edit.token_of(model), "layer": 0,
                                             "row": 0, "col": 0, "text": "2"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert float(model.dense_layers[0].weights[0, 0]) == before
    assert "There is no training point to measure a weight on yet" in warnings(at), warnings(at)


def test_clearing_the_plane_while_the_network_trains_stops_the_run():
    at = open_page(PAGE, {**OWN, "points": SOME, "epochs": "50001", "hidden": "64"})
    at.button(key="train").click().run()
    trainer = at.session_state["training_run"]["trainer"]
    assert trainer is not None and trainer.running()
    at.session_state["points"] = ()                                    # Clear on the plane
    at.run()
    assert trainer.wait(30) and trainer.error is None                 # stopped, not fed an empty batch
    until_trained(at)
    assert not at.exception and any("0 training and 0 validation samples" in c for c in texts(at.caption))
