"""Regenerate the README's screenshots: start the app, open pages in headless Chromium (Debian's, through
Playwright, as the browser tests do), and save one PNG per view in this folder.

    python docs/screenshots.py             # every view
    python docs/screenshots.py digit       # only the views named
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))

import harness  # noqa: E402


def rings():
    """Your own points for the picture: 20 of class 0 on a small ring, 28 of class 1 on a larger one."""
    import math

    def ring(n, r, c):
        return [(round(r * math.cos(2 * math.pi * k / n)), round(r * math.sin(2 * math.pi * k / n)), c)
                for k in range(n)]

    return ";".join(f"{x},{y},{c}" for x, y, c in ring(20, 45, 0) + ring(28, 115, 1))


# (file name, page url_path, link query, what to do before the shot)
VIEWS = [
    ("home", "", "", None),
    ("neuron", "neuron", "", None),
    ("batches", "batches", "", None),
    ("activations", "activations", "", None),
    ("backprop", "backprop", "", None),
    ("optimizers", "optimizers", "", None),
    ("training", "training", "epochs=2000", "train"),
    ("digit", "training", "dataset=digits&epochs=20&batch_size=32&lr=0.005", "digit"),
    ("weights", "training", "hidden=6&epochs=300", "edit"),
    ("points", "training", "dataset=your+own+points&classes=2&hidden=8&epochs=500&points=" + rings(), "points"),
]
PAD = "canvas[aria-label^='Drawing pad']"        # the digit pad's canvas (Playwright reaches into its shadow root)
SEVEN = [(0.2, 0.15), (0.8, 0.15), (0.45, 0.9)]   # a 7, as fractions of the pad


def train_to_the_end(page):
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("""() => { const p = document.querySelector('[data-testid="stProgress"]');
                                      const m = p && p.innerText.match(/epoch (\\d+) of (\\d+)/);
                                      return m && m[1] === m[2]; }""", timeout=120_000)
    harness.wait_for_script_done(page)


def draw_a_seven(page):
    """Train the digits network with the pad's own button, then draw a 7 on the pad and wait for its reading."""
    page.locator(harness.MAIN).get_by_role("button", name="Train this network").click()
    page.locator(PAD).wait_for(state="visible", timeout=180_000)
    harness.wait_for_script_done(page)
    harness.stroke(page, PAD, SEVEN)
    page.get_by_text("The network reads a").first.wait_for(timeout=60_000)
    harness.wait_for_script_done(page)
    page.get_by_role("heading", name="Draw a digit").evaluate("h => h.scrollIntoView({block: 'start'})")


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
    from playwright.sync_api import sync_playwright

    problem = harness.browser_problem()
    if problem:
        sys.exit(problem)
    with harness.AppServer(HERE / "screenshots-server.log") as server, sync_playwright() as playwright:
        browser = harness.launch_browser(playwright)
        wanted = sys.argv[1:] or [name for name, *_ in VIEWS]
        for name, path, query, action in (view for view in VIEWS if view[0] in wanted):
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            harness.open_page(page, server.url, path, query)
            if action != "points":
                harness.wait_for_chart(page)
            if action in ("train", "points"):
                train_to_the_end(page)
            if action == "points":                 # the plane, below the curves
                page.locator("canvas[aria-label^='Data plane']").scroll_into_view_if_needed()
                page.mouse.wheel(0, 150)
            elif action == "digit":
                draw_a_seven(page)
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
