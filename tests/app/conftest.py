"""AppTest helpers: open the real app (streamlit_app.py) and switch to a page, as a learner would."""

import json
from pathlib import Path

import pyarrow.ipc
import pytest
from streamlit.testing.v1 import AppTest

from ui import training

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")


def open_page(path, query=None, timeout=30):
    """Run the app with an optional query string, then go to ``path`` (e.g. 'app_pages/neuron.py')."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if query:
        at.query_params.update(query)
    at.run()
    if path:
        at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements):
    return [element.value for element in elements]


def until_trained(at, runs=2_000):
    """Rerun the Training page as the browser's timer would (AppTest has none) until its run has ended: the
    run trains on a thread of its own, and each rerun redraws it (waiting a moment first)."""
    for _ in range(runs):
        if not any(str(c.value).startswith(("Training…", "In line for a trainer…")) for c in at.caption):
            return at
        at.run()
    raise AssertionError(f"still training after {runs} reruns")


def train(at, key="train"):
    """Click Train (or Step: key="step_epoch") and rerun until the run has ended."""
    at.button(key=key).click().run()
    return until_trained(at)


@pytest.fixture(autouse=True)
def fresh_trainer_queue():
    """Each test starts with an empty trainer queue: all AppTest sessions share the process's queue, and
    a run a test left training would otherwise hold a trainer for a later test (ui/trainers.py)."""
    from ui import trainers

    trainers.shared_queue.clear()
    yield
    trainers.shared_queue.clear()


@pytest.fixture
def page():
    return open_page


# -- reading the Training page (its claims tests) --

def progress(at):
    return str(at.get("progress")[0].proto.text)


def chart_specs(at):
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def chart_rows(at):
    """Every row of every chart on the page (the charts send their rows as named Arrow datasets)."""
    return [row for chart in at.get("vega_lite_chart") for dataset in chart.proto.datasets
            for row in pyarrow.ipc.open_stream(dataset.data.data).read_all().to_pylist()]


def fit(settings, epochs=None):
    setup = training.build(settings)
    setup.model.fit(setup.X, setup.y, epochs=epochs or settings.epochs,
                    validation_freq=max(1, settings.epochs // 200), **training.fit_kwargs(settings, setup))
    return setup
