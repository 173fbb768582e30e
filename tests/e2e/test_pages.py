"""The real app in headless Chromium: every page draws without an error, shows the series'
numbers, moving a slider reruns the math, and a link's query parameters open the page in that
state (or say why a value was refused)."""

import re

import harness
import pytest

from ui.catalog import PAGES

pytestmark = pytest.mark.e2e

EXCEPTION = '[data-testid="stException"]'
ERROR_ALERT = '[data-testid="stAlertContentError"]'
WARNING_ALERT = '[data-testid="stAlertContentWarning"]'
# Error alerts a page shows on purpose with its default numbers (none so far).
EXPECTED_ERRORS = {}
# What each page shows with its default numbers: the book's and videos' results.
DEFAULT_TEXT = {
    "": ["Neural Network Explorer"],
    "neuron": ["2.3"],
    "layer": ["4.8", "1.21", "2.385"],
    "batches": ["0.5031", "-1.04185", "-2.1744", "0.10758131", "-0.10007759"],
    "activations": ["0.895283", "0.0247083", "0.080009", "0.0228"],
    "loss": ["0.3567", "0.357", "0.693", "0.105", "0.385", "16.118"],
    "backprop": ["5.985", "0.999", "-3.001", "20.1", "0.2500"],
    "optimizers": ["3.7375", "0.001385", "-3.3950", "1.7500", "4.793e-5"],
    "training": ["387 parameters", "epoch 0 of 10001"],
}


def expect(target):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def page_exists(info):
    if not (harness.ROOT / info.path).exists():
        pytest.skip(f"{info.path} does not exist yet")


def page_text(page):
    """The main area's text as a reader sees it; KaTeX writes minus signs as U+2212."""
    return page.locator(harness.MAIN).inner_text().replace("\u2212", "-").replace("\u200b", "")


def metric(page, label):
    return (page.locator('[data-testid="stMetric"]').filter(has_text=label)
            .locator('[data-testid="stMetricValue"]'))


@pytest.mark.parametrize("info", PAGES, ids=lambda info: info.url_path or "home")
def test_page_draws_its_default_numbers(page, app_url, info):
    page_exists(info)
    try:
        harness.open_page(page, app_url, info.url_path)
        harness.wait_for_chart(page)
    finally:
        harness.screenshot(page, f"page-{info.url_path or 'home'}")

    expect(page.locator(EXCEPTION)).to_have_count(0)
    errors = page.locator(ERROR_ALERT).all_inner_texts()
    unexpected = [e for e in errors
                  if not any(ok in e for ok in EXPECTED_ERRORS.get(info.url_path, ()))]
    assert not unexpected, f"error notices on {info.title}: {unexpected}"

    text = page_text(page)
    missing = [number for number in DEFAULT_TEXT.get(info.url_path, []) if number not in text]
    assert not missing, f"{info.title} does not show {missing}"
    assert all(pattern not in text for pattern in ("nan", "Traceback")), f"{info.title} shows nan or a traceback"
    if info.url_path == "":
        links = page.locator(harness.MAIN).locator('[data-testid="stPageLink"]')
        for other in PAGES:
            if other.url_path:
                expect(links.filter(has_text=other.title)).to_have_count(1)


def test_neuron_default_output_is_the_books(page, app_url):
    harness.open_page(page, app_url, "neuron")
    expect(metric(page, "Neuron output")).to_have_text("2.3")


def test_moving_the_bias_slider_reruns_the_neuron(page, app_url):
    harness.open_page(page, app_url, "neuron")
    output = metric(page, "Neuron output")
    expect(output).to_have_text("2.3")
    # The thumb is a range input (role slider, implicit: get_by_role finds it, [role=...] does not).
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Bias b").get_by_role("slider")
    thumb.focus()
    for _ in range(5):                    # step 0.1: bias 2 -> 2.5
        thumb.press("ArrowRight")
    expect(thumb).to_have_value("2.5")
    expect(output).to_have_text("2.8")
    harness.wait_for_app_run(page)
    expect(page).to_have_url(re.compile(r"[?&]b=2\.5(&|$)"))

    for _ in range(25):                   # bias 2.5 -> 0: the sum before the bias, 0.3
        thumb.press("ArrowLeft")
    expect(thumb).to_have_value("0")
    expect(output).to_have_text("0.3")
    expect(page.locator(EXCEPTION)).to_have_count(0)


@pytest.mark.parametrize(("query", "shown"), [("b=0", "0.3"), ("n=4", "4.8"), ("b=-1.5", "-1.2")])
def test_link_opens_the_neuron_in_its_state(page, app_url, query, shown):
    harness.open_page(page, app_url, "neuron", query)
    expect(metric(page, "Neuron output")).to_have_text(shown)
    expect(page.locator(WARNING_ALERT)).to_have_count(0)
    expect(page.locator(EXCEPTION)).to_have_count(0)


@pytest.mark.parametrize(("query", "shown", "used"), [("b=abc", "2.3", "the default"),
                                                      ("b=99", "2.3", "the default"),
                                                      ("n=2.5", "3.8", "`2`")])
def test_link_with_a_bad_value_says_what_the_page_uses_instead(page, app_url, query, shown, used):
    """A bad value is replaced with a notice saying by what: the default, or for n=2.5 the 2 that
    Streamlit's whole-number slider makes of it."""
    harness.open_page(page, app_url, "neuron", query)
    warning = page.locator(WARNING_ALERT)
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("not valid")
    expect(warning).to_contain_text(f"uses {used.strip('`')} instead")
    expect(metric(page, "Neuron output")).to_have_text(shown)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    harness.screenshot(page, f"neuron-bad-link-{re.sub(r'[^a-z0-9]+', '-', query)}")
