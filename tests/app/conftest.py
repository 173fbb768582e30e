"""AppTest helpers: open the real app (streamlit_app.py) and switch to a page, as a learner would."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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
