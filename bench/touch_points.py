"""How quickly the Training page follows a point added to your own points, in headless Chromium.

The real app (``streamlit run``, started as the browser tests start it: tests/e2e/harness.py) on the Training
page with "your own points": a link puts --points points on the plane, Train trains the small network to its
end (a stopped run), then each of --clicks clicks adds a point at a new place. For each click it times:

- drawn: until the plane itself shows the point (point_plane.js draws it before Python answers);
- followed: until the page has answered, its numbers following the new point (the caption
  "N points on the plane ... The model as it is now, on the training points as they are now: loss ...")
  and the plane redrawn with the boundary Python sent (only the training area reruns: a fragment).

and, between the clicks, a reference taken in the same run: the same training area rerun by a toggle inside it
("Discretize the output", which changes only how the boundary is shaded), until the page is idle again. It
prints the median and the 90th percentile of each, against the 500 ms target for "followed". The figures
depend on what else runs on the machine: quote them with the load they were taken under (printed too).

    python bench/touch_points.py [--clicks 30] [--points 100]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]       # runs without installing

import harness  # noqa: E402

TARGET_MS = 500.0
LOG = ROOT / "bench" / "out" / "streamlit-server.log"        # git-ignored
PLANE = "canvas[aria-label^='Data plane']"
FOLLOWED = """n => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
    .some(c => c.innerText.startsWith(n + ' points on the plane') && c.innerText.includes('as they are now'))
    && document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]') !== null"""


def starting_points(n):
    """n points on a ring (a link's value): class 0 on its left half, class 1 on its right."""
    import math

    ring = [(round(120 * math.cos(2 * math.pi * k / n)), round(120 * math.sin(2 * math.pi * k / n))) for k in range(n)]
    return ";".join(f"{x},{y},{int(x > 0)}" for x, y in ring)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=30)
    parser.add_argument("--points", type=int, default=100)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    query = f"dataset=your+own+points&classes=2&hidden=16&epochs=200&points={starting_points(args.points)}"
    drawn, followed, toggled = [], [], []
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with harness.AppServer(LOG) as server, sync_playwright() as playwright:
        browser = harness.launch_browser(playwright)
        page = browser.new_context(viewport=harness.VIEWPORT).new_page()
        page.set_default_timeout(120_000)
        harness.open_page(page, server.url, "training", query)
        page.locator(harness.MAIN).get_by_role("button", name="Train", exact=True).click()
        page.get_by_text("epoch 200 of 200").wait_for()
        harness.wait_for_script_done(page)
        plane = page.locator(PLANE)
        for k in range(args.clicks + 2):                         # the first two are not timed (warm-up)
            n = args.points + k + 1
            plane.scroll_into_view_if_needed()                   # the toggle's click may have scrolled it away
            box = plane.bounding_box()
            fx, fy = 0.3 + 0.4 * ((k * 7) % 11) / 11, 0.3 + 0.4 * ((k * 5) % 13) / 13
            started = time.perf_counter()
            page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
            page.locator(f"canvas[aria-label^='Data plane with {n} points']").wait_for()
            shown = time.perf_counter()
            page.wait_for_function(FOLLOWED, arg=n, polling="raf")
            done = time.perf_counter()
            if k >= 2:
                drawn.append(1000 * (shown - started))
                followed.append(1000 * (done - started))
            page.wait_for_timeout(150)
            started = time.perf_counter()
            page.get_by_text("Discretize the output").click()
            page.wait_for_timeout(30)             # the rerun starts
            harness.wait_for_script_done(page)
            if k >= 2:
                toggled.append(1000 * (time.perf_counter() - started))
            page.wait_for_timeout(150)
        browser.close()
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, values in (("drawn by the plane", drawn), ("page followed", followed),
                         ("reference: a toggle", toggled)):
        print(f"{name:>20}: median {statistics.median(values):6.0f} ms, "
              f"p90 {harness.percentile(values, 0.9):6.0f} ms over {len(values)} clicks")
    print(f"target for 'page followed': {TARGET_MS:.0f} ms median "
          f"({'met' if statistics.median(followed) <= TARGET_MS else 'NOT met'} on this machine, as loaded now)")


if __name__ == "__main__":
    main()
