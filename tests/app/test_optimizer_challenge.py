"""Be the optimizer (ui/optimizer_challenge.py): its bookkeeping (a value set is a step, a refused one is
not, the target reached is remembered, Start again) and the section on the Training page under AppTest
(its editor's events put where the callback puts them). Its claims: tests/app/test_claims_training.py."""

import numpy as np
from conftest import open_page, texts

from ui import optimizer_challenge as challenge
from ui import weight_edit
from ui.matrix import readable

PAGE = "app_pages/training.py"


def click(attempt, kind="weight", layer=0, row=1, col=0, text="-5"):
    return {"token": weight_edit.token_of(attempt.model), "kind": kind, "layer": layer, "row": row, "col": col,
            "text": text}


def test_each_value_set_is_one_step_and_a_refused_one_is_not():
    attempt = challenge.new_attempt()
    assert attempt.steps == 0 and attempt.reached is None
    challenge.receive(attempt, click(attempt, text="nan"))
    assert attempt.steps == 0 and attempt.note[0] == "warning"
    challenge.receive(attempt, click(attempt, text="-5"))
    assert attempt.steps == 1 and attempt.reached is None and attempt.note[0] == "info"
    challenge.receive(attempt, click(attempt, layer=1, row=0, col=0, text="5"))
    assert attempt.steps == 2 and attempt.reached == 2
    X, y, _ = challenge.data()
    assert attempt.losses[-1] == attempt.model.evaluate(X, y)["loss"] <= challenge.TARGET
    challenge.receive(attempt, click(attempt, layer=1, row=0, col=0, text="0"))      # away from it again
    assert attempt.steps == 3 and attempt.reached == 2 and attempt.losses[-1] > challenge.TARGET


def test_a_click_on_the_training_network_is_refused_by_the_challenge():
    attempt = challenge.new_attempt()
    other = challenge.new_attempt()
    challenge.receive(attempt, click(other))
    assert attempt.steps == 0 and "changed since" in attempt.note[1]


def test_gradient_descent_starts_from_the_same_weights_as_the_learner():
    attempt = challenge.new_attempt()
    descent = challenge.gradient_descent()
    assert descent[0] == attempt.losses[0]
    assert all(a > b for a, b in zip(descent, descent[1:]))      # downhill at every step, at this rate
    assert descent[-1] <= challenge.TARGET < descent[-2]


def test_the_section_counts_steps_says_when_the_target_is_reached_and_starts_again():
    at = open_page(PAGE, {"hidden": "4", "epochs": "5"})
    attempt = at.session_state[challenge.KEY]
    assert not at.get("metric")                                  # no comparison before it is asked for
    for event in (click(attempt, text="-5"), click(attempt, text="abc"),
                  click(attempt, layer=1, row=0, col=0, text="5")):
        at.session_state[challenge.PENDING] = event
        at.run()
        assert not at.exception
    attempt = at.session_state[challenge.KEY]
    assert attempt.steps == 2
    assert f"You reached a loss of {readable(attempt.losses[2])} in 2 steps." in texts(at.success)
    assert [m.value for m in at.metric] == ["2", str(len(challenge.gradient_descent()) - 1)]
    at.button(key="challenge_reset").click().run()
    fresh = at.session_state[challenge.KEY]
    assert fresh.steps == 0 and not at.get("metric")
    X, y, start = challenge.data()
    assert np.array_equal(fresh.model.dense_layers[0].weights, start.dense_layers[0].weights)


def test_gradient_descent_can_be_asked_for_before_the_target_is_reached():
    at = open_page(PAGE, {"hidden": "4", "epochs": "5"})
    at.button(key="challenge_descent").click().run()
    assert [m.value for m in at.metric] == ["not yet", str(len(challenge.gradient_descent()) - 1)]
    assert not at.exception
