"""Regenerate the README's screenshots: start the app, open pages in headless Chromium (Debian's, through
Playwright, as the browser tests do), and save one PNG per view in this folder.

    python docs/screenshots.py            # every view
    python docs/screenshots.py points     # only the named views
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
    ("points", "training", "dataset=your+own+points&classes=2&hidden=8&epochs=500&points=" + rings(), "points"),
]


def train_to_the_end(page):
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("button", name="Train").click()
    page.wait_for_function("""() => { const p = document.querySelector('[data-testid="stProgress"]');
                                      const m = p && p.innerText.match(/epoch (\\d+) of (\\d+)/);
                                      return m && m[1] === m[2]; }""", timeout=120_000)
    harness.wait_for_script_done(page)


def main():
    from playwright.sync_api import sync_playwright

    problem = harness.browser_problem()
    if problem:
        sys.exit(problem)
    with harness.AppServer(HERE / "screenshots-server.log") as server, sync_playwright() as playwright:
        browser = harness.launch_browser(playwright)
        chosen = sys.argv[1:]
        for name, path, query, action in VIEWS:
            if chosen and name not in chosen:
                continue
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            harness.open_page(page, server.url, path, query)
            if action != "points":
                harness.wait_for_chart(page)
            if action in ("train", "points"):
                train_to_the_end(page)
            if action == "points":                 # the plane, below the curves
                page.locator("canvas[aria-label^='Data plane']").scroll_into_view_if_needed()
                page.mouse.wheel(0, 150)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(HERE / f"{name}.png"))
            print("saved", f"docs/{name}.png")
            page.context.close()
        browser.close()
    (HERE / "screenshots-server.log").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
