"""Your own points as Python receives them (ui/drawn_points.py): the list the plane sends and the share link's
value are checked, junk is refused with a reason; the arrays, the validation share and a dataset put on the
plane; the plane's callback; a training thread taking new points (trainers.Trainer.use_data); and the
reproduce script for drawn points. (AppTest shows the plane, a v2 component, as an unknown element: its
clicks are tested in Chromium, tests/e2e/test_points_browser.py.)"""

import dataclasses
import time
from types import SimpleNamespace

import numpy as np
import pytest

from ui import drawn_points, trainers, training, training_reproduce
from ui.drawn_points import MAX_POINTS, arrays, checked, from_dataset, held_out, parse, to_url
from ui.state import share_query
from ui.trainers import TrainerQueue
from ui.training_controls import CONTROLS, POINTS

SOME = ((10, 20, 0), (-150, 150, 1), (150, -150, 2), (0, 0, 1), (-3, 77, 4))


def test_points_travel_through_the_link_and_back():
    assert to_url(SOME) == "10,20,0;-150,150,1;150,-150,2;0,0,1;-3,77,4"
    assert parse(to_url(SOME)) == SOME
    assert parse("") == () and POINTS.is_default(())
    assert POINTS.parse(to_url(SOME)) == SOME and POINTS.to_url(SOME) == to_url(SOME)


def test_a_full_plane_keeps_the_address_under_8_kb():
    worst = tuple((-150 + k % 300, -150, 4) for k in range(MAX_POINTS))      # the longest numbers there are
    query = share_query(CONTROLS, {"dataset": training.DRAWN, "points": worst, "hidden": "512,512,512"})
    assert len(query) < 6_000 and parse(dict(p.split("=") for p in query.split("&"))["points"]) == worst


@pytest.mark.parametrize("raw, reason", [
    ("1.5,2,0", "not a point"), ("a,b,c", "not a point"), ("1,2", "not a point"), ("1,2,0;", "not a point"),
    ("1,2,0,4", "not a point"), ("1e3,0,0", "not a point"), ("nan,0,0", "not a point"), ("1,2,10", "not a point"),
    ("151,0,0", "outside the plane"), ("0,-200,1", "outside the plane"), ("0,0,5", "classes are 0 to 4"),
    (";".join(["1,2,0"] * 10_000), "10,000 points"), (";".join(["1,2,0"] * (MAX_POINTS + 1)), "401 points"),
    ("<script>alert(1)</script>", "not a point"),
])
def test_a_link_with_junk_is_refused_with_a_reason(raw, reason):
    with pytest.raises(ValueError, match=reason):
        parse(raw)


@pytest.mark.parametrize("value, reason", [
    (None, "a list"), ("1,2,0", "a list"), ({"points": []}, "a list"), ([[1, 2]], "three whole numbers"),
    ([[1.5, 2, 0]], "three whole numbers"), ([[1, 2, True]], "three whole numbers"), ([["1", 2, 0]], "three"),
    ([[1, 2, None]], "three whole numbers"), ([[0, 151, 0]], "outside the plane"), ([[0, 0, -1]], "class -1"),
    ([[0, 0, 0]] * (MAX_POINTS + 1), "more than"),
])
def test_what_the_plane_sends_is_checked(value, reason):
    with pytest.raises(ValueError, match=reason):
        checked(value)


def test_checked_points_become_the_networks_arrays():
    X, y, left_out = arrays(SOME, classes=3, regression=False)
    assert X.dtype == np.float32 and X.shape == (4, 2) and left_out == 1           # class 4 sits out
    assert np.array_equal(X, np.array([[0.1, 0.2], [-1.5, 1.5], [1.5, -1.5], [0, 0]], dtype=np.float32))
    assert y.tolist() == [0, 1, 2, 1]
    X, y, left_out = arrays(SOME, classes=3, regression=True)
    assert X.shape == (5, 1) and y.shape == (5, 1) and left_out == 0
    assert np.allclose(y[:, 0], [0.2, 1.5, -1.5, 0, 0.77])
    X, y, _ = arrays((), classes=2, regression=False)
    assert X.shape == (0, 2) and y.shape == (0,)


def test_a_share_held_out_is_evenly_spaced_and_an_added_point_never_moves_an_earlier_one():
    assert np.flatnonzero(held_out(10, 0.2)).tolist() == [4, 9]
    assert held_out(10, 0.25).sum() == 2 and not held_out(7, 0.0).any()
    for n in range(1, 60):
        assert np.array_equal(held_out(n + 1, 0.3)[:n], held_out(n, 0.3))
        assert abs(held_out(n, 0.3).sum() - 0.3 * n) < 1


def test_a_dataset_put_on_the_plane_is_rounded_and_kept_inside_it():
    X = np.array([[0.123, -0.456], [2.0, 0.0], [1.5, -1.5]], dtype=np.float32)
    points, dropped = from_dataset(X, np.array([0, 1, 2]), regression=False)
    assert points == ((12, -46, 0), (150, -150, 2)) and dropped == 1
    many = np.random.RandomState(0).uniform(-1, 1, (1000, 2))
    points, dropped = from_dataset(many, np.repeat([0, 1, 2, 3, 4], 200), regression=False)
    assert len(points) == MAX_POINTS and dropped == 600 and {p[2] for p in points} == {0, 1, 2, 3, 4}
    checked(points)
    points, _ = from_dataset(np.array([[0.5]]), np.array([[-0.25]]), regression=True)
    assert points == ((50, -25, 0),)


@pytest.fixture
def session(monkeypatch):
    """drawn_points' st.session_state as a dict, and what the plane sent."""
    state, sent = {}, {}
    monkeypatch.setattr(drawn_points, "st", SimpleNamespace(session_state=state))
    monkeypatch.setattr(drawn_points, "sent_points", lambda key: sent.get(key))
    return state, sent


def test_the_planes_callback_keeps_checked_points_and_refuses_junk(session):
    state, sent = session
    start = drawn_points.revision()
    sent[drawn_points.PLANE_KEY] = [[10, 20, 0], [30, -40, 1]]
    drawn_points.on_plane_change()
    assert drawn_points.current() == ((10, 20, 0), (30, -40, 1)) and drawn_points.PROBLEM not in state
    assert drawn_points.revision() == start          # the plane's own change: it keeps its list
    sent[drawn_points.PLANE_KEY] = [[10, 20, 0], [999, 0, 1]]
    drawn_points.on_plane_change()
    assert drawn_points.current() == ((10, 20, 0), (30, -40, 1))                   # kept as they were
    assert "outside the plane" in state[drawn_points.PROBLEM]
    assert drawn_points.revision() == start + 1      # the plane is told to take the page's points back
    state[drawn_points.KEY] = ()                      # Reset to defaults, a dataset put on the plane, a link
    assert drawn_points.revision() == start + 2


def test_a_training_run_takes_new_points_from_its_next_epoch_without_a_new_network():
    epochs = 20_000
    settings = dataclasses.replace(training.Settings(), dataset=training.DRAWN, hidden=(8,), epochs=epochs, classes=2)
    first = ((-100, 0, 0), (100, 0, 1), (-90, 50, 0))
    more = first + ((90, -50, 1), (0, 140, 0), (10, -140, 1))

    def setup_for(points):
        X, y, _ = arrays(points, 2, False)
        return training.build(settings, training.Uploaded(X, y, "classification", (0, 1)))

    setup, later = setup_for(first), setup_for(more)
    model = setup.model
    trainer = trainers.Trainer(model, setup.X, setup.y, settings.epochs, training.fit_kwargs(settings, setup),
                               TrainerQueue(1), "t")
    trainer.start()
    while trainer.running() and trainer.snapshot().epochs_done < 10:
        time.sleep(0.01)
    trainer.use_data(later.X, later.y, None)       # the learner adds three points while it trains
    assert trainer.wait(120) and trainer.error is None
    assert trainer.model is model and model.epochs_done == epochs
    (switched,) = trainer.data_changed_at
    assert 10 <= switched < epochs
    # The same as one fit on the first points up to the epoch that was running when they came, then one on all.
    reference = setup_for(first).model
    reference.fit(setup.X, setup.y, epochs=switched)
    reference.fit(later.X, later.y, epochs=epochs - switched)
    assert [r["loss"] for r in model.history.records] == [r["loss"] for r in reference.history.records]
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(model.parameters(), reference.parameters()))


@pytest.mark.parametrize("changes, points", [
    ({"classes": 3, "epochs": 60}, SOME),
    ({"classes": 2, "val_split": 0.25, "features": ("x1", "x2", "x1*x2"), "dropout": 0.1, "epochs": 40}, SOME * 3),
    ({"points_task": "regression", "batch_size": 4, "hidden": (16, 8), "loss": "MAE", "epochs": 50,
      "val_split": 0.2}, SOME * 2),
], ids=["three-classes", "binary-validation-features", "regression-batches"])
def test_the_reproduce_script_prints_the_pages_numbers_for_drawn_points(changes, points, capsys):
    settings = dataclasses.replace(training.Settings(), **{"dataset": training.DRAWN, "hidden": (8,), **changes})
    regression = settings.points_task == "regression"
    X, y, _ = arrays(points, settings.classes, regression)
    setup = training.build(settings, training.Uploaded(X, y, "regression" if regression else "classification",
                                                        tuple(range(settings.classes))))
    script = training_reproduce.reproduce_script(settings, setup, points)
    assert "from ui" not in script and "import nnengine as nn" in script
    exec(compile(script, "reproduce_run.py", "exec"), {})
    printed = capsys.readouterr().out.strip()
    freq = max(1, settings.epochs // 200)
    last = setup.model.fit(setup.X, setup.y, epochs=settings.epochs, validation_freq=freq,
                           **training.fit_kwargs(settings, setup))[-1]
    expected = f"epoch: {last['epoch']}, accuracy: {last['accuracy']:.3f}, loss: {last['loss']:.4f}"
    if settings.val_split:
        expected += (f", validation accuracy: {last['val_accuracy']:.3f}, "
                     f"validation loss: {last['val_loss']:.4f}")
    assert printed == expected


def test_nothing_the_learner_places_goes_into_the_planes_html_or_js(monkeypatch):
    """The component's HTML and JS are fixed files; the points reach it only as data (JSON), and its JS writes
    text with textContent, never as HTML."""
    from pathlib import Path

    from ui.components import point_plane as module
    js = (Path(module.__file__).parent / "point_plane.js").read_text()
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "eval(" not in js and "Function(" not in js
    assert "{" not in module.HTML                           # no placeholder a value could be formatted into
    sent = {}
    monkeypatch.setattr(module, "_plane", lambda **kwargs: sent.update(kwargs))
    data = {"points": [[1, 2, 0]], "note": "<img src=x onerror=alert(1)>"}
    module.point_plane("plane", data, on_change=print)
    assert set(sent) == {"key", "data", "on_points_change"} and sent["data"] is data
