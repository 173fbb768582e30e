"""Draw a digit on the Training page, in Chromium: with the mouse on the pad's canvas, after the
"Train this network" button has trained the digits network. The 8x8 image the page shows must be the
block counts of the bitmap drawn on the canvas, and the class it names the model's prediction for that
image. Screenshots at 1400 and 390 px, light and dark: tests/e2e/screenshots/digit_*.png."""

import re
from dataclasses import replace

import harness
import numpy as np
import pytest

from nnengine.lessons import digit_image, read_digit
from ui import training

QUERY = "dataset=digits&epochs=20&batch_size=32&lr=0.005"
SETTINGS = replace(training.Settings(), dataset="digits", epochs=20, batch_size=32, lr=0.005)
PAD = "canvas[aria-label^='Drawing pad']"        # Playwright's CSS locators reach into the shadow root
# The canvas's pixels as rows of 0/1, "on" where the ink's alpha is at least half (as digit_pad.js reads it).
CANVAS_BITS = """c => { const a = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, rows = [];
    for (let y = 0; y < c.height; y++) { const row = [];
        for (let x = 0; x < c.width; x++) row.push(a[(y * c.width + x) * 4 + 3] >= 128 ? 1 : 0);
        rows.push(row); }
    return rows; }"""
READING = re.compile(r"^The network reads a \d")
SEVEN = [(0.2, 0.15), (0.8, 0.15), (0.45, 0.9)]           # a 7, as fractions of the canvas


def trained_model():
    """The page's run for SETTINGS, trained here the same way (one RandomState(seed), the run's fit
    arguments): the model the page reads the drawing with."""
    setup = training.build(SETTINGS)
    setup.model.fit(setup.X, setup.y, epochs=SETTINGS.epochs, **training.fit_kwargs(SETTINGS, setup))
    return setup.model


def draw(page, points, steps=12):
    harness.stroke(page, PAD, points, steps)
    harness.wait_for_script_done(page)


def quick_then_slow_stroke(page, quick, slow, steps=20, pause=100):
    """A short stroke, then at once (before the page has rerun for it) a stroke drawn over about 2 s,
    so the rerun for the first comes in the middle of the second."""
    page.locator(PAD).scroll_into_view_if_needed()
    box = page.locator(PAD).bounding_box()
    at = lambda fx, fy: (box["x"] + fx * box["width"], box["y"] + fy * box["height"])  # noqa: E731
    page.mouse.move(*at(*quick[0]))
    page.mouse.down()
    page.mouse.move(*at(*quick[1]), steps=5)
    page.mouse.up()
    (x0, y0), (x1, y1) = slow
    page.mouse.move(*at(x0, y0))
    page.mouse.down()
    for k in range(1, steps + 1):
        page.mouse.move(*at(x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps))
        page.wait_for_timeout(pause)
    page.mouse.up()
    harness.wait_for_script_done(page)


def touch(page, points, steps=12):
    """One stroke with a finger: Chromium's own touch events (CDP), which it turns into pointer events."""
    pad = page.locator(PAD)
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    at = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": at[0][0], "y": at[0][1]}]})
    for (x0, y0), (x1, y1) in zip(at, at[1:]):
        for k in range(1, steps + 1):
            x, y = x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    harness.wait_for_script_done(page)


def shown_counts(page):
    expander = page.locator('[data-testid="stExpander"]', has_text="The 64 counts")
    if not expander.locator('[data-testid="stCode"]').is_visible():
        expander.get_by_text("The 64 counts").click()
    block = page.locator('[data-testid="stExpander"]', has_text="The 64 counts").locator('[data-testid="stCode"]')
    block.wait_for(state="visible")
    return np.array([[int(v) for v in line.split()] for line in block.inner_text().strip().splitlines()])


def counts_become(page, expected, seconds=20):
    """Whether the counts shown become ``expected`` (the page reruns a moment after a stroke ends)."""
    for _ in range(int(seconds / 0.25)):
        if np.array_equal(shown_counts(page), expected):
            return True
        page.wait_for_timeout(250)
    return False


def test_a_drawn_digit_is_counted_like_the_training_images_and_read_by_the_model(page, app_url):
    page.context.set_default_timeout(60_000)
    harness.open_page(page, app_url, "training", QUERY)
    assert page.locator(PAD).count() == 0                       # no pad before the model is trained
    harness.screenshot(page, "digit_untrained")
    page.locator(harness.MAIN).get_by_role("button", name="Train this network").click()
    page.wait_for_function("""() => { const p = document.querySelector('[data-testid="stProgress"]');
                                      return p && /epoch 20 of 20/.test(p.innerText); }""", timeout=120_000)
    harness.wait_for_script_done(page)
    page.locator(PAD).wait_for(state="visible", timeout=60_000)
    assert page.get_by_text("Nothing drawn yet").count() == 1
    draw(page, SEVEN)
    bitmap = np.array(page.locator(PAD).evaluate(CANVAS_BITS), dtype=bool)
    assert bitmap.sum() > 500                                   # the stroke is on the canvas
    expected = digit_image(bitmap)
    assert np.array_equal(shown_counts(page), expected)
    probabilities, _ = read_digit(trained_model(), expected)
    reading = page.get_by_text(READING).inner_text()
    assert f"reads a {int(np.argmax(probabilities))} " in reading
    assert f"probability {probabilities.max():.3f}" in reading
    assert page.locator('[data-testid="stException"]').count() == 0
    harness.screenshot(page, "digit_1400_light")
    # Reset, then train again: the pad comes back painted with the drawing the page still reads.
    page.locator(harness.MAIN).get_by_role("button", name="Reset", exact=True).click()
    page.locator(PAD).wait_for(state="detached")
    harness.wait_for_script_done(page)      # a click during Reset's rerun can land on a button being replaced
    page.locator(harness.MAIN).get_by_role("button", name="Train this network").click()
    page.locator(PAD).wait_for(state="visible", timeout=120_000)
    harness.wait_for_script_done(page)
    assert np.array_equal(np.array(page.locator(PAD).evaluate(CANVAS_BITS), dtype=bool), bitmap)
    assert page.get_by_text(READING).inner_text() == reading
    # Clear: the drawing is blank again, and no reading is shown.
    page.locator(".digit-pad button").click()
    harness.wait_for_script_done(page)
    page.get_by_text("Nothing drawn yet").wait_for(state="visible")
    page.get_by_text(READING).wait_for(state="detached")   # the stale reading is removed
    assert not np.array(page.locator(PAD).evaluate(CANVAS_BITS)).any()


@pytest.mark.parametrize("width,scheme", [(390, "light"), (390, "dark"), (1400, "dark")])
def test_the_pad_draws_at_phone_width_and_in_the_dark_theme(browser, app_url, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                  has_touch=width < 500)
    context.set_default_timeout(120_000)
    page = context.new_page()
    try:
        harness.open_page(page, app_url, "training", QUERY, timeout=120_000)
        page.locator(harness.MAIN).get_by_role("button", name="Train this network").click()
        page.locator(PAD).wait_for(state="visible", timeout=120_000)
        harness.wait_for_script_done(page)
        box = page.locator(PAD).bounding_box()
        assert 100 <= box["width"] <= 240 and box["x"] >= 0 and box["x"] + box["width"] <= width
        if width < 500:
            touch(page, SEVEN)                                  # a finger on a phone
        else:
            draw(page, SEVEN)
        page.get_by_text(READING).wait_for(state="visible")
        bitmap = np.array(page.locator(PAD).evaluate(CANVAS_BITS), dtype=bool)
        assert bitmap.sum() > 500
        assert np.array_equal(shown_counts(page), digit_image(bitmap))
        # A bar across the 7, started at once after a stroke and drawn slowly: the reruns for the stroke
        # before it come in the middle of it, and it is drawn to its end; the image follows it.
        quick_then_slow_stroke(page, [(0.5, 0.15), (0.55, 0.3)], [(0.3, 0.5), (0.75, 0.5)])
        more = np.array(page.locator(PAD).evaluate(CANVAS_BITS), dtype=bool)
        end = int(0.74 * more.shape[1])
        assert more[int(0.5 * more.shape[0]), end - 3:end + 3].all()          # ink at the bar's far end
        assert counts_become(page, digit_image(more))
        assert page.locator('[data-testid="stException"]').count() == 0
        harness.screenshot(page, f"digit_{width}_{scheme}")
    finally:
        context.close()
