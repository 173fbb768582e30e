"""The forward-pass pages on a 390 px phone screen, in Chromium: wide equations and tables scroll
inside their own box instead of being cut off, and a control's result stays on screen while the
learner moves it (issue 12 item 17)."""

import pytest
from conftest import open_page, screenshot

PHONE = {"width": 390, "height": 844}

# Every box wider than its room must scroll sideways: (its CSS selector, what it is).
OVERFLOWING = """(selector) => [...document.querySelectorAll(selector)]
    .filter(box => box.scrollWidth > box.clientWidth + 1
                   && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX))
    .map(box => box.innerText.slice(0, 40))"""
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
])
def test_wide_equations_and_tables_scroll_on_a_phone(phone, app_url, path, query):
    open_page(phone, app_url, path, query)
    screenshot(phone, f"phone-{path}")
    for selector in (".katex-display", '[data-testid="stMarkdownContainer"] table'):
        assert phone.evaluate(OVERFLOWING, selector) == [], selector
    wide = phone.evaluate("""() => [...document.querySelectorAll('.katex-display')]
        .some(box => box.scrollWidth > box.clientWidth + 1)""")
    assert wide or path == "activations"          # the test saw an equation that needs to scroll


def test_neuron_result_stays_in_view_while_the_last_slider_moves(phone, app_url):
    open_page(phone, app_url, "neuron", "n=5")
    bias = phone.locator(".st-key-b")
    bias.scroll_into_view_if_needed()
    phone.wait_for_timeout(300)
    assert phone.evaluate(IN_VIEW, ".st-key-b")
    assert phone.evaluate(IN_VIEW, '[data-testid="stMetric"]'), "the neuron's output scrolled out of view"
    phone.locator(".st-key-b [role=slider]").press("ArrowRight")
    phone.wait_for_function("() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
                            ".some(m => m.innerText.trim() === '5.4')")
    screenshot(phone, "phone-neuron-bias-moved")


def test_sine_fit_stays_in_view_while_its_sliders_move(phone, app_url):
    open_page(phone, app_url, "activations")
    phone.locator(".st-key-out_bias").scroll_into_view_if_needed()
    phone.wait_for_timeout(300)
    assert phone.evaluate(IN_VIEW, ".st-key-out_bias")
    assert phone.evaluate(IN_VIEW, ".st-key-pincolumn_sine_fit [data-testid=stMetric]")
