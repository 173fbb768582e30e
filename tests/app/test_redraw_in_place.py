"""A slider on a concept page redraws its charts in place.

The browser keeps a chart's Vega view while the chart's spec stays the same and only swaps in its new
rows; any change to the spec (a title, a description holding the current numbers, a domain) makes it
throw the view away and compile the chart again, which on these pages is most of what a slider move
costs in the browser. So moving any slider one step must leave every chart's spec as it was, rows
apart: even a slider that adds a bar (the Neuron's number of inputs) or a curve only changes rows.
"""

import json

import pytest
from conftest import open_page

from ui.catalog import PAGES

CONCEPT_PAGES = [info for info in PAGES if info.section in ("Forward pass", "Learning")]


def specs(at):
    """Each chart's Vega-Lite spec as Streamlit sends it, without its rows (sent apart, by name)."""
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def neighbour(slider):
    """One step along the slider, or back when it sits at its maximum."""
    step = slider.step or 1
    value = slider.value
    if isinstance(value, tuple | list):
        return None
    up = value + step
    return type(value)(up if slider.max is None or up <= slider.max else value - step)


@pytest.mark.parametrize("info", CONCEPT_PAGES, ids=lambda info: info.url_path)
def test_each_slider_keeps_every_chart_spec(info):
    at = open_page(info.path)
    labels = [slider.label for slider in at.slider]
    changed = []
    for label in labels:
        slider = next((s for s in at.slider if s.label == label), None)
        if slider is None or neighbour(slider) is None:
            continue
        before = specs(at)
        slider.set_value(neighbour(slider)).run()
        assert not at.exception, [e.value for e in at.exception]
        after = specs(at)
        if len(before) != len(after):
            changed.append((label, f"{len(before)} charts became {len(after)}"))
            continue
        for number, (old, new) in enumerate(zip(before, after)):
            if old != new:
                keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
                changed.append((label, f"chart {number + 1}: {keys}"))
    assert not changed, "\n".join(f"{label}: {what}" for label, what in changed)
