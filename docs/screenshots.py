"""Regenerate the README's screenshots: start the app, open pages in headless Chromium (Debian's, through
Playwright, as the browser tests do), and save one PNG per view in this folder.

    python docs/screenshots.py [--only weights,training]
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))

import harness  # noqa: E402

# (file name, page url_path, link query, what to do before the shot)
VIEWS = [
    ("home", "", "", None),
    ("neuron", "neuron", "", None),
    ("batches", "batches", "", None),
    ("activations", "activations", "", None),
    ("backprop", "backprop", "", None),
    ("optimizers", "optimizers", "", None),
    ("training", "training", "epochs=2000", "train"),
    ("weights", "training", "hidden=6&epochs=300", "edit"),
]


def train_to_the_end(page):
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("button", name="Train").click()
    page.wait_for_function("""() => { const p = document.querySelector('[data-testid="stProgress"]');
                                      const m = p && p.innerText.match(/epoch (\\d+) of (\\d+)/);
                                      return m && m[1] === m[2]; }""", timeout=120_000)
    harness.wait_for_script_done(page)


def edit_a_weight(page):
    """Train, then set a weight on the network drawing (the training network's first link) by hand, and
    show the drawing with what the edit did."""
    train_to_the_end(page)
    link = page.locator(".network-editor g.ne-item[data-key='weight:0:0:0'] .ne-hit").first
    link.scroll_into_view_if_needed()
    link.click(force=True)
    field = page.locator(".network-editor input").first
    field.fill("-3")
    field.press("Enter")
    harness.wait_for_script_done(page)
    page.get_by_text("You set the weight").wait_for(state="visible")
    page.get_by_role("tab", name="The network").evaluate("tab => tab.scrollIntoView({block: 'start'})")


def main():
    import argparse

    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated names of the views to take (default: all)")
    only = set(filter(None, parser.parse_args().only.split(",")))

    problem = harness.browser_problem()
    if problem:
        sys.exit(problem)
    with harness.AppServer(HERE / "screenshots-server.log") as server, sync_playwright() as playwright:
        browser = harness.launch_browser(playwright)
        for name, path, query, action in VIEWS:
            if only and name not in only:
                continue
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            harness.open_page(page, server.url, path, query)
            harness.wait_for_chart(page)
            if action == "train":
                train_to_the_end(page)
            elif action == "edit":
                edit_a_weight(page)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(HERE / f"{name}.png"))
            print("saved", f"docs/{name}.png")
            page.context.close()
        browser.close()
    (HERE / "screenshots-server.log").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
