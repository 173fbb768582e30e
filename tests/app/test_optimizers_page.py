"""Optimizers page: every optimizer and surface runs with its defaults and at the ends of every
control; a run that blows up says so instead of crashing; links open the page in their state."""

import re

import pytest
from conftest import open_page, texts

from nnengine import lessons

PAGE = "app_pages/optimizers.py"
OPTIMIZERS = ["SGD", "SGD with momentum", "Adagrad", "RMSprop", "Adam"]
SURFACES = {"Bowl": lessons.Bowl, "Valley": lessons.Valley, "Saddle": lessons.Saddle, "Network": lessons.NetworkLoss}
# Each optimizer's own controls besides the learning rate and decay: (key, kind).
OWN = {"SGD": [], "SGD with momentum": [("momentum", "slider")], "Adagrad": [("eps", "select_slider")],
       "RMSprop": [("rho", "slider"), ("eps", "select_slider")],
       "Adam": [("beta_1", "slider"), ("beta_2", "select_slider"), ("eps", "select_slider")]}


def metrics(at):
    return {m.label: m.value for m in at.metric}


def all_text(at):
    return " ".join(texts(at.markdown) + texts(at.caption) + texts(at.latex) + texts(at.error) + texts(at.warning)
                    + texts(at.success) + [m.value for m in at.metric])


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    shown = all_text(at)
    assert not re.search(r"\b(nan|inf)\b", shown, flags=re.IGNORECASE), "a raw nan or inf is shown"


def ends(widget):
    """A widget's smallest and largest values (a select slider's first and last option)."""
    if hasattr(widget, "options") and widget.options:
        return widget.options[0], widget.options[-1]
    return widget.min, widget.max


def test_defaults_show_the_numbers():
    at = open_page(PAGE)
    shown = metrics(at)
    assert shown["Loss at the start"] == "3.7375"            # (3.5^2 / 10 + 2.5^2) / 2
    assert shown["Lowest point"] == "(0, 0)"
    assert shown["Steepest curvature there"] == "1"
    assert shown["Loss after 100 steps"] == "0.001385"
    assert shown["η at step 1"] == "0.3"
    race = next(m for m in texts(at.markdown) if m.startswith("| optimizer"))
    for name in OPTIMIZERS:
        assert f"| {name} |" in race
    assert not at.error and not at.warning
    assert any("below 2" in s for s in texts(at.success))
    assert_clean(at)


def test_the_first_steps_are_sgds_hand_computed_steps():
    """Step 1 of SGD with lr 0.3 on the bowl from (-3.5, 2.5): x - 0.3 * x / 10 = -3.395, y - 0.3 * y = 1.75."""
    at = open_page(PAGE)
    steps = next(m for m in texts(at.markdown) if m.startswith("| step"))
    assert "| 1 | -3.3950 | 1.7500 |" in steps


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_optimizer_runs_with_its_race_settings(name):
    at = open_page(PAGE)
    at.radio(key="opt").set_value(name).run()
    assert_clean(at)
    expected = lessons.RACERS[name]["learning_rate"]
    assert float(at.select_slider(key="lr").value) == expected      # choosing it loads its race settings
    assert "Loss after 100 steps" in metrics(at)
    assert any(name in c for c in texts(at.caption))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_optimizer_at_the_ends_of_its_controls(name):
    at = open_page(PAGE)
    at.radio(key="opt").set_value(name).run()
    for end in (0, 1):
        at.select_slider(key="lr").set_value(ends(at.select_slider(key="lr"))[end])
        at.select_slider(key="decay").set_value(ends(at.select_slider(key="decay"))[end])
        for key, kind in OWN[name]:
            widget = getattr(at, kind)(key=key)
            widget.set_value(ends(widget)[end])
        at.run()
        assert_clean(at)
        assert any(m.startswith("| step") for m in texts(at.markdown))


@pytest.mark.parametrize("surface", list(SURFACES))
def test_each_surface_runs_from_its_own_start(surface):
    at = open_page(PAGE)
    at.radio(key="surface").set_value(surface).run()
    assert_clean(at)
    start = SURFACES[surface].start
    assert (at.slider(key="x").value, at.slider(key="y").value) == pytest.approx(start)
    value = SURFACES[surface]().value(start) if surface != "Bowl" else lessons.Bowl(10).value(start)
    assert metrics(at)["Loss at the start"] == f"{float(value):.5g}"
    assert (surface == "Bowl") == any(s.key == "cond" for s in at.slider)   # conditioning is the bowl's alone


@pytest.mark.parametrize("surface", list(SURFACES))
def test_each_surface_at_the_ends_of_its_controls(surface):
    at = open_page(PAGE)
    at.radio(key="surface").set_value(surface).run()
    keys = ["x", "y", "steps"] + (["cond"] if surface == "Bowl" else [])
    for end in (0, 1):
        for key in keys:
            at.slider(key=key).set_value(ends(at.slider(key=key))[end])
        at.select_slider(key="big_lr").set_value(ends(at.select_slider(key="big_lr"))[end])
        at.run()
        assert_clean(at)
        assert any(m.startswith("| optimizer") for m in texts(at.markdown))


def test_a_diverging_run_shows_its_message():
    at = open_page(PAGE)
    at.select_slider(key="big_lr").set_value("10").run()
    assert_clean(at)
    message = " ".join(texts(at.error))
    assert "SGD with learning rate 10 diverged at step" in message
    assert "more than 1000 from the origin (the drawing shows only ±4" in message
    at.select_slider(key="lr").set_value("3").run()               # the inspected optimizer, too
    assert any(e.startswith("SGD diverged at step 9") for e in texts(at.error))
    assert metrics(at)["Loss after 8 steps"] == "2.048e5"
    assert_clean(at)


def test_a_learning_rate_above_the_limit_on_a_bounded_surface_warns():
    """The network's loss is bounded, so a too-large rate may bounce without leaving the map."""
    at = open_page(PAGE, {"surface": "Network", "x": "-1", "y": "3.5", "big_lr": "5"})
    assert_clean(at)
    assert at.warning or at.error


def test_a_link_opens_the_page_in_its_state():
    at = open_page(PAGE, {"surface": "Saddle", "x": "-2", "y": "0.5", "opt": "Adam", "lr": "0.1", "beta_1": "0.5",
                          "steps": "50"})
    assert_clean(at)
    assert at.radio(key="surface").value == "Saddle" and at.radio(key="opt").value == "Adam"
    assert at.select_slider(key="lr").value == "0.1" and at.slider(key="beta_1").value == 0.5
    assert metrics(at)["Loss at the start"] == "1.8789"        # (-2)^2 / 4 + (0.25 - 4)^2 / 16
    assert "Loss after 50 steps" in metrics(at)
    assert not any("not valid" in w for w in texts(at.warning))


@pytest.mark.parametrize(("query", "label"), [({"lr": "0.123"}, "Learning rate η"), ({"steps": "5000"}, "Steps"),
                                              ({"surface": "Volcano"}, "Loss surface"), ({"eps": "abc"}, "ε")])
def test_a_bad_link_value_gives_the_notice(query, label):
    at = open_page(PAGE, query)
    assert_clean(at)
    notices = texts(at.warning)
    assert any(label in n and "not valid" in n for n in notices), notices
    assert metrics(at)["Loss at the start"] == "3.7375"          # the defaults are used instead


def test_the_decay_chart_keeps_about_100_points_per_curve_and_the_exact_last_rate():
    """Lighter to draw: 500 steps send 101 points per decay curve (was 500), the first and last exact."""
    import numpy as np

    from ui import surface_charts

    rates = [("decay 0.01", 1.0 / (1 + 0.01 * np.arange(500))), ("decay 0", np.ones(500))]
    table = surface_charts.decay_table(rates, every=5).to_pydict()
    assert len(table["step"]) == 2 * 101
    assert table["step"][:2] == [1, 6] and table["step"][100] == 500
    assert table["learning_rate"][100] == pytest.approx(1 / (1 + 0.01 * 499))


def test_the_conditioning_slider_changes_the_charts_rows_not_their_specs():
    """A chart whose spec is unchanged is redrawn in place by the browser (Streamlit swaps its rows into
    the live Vega view) instead of being rebuilt: the conditioning slider changes every chart's numbers,
    so their descriptions must not carry them (the captions do)."""
    at = open_page(PAGE)

    def charts():
        return [(chart.proto.spec, {d.name: d.data.data for d in chart.proto.datasets})
                for chart in at.get("vega_lite_chart")]

    before = charts()
    at.slider(key="cond").set_value(20).run()
    after = charts()
    assert len(before) == len(after) == 6
    assert [spec for spec, _ in before] == [spec for spec, _ in after]
    changed = [name for (_, old), (_, new) in zip(before, after) for name in old if old[name] != new[name]]
    assert changed.count("surface") == 2 and "paths" in changed and "losses" in changed
    assert any("c = 20" in text for text in texts(at.latex))


def test_the_surface_picture_is_the_bowl_the_page_describes():
    """The picture's pixels are the bowl's bands at the chosen conditioning: flat along x, steep across."""
    import base64
    import io

    import numpy as np
    import pyarrow
    from PIL import Image

    from ui import surface_charts

    at = open_page(PAGE, {"cond": "40"})
    chart = at.get("vega_lite_chart")[0]
    data = next(d.data.data for d in chart.proto.datasets if d.name == "surface")
    url = pyarrow.ipc.open_stream(data).read_all().column("url")[0].as_py()
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"))
    xs, ys, values = lessons.Bowl(40).grid(32)
    expected = np.array(surface_charts.BAND_COLOURS, np.uint8)[surface_charts.bands(values)[::-1]]
    assert np.array_equal(pixels, expected)
