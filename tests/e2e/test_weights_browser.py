"""Edit a weight on the Training page's network drawing, in Chromium: click a link (or tap a neuron with a
finger), type a value, press Enter; the loss the page then shows must be the engine's loss for the model
with that weight, computed here. A bad value gives a message and changes nothing. Screenshots at 1400 and
390 px, light and dark: tests/e2e/screenshots/weights_*.png."""

import re
from dataclasses import replace

import harness
import pytest

from ui import training
from ui.matrix import readable

QUERY = "hidden=4&epochs=5"
SETTINGS = replace(training.Settings(), hidden=(4,), epochs=5)
EDITOR = ".network-editor"
FIELD = ".network-editor input"
NOTE = re.compile(r"^You set the ")
# A point a share t of the way along an SVG line (or the centre of a circle), in the page's pixels.
POINT_ON = """(item, t) => {
    const shape = item.querySelector('.ne-hit'), m = shape.getScreenCTM(), p = shape.ownerSVGElement.createSVGPoint();
    if (shape.tagName === 'circle') { p.x = +shape.getAttribute('cx'); p.y = +shape.getAttribute('cy'); }
    else { const a = ['x1', 'y1', 'x2', 'y2'].map(n => +shape.getAttribute(n));
           p.x = a[0] + t * (a[2] - a[0]); p.y = a[1] + t * (a[3] - a[1]); }
    const q = p.matrixTransform(m); return [q.x, q.y]; }"""

# Each drawn link's |weight| (from its tooltip) and the width of its visible line.
WIDTHS = """editor => [...editor.querySelectorAll('.ne-links .ne-item')].map(g => [
    Math.abs(parseFloat(g.querySelector('title').textContent.split('weight ')[1])),
    +g.querySelectorAll('line')[1].getAttribute('stroke-width')])"""


def item(page, key):
    """The training network's link or neuron (its weight or bias), by what it edits: 'weight:0:1:2' is the
    weight from input 2 to hidden neuron 3 (the challenge's 2-2-1 network has no such weight)."""
    return page.locator(f'{EDITOR} g.ne-item[data-key="{key}"]')


def point_of(page, key, t=0.3):
    target = item(page, key)
    target.scroll_into_view_if_needed()
    return target.evaluate(POINT_ON, t)


def engine_numbers(weight=None, bias=None):
    """The loss and accuracy of the page's model (SETTINGS, untrained) with one weight or bias set."""
    setup = training.build(SETTINGS)
    if weight is not None:
        (layer, row, col), value = weight
        setup.model.dense_layers[layer].weights[row, col] = value
    if bias is not None:
        (layer, col), value = bias
        setup.model.dense_layers[layer].biases[0, col] = value
    return setup.model.evaluate(setup.X, setup.y)


def set_value(page, text):
    field = page.locator(FIELD).first
    field.fill(text)
    field.press("Enter")
    harness.wait_for_script_done(page)


def test_a_clicked_weight_set_by_typing_changes_the_loss_to_the_engines(page, app_url):
    harness.open_page(page, app_url, "training", QUERY)
    page.mouse.click(*point_of(page, "weight:0:1:2"))
    assert page.locator(".network-editor .ne-what").first.inner_text() == "Weight x2 → hidden 1 3"
    set_value(page, "2.5")
    note = page.get_by_text(NOTE)
    note.wait_for(state="visible")
    numbers = engine_numbers(weight=((0, 1, 2), 2.5))
    assert f"loss {readable(numbers['loss'])} (before:" in note.inner_text()
    assert f"accuracy {numbers['accuracy']:.3f} (before:" in note.inner_text()
    assert page.locator(FIELD).first.input_value() == "2.5"              # the field shows the model's value
    # "a line's width shows the weight's size": widths in the order of |weight|, the widest 7 px
    pairs = page.locator(EDITOR).first.evaluate(WIDTHS)
    pairs.sort()
    assert [w for _, w in pairs] == sorted(w for _, w in pairs) and pairs[-1] == [2.5, 7]
    assert page.locator('[data-testid="stException"]').count() == 0
    harness.screenshot(page, "weights_1400_light")


def test_a_bad_value_is_refused_with_a_message_and_the_model_is_kept(page, app_url):
    harness.open_page(page, app_url, "training", QUERY)
    page.mouse.click(*point_of(page, "weight:0:1:2"))
    for text, message in (("abc", "That is not a number"), ("1e300", "That is too large"), ("NaN", "NaN is not"),
                          ("", "The field is empty")):
        set_value(page, text)
        page.get_by_text(message).wait_for(state="visible")
        assert page.get_by_text(NOTE).count() == 0
    set_value(page, "-1")                                       # the page still takes a good value
    numbers = engine_numbers(weight=((0, 1, 2), -1.0))
    assert f"loss {readable(numbers['loss'])} (before:" in page.get_by_text(NOTE).inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize("width,scheme", [(390, "light"), (390, "dark"), (1400, "dark")])
def test_a_neuron_tapped_with_a_finger_on_a_phone_sets_its_bias(browser, app_url, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                  has_touch=width < 500)
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        harness.open_page(page, app_url, "training", QUERY, timeout=60_000)
        x, y = point_of(page, "bias:0:0:2")                      # hidden neuron 3 (not in the challenge)
        if width < 500:
            page.touchscreen.tap(x, y)
        else:
            page.mouse.click(x, y)
        assert page.locator(".network-editor .ne-what").first.inner_text() == "Bias of hidden 1 3"
        box = page.locator(f"{EDITOR} svg").first.bounding_box()
        assert box["x"] >= 0 and box["width"] <= width             # the drawing fits, or scrolls in its box
        set_value(page, "-0.5")
        note = page.get_by_text(NOTE)
        note.wait_for(state="visible")
        numbers = engine_numbers(bias=((0, 2), -0.5))
        assert "the bias of hidden 1 neuron 3 to -0.5" in note.inner_text()
        assert f"loss {readable(numbers['loss'])} (before:" in note.inner_text()
        assert page.locator('[data-testid="stException"]').count() == 0
        item(page, "bias:0:0:2").scroll_into_view_if_needed()
        harness.screenshot(page, f"weights_{width}_{scheme}")
    finally:
        context.close()


def test_be_the_optimizer_counts_two_values_set_by_hand_and_shows_gradient_descents_steps(page, app_url):
    from ui import optimizer_challenge as challenge

    harness.open_page(page, app_url, "training", QUERY)
    editor = page.locator(EDITOR).nth(1)                        # the challenge's, below the training network's
    for step, (key, value) in enumerate((("weight:0:1:0", "-5"), ("weight:1:0:0", "5")), start=1):
        target = editor.locator(f'g.ne-item[data-key="{key}"]')
        target.scroll_into_view_if_needed()
        page.mouse.click(*target.evaluate(POINT_ON, 0.3))
        field = editor.locator("input")
        field.fill(value)
        field.press("Enter")
        harness.wait_for_script_done(page)
        # The note comes with the rerun that redraws the editor: wait for it, so the next click does
        # not land on a drawing being replaced.
        page.get_by_text(f"Step {step}: you set").wait_for(state="visible")
        page.wait_for_timeout(300)
    X, y, model = challenge.data()
    model.dense_layers[0].weights[1, 0], model.dense_layers[1].weights[0, 0] = -5, 5
    loss = model.evaluate(X, y)["loss"]
    page.get_by_text(f"You reached a loss of {readable(loss)} in 2 steps.").wait_for(state="visible")
    steps = len(challenge.gradient_descent()) - 1
    assert page.get_by_text(f"after {steps} steps").count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_text("Be the optimizer").scroll_into_view_if_needed()
    harness.screenshot(page, "weights_challenge_1400_light")


def test_the_keyboard_picks_a_link_and_sets_its_weight(page, app_url):
    harness.open_page(page, app_url, "training", QUERY)
    link = item(page, "weight:0:1:2").first
    link.scroll_into_view_if_needed()
    link.focus()
    page.keyboard.press("Enter")
    assert page.locator(".network-editor .ne-what").first.inner_text() == "Weight x2 → hidden 1 3"
    page.keyboard.type("0.75")              # the field has the focus, its value selected
    page.keyboard.press("Enter")
    harness.wait_for_script_done(page)
    numbers = engine_numbers(weight=((0, 1, 2), 0.75))
    assert f"loss {readable(numbers['loss'])} (before:" in page.get_by_text(NOTE).inner_text()
