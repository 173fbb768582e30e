"""Your own points on the Training page, in Chromium: click the plane to add points of two classes, remove one
with a Shift-click and another with a right click, watch the sample count and the boundary change, and open
the share link in a fresh tab: the same plane comes back. On a phone: a tap adds, Remove mode and a tap
remove, Clear empties. Screenshots at 1400 and 390 px, light and dark: tests/e2e/screenshots/points_*.png."""

import re
from urllib.parse import parse_qs, urlsplit

import harness
from playwright.sync_api import TimeoutError as PlaywrightTimeout

QUERY = "dataset=your+own+points&epochs=40&hidden=8"
PLANE = "canvas[aria-label^='Data plane']"          # Playwright's CSS locators reach into the shadow root
# Four points of class 0 on the left, four of class 1 on the right (fractions of the canvas).
LEFT = [(0.2, 0.3), (0.25, 0.6), (0.15, 0.8), (0.3, 0.45)]
RIGHT = [(0.8, 0.3), (0.75, 0.6), (0.85, 0.8), (0.7, 0.45)]


def click(page, fx, fy, modifiers=None, button="left"):
    plane = page.locator(PLANE)
    plane.scroll_into_view_if_needed()
    box = plane.bounding_box()
    page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    if modifiers:
        page.keyboard.down(modifiers)
    page.mouse.down(button=button)
    page.mouse.up(button=button)
    if modifiers:
        page.keyboard.up(modifiers)


def samples_become(page, n, seconds=20):
    """Wait until the page's caption says the run has ``n`` training samples."""
    page.get_by_text(re.compile(rf"· {n} training and 0 validation samples")).wait_for(timeout=seconds * 1000)
    harness.wait_for_script_done(page)


def pixels(page):
    return page.locator(PLANE).evaluate("c => c.toDataURL()")


def shared_link(page):
    page.get_by_role("button", name="Share this state").click()
    page.wait_for_timeout(100)
    harness.wait_for_script_done(page)        # opening it reruns its fragment, which writes the link afresh
    code = page.locator('[data-testid="stPopover"] [data-testid="stCode"], [data-testid="stPopoverBody"] '
                        '[data-testid="stCode"]').first
    code.wait_for(state="visible")
    link = code.inner_text().strip()
    page.keyboard.press("Escape")
    return link


def test_points_are_added_and_removed_by_clicks_and_travel_in_the_link(page, app_url, browser):
    page.context.set_default_timeout(60_000)
    harness.open_page(page, app_url, "training", QUERY)
    page.locator(PLANE).wait_for(state="visible")
    samples_become(page, 0)
    for fx, fy in LEFT:
        click(page, fx, fy)                        # class 0, the plane's first choice
    page.locator(".point-plane button", has_text="Class 1").click()
    for fx, fy in RIGHT:
        click(page, fx, fy)
    samples_become(page, 8)
    assert page.locator(PLANE).get_attribute("aria-label").startswith("Data plane with 8 points")
    before = pixels(page)
    page.locator(harness.MAIN).get_by_role("button", name="Train", exact=True).click()
    page.get_by_text(re.compile(r"epoch 40 of 40")).wait_for(timeout=120_000)
    harness.wait_for_script_done(page)
    trained = pixels(page)
    assert trained != before                                   # the boundary moved
    assert page.get_by_text(re.compile(r"on the training points as they are now: loss [\d.]+, accuracy 1\.000"))\
        .count() == 1
    harness.screenshot(page, "points_1400_light")
    # A Shift-click on a point removes it; the count and the boundary's numbers follow.
    click(page, *RIGHT[0], modifiers="Shift")
    samples_become(page, 7)
    assert page.get_by_text(re.compile(r"^7 points on the plane")).count() == 1
    click(page, *RIGHT[1], button="right")                     # a right click removes too
    samples_become(page, 6)
    # Add one of class 1 deep in class 0's side: the plane shows it at once, then the run trains on it.
    click(page, 0.22, 0.5)
    samples_become(page, 7)
    page.locator(harness.MAIN).get_by_role("button", name="Reset", exact=True).click()
    harness.wait_for_script_done(page)
    page.locator(harness.MAIN).get_by_role("button", name="Train", exact=True).click()
    page.get_by_text(re.compile(r"epoch 40 of 40")).wait_for(timeout=120_000)
    harness.wait_for_script_done(page)
    assert pixels(page) != trained
    assert page.locator('[data-testid="stException"]').count() == 0
    # The share link carries the 7 points; a fresh tab opens the same plane.
    link = shared_link(page)
    assert "points=" in link, link
    points = parse_qs(urlsplit(link).query)["points"][0]
    assert len(points.split(";")) == 7 and len(link) < 8192
    other = browser.new_context(viewport=harness.VIEWPORT).new_page()
    try:
        other.context.set_default_timeout(60_000)
        other.goto(link.replace(urlsplit(link).netloc, urlsplit(app_url).netloc))
        harness.wait_for_app_run(other)
        samples_become(other, 7)
        assert other.locator(PLANE).get_attribute("aria-label").startswith("Data plane with 7 points")
        assert parse_qs(urlsplit(shared_link(other)).query)["points"][0] == points
    finally:
        other.context.close()


def test_the_plane_on_a_phone_and_in_the_dark(page, app_url):
    page.context.set_default_timeout(60_000)
    query = QUERY + "&points=" + ";".join(f"{x},{y},{c}" for x, y, c in
                                          [(-100, 50, 0), (-60, -40, 0), (90, 20, 1), (50, -80, 1), (0, 120, 2)])
    page.emulate_media(color_scheme="dark")
    harness.open_page(page, app_url, "training", query)
    page.locator(PLANE).wait_for(state="visible")
    samples_become(page, 5)
    harness.screenshot(page, "points_1400_dark")
    page.set_viewport_size({"width": 390, "height": 900})
    harness.wait_for_app_run(page)
    box = page.locator(PLANE).bounding_box()
    assert box["width"] <= 390 and box["width"] > 250                # the plane fits the phone's width
    # A finger's tap adds a point (Chromium's touch events, turned into pointer events).
    cdp = page.context.new_cdp_session(page)

    def tap(count_after):
        """A tap on the plane's centre, wherever the page has put it. The tap is aimed once the plane has stopped
        moving (charts above it settle after the resize) and only where the plane is the element on top; a tap
        that still missed (the plane's own label did not change) is aimed again: that is this test's aim, not the
        app. Once the plane has the point, the page must follow (samples_become)."""
        plane = page.locator(PLANE)
        for _ in range(3):
            plane.scroll_into_view_if_needed()
            box, settled = plane.bounding_box(), None
            while box != settled:
                page.wait_for_timeout(150)
                settled, box = box, plane.bounding_box()
            at = {"x": box["x"] + 0.5 * box["width"], "y": box["y"] + 0.5 * box["height"]}
            on_top = page.evaluate("""([x, y]) => {
                let el = document.elementFromPoint(x, y);
                while (el && el.shadowRoot && el.shadowRoot.elementFromPoint(x, y) !== el)
                    el = el.shadowRoot.elementFromPoint(x, y);
                return el ? el.tagName + ' ' + (el.getAttribute('aria-label') || '') : null;
            }""", [at["x"], at["y"]])
            assert on_top is not None and on_top.startswith("CANVAS Data plane"), on_top
            cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [at]})
            cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
            label = f"Data plane with {count_after} point"
            try:
                page.locator(f"{PLANE}[aria-label^='{label}']").wait_for(timeout=3000)
                return
            except PlaywrightTimeout:             # the plane never got the tap: aim again
                continue
        raise AssertionError(f"three taps on the plane's centre never reached it: {plane.get_attribute('aria-label')}")

    tap(6)
    samples_become(page, 6)
    harness.screenshot(page, "points_390_dark")
    # On a touch screen there is no Shift: Remove mode, then a tap on the point removes it.
    page.locator(".point-plane button", has_text="Remove").click()
    assert page.locator(".point-plane .hint").inner_text().startswith("Remove mode")
    tap(5)
    samples_become(page, 5)
    page.locator(".point-plane button", has_text="Clear").click()
    samples_become(page, 0)
    assert page.locator(PLANE).get_attribute("aria-label").startswith("Data plane with 0 points")
    page.goto(page.url)                      # the address bar followed the plane: an empty plane stays empty
    harness.wait_for_app_run(page)
    samples_become(page, 0)
    page.emulate_media(color_scheme="light")
    harness.wait_for_app_run(page)
    harness.screenshot(page, "points_390_light")
