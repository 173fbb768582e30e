"""The whole-network walk in Chromium: the drawing stays legible (no label on a node or on another
label) at 1400 and 390 px, light and dark, with 3 or 4 hidden neurons; its ink follows the theme;
clicking a point on the data picks that sample. Screenshots go to tests/e2e/screenshots/walk_*.png."""

import harness
import pytest

# Every text and node box of the walk drawing (Vega draws it as SVG: one group per named layer).
BOXES = """() => {
    const chart = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .find(c => c.querySelector('g.walk_nodes_marks'));
    const box = e => { const r = e.getBoundingClientRect();
                       return {x: r.left, y: r.top, w: r.width, h: r.height, text: e.textContent}; };
    const texts = [...chart.querySelectorAll('g[class*="walk_values"] text, g[class*="walk_grads"] text, '
                                             + 'g.walk_titles_marks text')].map(box);
    const nodes = [...chart.querySelectorAll('g.walk_nodes_marks path')].map(box);
    const ink = getComputedStyle(chart.querySelector('g.walk_values_marks text')).fill;
    return {texts, nodes, ink, width: chart.getBoundingClientRect().width};
}"""


def overlap(a, b, slack=0.5):
    return (a["x"] + slack < b["x"] + b["w"] and b["x"] + slack < a["x"] + a["w"]
            and a["y"] + slack < b["y"] + b["h"] and b["y"] + slack < a["y"] + a["h"])


def open_walk(browser, app_url, width, scheme, query):
    context = browser.new_context(viewport={"width": width, "height": 1000}, color_scheme=scheme)
    context.set_default_timeout(120_000)
    page = context.new_page()
    harness.open_page(page, app_url, "backprop", query, timeout=120_000)
    chart = page.locator('[data-testid="stVegaLiteChart"]:has(g.walk_nodes_marks)').first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(600)              # the chart re-measures its width once in view
    return context, page, chart


@pytest.mark.parametrize("width,scheme,query", [
    (1400, "light", ""),
    (390, "light", "walk_hidden=4"),
    (390, "dark", "walk_hidden=4&walk_trained=1000&walk_sample=250"),
    (1400, "dark", "walk_hidden=4&walk_step=8"),
])
def test_no_label_sits_on_a_node_or_another_label(browser, app_url, width, scheme, query):
    context, page, chart = open_walk(browser, app_url, width, scheme, query)
    try:
        chart.screenshot(path=str(harness.SCREENSHOTS / f"walk_{scheme}_{width}_{len(query)}.png"))
        found = page.evaluate(BOXES)
        texts, nodes = found["texts"], found["nodes"]
        hidden = 4 if "walk_hidden=4" in query else 3
        assert len(nodes) == 2 + hidden + 3 + 1                  # inputs, hidden, outputs, loss
        assert len(texts) >= 4 + 2 * hidden + 3                  # titles, then at least z and a everywhere
        for i, a in enumerate(texts):
            assert a["w"] > 0 and a["x"] >= -1 and a["x"] + a["w"] <= found["width"] + chart.bounding_box()["x"] + 1
            for b in texts[i + 1:]:
                assert not overlap(a, b), (a, b)
            for node in nodes:
                assert not overlap(a, node), (a, node)
        # The labels' ink follows the theme: dark text on light, light text on dark.
        light_ink = found["ink"] in ("rgb(250, 250, 250)", "#fafafa")
        assert light_ink == (scheme == "dark"), found["ink"]
    finally:
        context.close()


def test_clicking_a_point_walks_that_sample(browser, app_url):
    context, page, _ = open_walk(browser, app_url, 1400, "light", "")
    try:
        page.locator("g.walk_points_marks path").nth(120).dispatch_event("click")
        page.get_by_text("Sample 120 of the book's 2-3-3 network").wait_for()
        harness.wait_for_app_run(page)
        assert page.locator("g.walk_nodes_marks path").count() == 9
        assert not page.locator('[data-testid="stException"]').count()
    finally:
        context.close()
