"""The forward-pass pages on a 390 px phone screen, in Chromium: wide equations and tables scroll
inside their own box instead of being cut off, and a control's result stays on screen while the
learner moves it (issue 12 item 17)."""

import pytest
from conftest import open_page, screenshot

PHONE = {"width": 390, "height": 844}

# A box (an equation, a table) is cut off when it runs past the screen's right edge, or when what it
# holds runs past the box's own right edge and the box does not scroll with a visible scroll bar: the
# learner cannot reach it, or cannot tell that there is more.
CUT_OFF = """(selector) => [...document.querySelectorAll(selector)].filter(box => {
    const outer = box.getBoundingClientRect();
    const content = (box.firstElementChild || box).getBoundingClientRect();
    const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
    let clipped = false;                    // an ancestor that hides what runs past its edge
    for (let up = box.parentElement; up; up = up.parentElement) {
        const style = getComputedStyle(up);
        if (style.overflowX !== 'visible' && up.getBoundingClientRect().right < outer.right - 1) clipped = true;
    }
    const wider = Math.max(content.right, outer.left + box.scrollWidth) > outer.right + 1;
    // Streamlit colours scroll bars transparent until hovered (headless Chromium draws none at all, so
    // the colour asked for is what can be checked): a learner must see that the box goes on.
    const barShown = !getComputedStyle(box).scrollbarColor.startsWith('rgba(0, 0, 0, 0)');
    return outer.right > window.innerWidth + 1 || clipped || (wider && !(scrolls && barShown));
}).map(box => box.innerText.slice(0, 40))"""
IN_VIEW = """(selector) => { const box = document.querySelector(selector).getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0; }"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("path, query", [
    ("neuron", "n=5&x1=-10&w1=-10&x2=10&w2=9.99&b=-10"),
    ("layer", ""),
    ("batches", ""),
    ("activations", "scores=-1000,-1001,-1002,4.8,1.21,2.385"),
    ("loss", ""),
    ("backprop", ""),
    ("optimizers", "surface=Network&opt=Adam"),
    ("", ""),
])
def test_wide_equations_and_tables_scroll_on_a_phone(phone, app_url, path, query):
    open_page(phone, app_url, path, query)
    screenshot(phone, f"phone-{path}")
    for selector in (".katex-display", '[data-testid="stMarkdownContainer"] table'):
        assert phone.evaluate(CUT_OFF, selector) == [], selector
    wide = phone.evaluate("""() => [...document.querySelectorAll('.katex-display')]
        .some(box => box.scrollWidth > box.clientWidth + 1)""")
    assert wide or path in ("activations", "loss", "backprop", "optimizers", "")   # saw one that scrolls


def test_neuron_result_stays_in_view_while_the_last_slider_moves(phone, app_url):
    open_page(phone, app_url, "neuron", "n=5")
    bias = phone.locator(".st-key-b")
    bias.scroll_into_view_if_needed()
    phone.wait_for_timeout(300)
    assert phone.evaluate(IN_VIEW, ".st-key-b")
    assert phone.evaluate(IN_VIEW, '[data-testid="stMetric"]'), "the neuron's output scrolled out of view"
    phone.locator(".st-key-b input[type=range]").press("ArrowRight")
    phone.wait_for_function("() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
                            ".some(m => m.innerText.trim() === '5.4')")
    screenshot(phone, "phone-neuron-bias-moved")


def test_sine_fit_stays_in_view_while_its_sliders_move(phone, app_url):
    open_page(phone, app_url, "activations")
    phone.locator(".st-key-out_bias").scroll_into_view_if_needed()
    phone.wait_for_timeout(300)
    assert phone.evaluate(IN_VIEW, ".st-key-out_bias")
    assert phone.evaluate(IN_VIEW, ".st-key-pincolumn_sine_fit [data-testid=stMetric]")


@pytest.mark.parametrize("control, result", [
    ("steps", ".st-key-pincolumn_surface_numbers [data-testid=stMetric]"),
    ("decay", ".st-key-pincolumn_one_optimizer [data-testid=stVegaLiteChart]"),
    ("big_lr", ".st-key-pincolumn_too_large [data-testid=stVegaLiteChart]"),
])
def test_optimizers_result_stays_in_view_while_its_controls_move(phone, app_url, control, result):
    """Each Optimizers section draws its result beside its controls on a wide screen; on a phone the
    result comes first and stays on screen while the learner scrolls to the last control and moves it."""
    open_page(phone, app_url, "optimizers")
    phone.locator(f".st-key-{control}").scroll_into_view_if_needed()
    phone.wait_for_timeout(300)
    assert phone.evaluate(IN_VIEW, f".st-key-{control}")
    assert phone.evaluate(IN_VIEW, result), f"{result} scrolled out of view"
    phone.locator(f".st-key-{control}").get_by_role("slider").press("ArrowRight")
    phone.wait_for_timeout(600)
    assert phone.evaluate(IN_VIEW, result)
    screenshot(phone, f"phone-optimizers-{control}-moved")


def test_layer_outputs_show_under_its_editors(phone, app_url):
    """On a phone the Layer page's drawing and equations stack after its three editors: the outputs
    they make are shown right under the last one, so a learner who edits a weight sees its effect."""
    open_page(phone, app_url, "layer")
    phone.locator(".st-key-biases").scroll_into_view_if_needed()
    phone.wait_for_timeout(300)
    assert phone.evaluate(IN_VIEW, ".st-key-biases")
    metric = phone.locator('[data-testid="stMetric"]').first
    assert "4.8, 1.21, 2.385" in metric.inner_text()
    assert phone.evaluate(IN_VIEW, '[data-testid="stMetric"]'), "the outputs are out of view"


def test_batches_outputs_show_under_each_layers_editors(phone, app_url):
    """On a phone the Batches page's five editors stack before any equation: each layer's outputs
    are shown under its own editors, in view while a learner edits that layer's last numbers."""
    open_page(phone, app_url, "batches")
    for editor, text in ((".st-key-biases1", "Layer 1's outputs, one row per sample: [4.8, 1.21, 2.385], [8.9"),
                         (".st-key-biases2", "Layer 2's outputs, one row per sample: [0.5031, -1.04185, -2.03875]")):
        phone.locator(editor).evaluate("box => box.scrollIntoView({block: 'center'})")   # as when typing in it
        phone.wait_for_timeout(300)
        assert phone.evaluate(IN_VIEW, editor)
        shown = phone.evaluate("""([editor, text]) => {
            const box = [...document.querySelectorAll('[data-testid=stMarkdownContainer]')]
                .find(m => m.innerText.includes(text));
            if (!box) return 'missing';
            const r = box.getBoundingClientRect();
            return r.top >= 0 && r.bottom <= window.innerHeight ? 'in view' : 'out of view';
        }""", [editor, text])
        assert shown == "in view", (editor, shown)
