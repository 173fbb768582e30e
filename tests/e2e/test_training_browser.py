"""The Training page in a real browser: training streams live, never waits for the browser to draw, Stop
stops it, and the hidden neurons' maps enlarge on a click."""

import time

import harness
import numpy as np
import pytest

pytestmark = pytest.mark.e2e
MAIN = '[data-testid="stMainBlockContainer"]'
SLOW = 120_000           # ms: these tests upload files and train on a machine other tests share


def progress_text(page):
    return page.locator('[data-testid="stProgress"]').inner_text()


def epoch_of(text):
    return int(text.split()[1])


def test_training_streams_and_stop_keeps_the_last_step(page, app_url):
    harness.open_page(page, app_url, "training", "epochs=50001", timeout=120_000)     # the server's first page
    page.locator(MAIN).get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function(
        """() => { const p = document.querySelector('[data-testid="stProgress"]');
                   return p && /epoch [1-9][0-9]* of [0-9]+/.test(p.innerText); }""", timeout=60_000)
    time.sleep(1.0)
    during = epoch_of(progress_text(page))
    total = int(progress_text(page).split()[3])     # 50001, or fewer on a machine too slow for them all
    assert 0 < during < total                       # the progress line moves while training runs
    page.locator(MAIN).get_by_role("button", name="Stop").click()
    harness.wait_for_script_done(page)
    stopped = progress_text(page)
    time.sleep(1.0)
    assert progress_text(page) == stopped           # nothing trains after Stop
    assert during <= epoch_of(stopped) < total
    assert "loss" in stopped and page.locator('[data-testid="stException"]').count() == 0
    page.locator(MAIN).get_by_role("button", name="Train", exact=True).click()   # and training carries on from there
    page.wait_for_function(f"""() => {{ const p = document.querySelector('[data-testid="stProgress"]');
                                       const m = p && p.innerText.match(/epoch (\\d+)/);
                                       return m && Number(m[1]) > {epoch_of(stopped)}; }}""", timeout=30_000)
    page.locator(MAIN).get_by_role("button", name="Stop").click()
    harness.wait_for_script_done(page)
    harness.screenshot(page, "training-stopped")


def test_digits_show_a_confusion_matrix(page, app_url):
    harness.open_page(page, app_url, "training", "dataset=digits&epochs=3&batch_size=32&lr=0.005")
    page.locator(MAIN).get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("""() => { const p = document.querySelector('[data-testid="stProgress"]');
                                      return p && /epoch 3 of 3/.test(p.innerText); }""", timeout=60_000)
    harness.wait_for_script_done(page)
    harness.wait_for_chart(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    harness.screenshot(page, "training-digits")


def test_a_downloaded_model_uploads_again_and_junk_is_refused(page, app_url, tmp_path):
    harness.open_page(page, app_url, "training", "epochs=20")
    page.locator(MAIN).get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("""() => { const p = document.querySelector('[data-testid="stProgress"]');
                                      return p && /epoch 20 of 20/.test(p.innerText); }""", timeout=30_000)
    harness.wait_for_script_done(page)
    with page.expect_download() as download:
        page.locator(MAIN).get_by_role("button", name="Download the model (.npz)").click()
    saved = tmp_path / "model.npz"
    download.value.save_as(saved)
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploader.set_input_files(str(saved))
    page.get_by_text("Loaded a model with 387 parameters").wait_for(timeout=30_000)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a model at all")
    uploader.set_input_files(str(junk))
    page.get_by_text("That file cannot be loaded").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    harness.screenshot(page, "training-upload")


def test_an_uploaded_csv_is_previewed_trained_on_and_bad_files_explained(page, app_url, tmp_path):
    rng = __import__("numpy").random.RandomState(0)
    rows = ["width,height,kind"] + [f"{w:.3f},{h:.3f},{'tall' if h > w else 'wide'}"
                                    for w, h in rng.uniform(0, 1, (120, 2))]
    good = tmp_path / "shapes.csv"
    good.write_text("\n".join(rows))
    harness.open_page(page, app_url, "training", "dataset=upload&epochs=30")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(good))
    page.get_by_text("120 rows, 3 columns").wait_for(timeout=30_000)
    page.get_by_text("two classes: one sigmoid output").wait_for(timeout=30_000)
    page.locator(MAIN).get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("""() => { const p = document.querySelector('[data-testid="stProgress"]');
                                      return p && /epoch 30 of 30/.test(p.innerText); }""", timeout=60_000)
    harness.wait_for_script_done(page)
    harness.screenshot(page, "training-upload-csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n" + "\n".join(f"{i},oops,{i % 2}" for i in range(20)))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(bad))
    page.get_by_text("is not numeric").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0


WATCH = """() => {
    window.__shown = [];
    let last = null;
    new MutationObserver(() => {
        const p = document.querySelector('[data-testid="stProgress"]');
        if (p && p.innerText !== last) { last = p.innerText; window.__shown.push(last); }
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""
BUSY = "(ms) => { const end = Date.now() + ms; while (Date.now() < end) {} }"


def test_training_goes_on_while_the_browser_is_too_busy_to_draw(page, app_url):
    """A browser busy drawing (here: its script blocked for a while, as on a slow phone) does not hold the
    training back: when it looks again the run has ended, instead of going on chunk by chunk from where the
    browser last asked for more (as it did when each chunk waited for the previous one to be drawn)."""
    harness.open_page(page, app_url, "training", "epochs=3000", timeout=120_000)
    page.locator(MAIN).get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("""() => document.querySelector('[data-testid="stProgress"]')
                                    && /epoch [0-9]+ of 3000 ·/.test(
                                        document.querySelector('[data-testid="stProgress"]').innerText)""",
                           timeout=120_000)
    page.evaluate(WATCH)
    page.evaluate(BUSY, 40_000)                     # the server trains meanwhile; nobody asks it to redraw
    page.wait_for_function("""() => window.__shown.some(t => /^epoch 3000 of 3000/.test(t))""", timeout=120_000)
    shown = page.evaluate("() => window.__shown")
    before_the_end = [t for t in shown if not t.startswith("epoch 3000 of 3000")]
    # At most the redraws already on their way when the browser stalled; chunk by chunk, 3000 epochs took
    # at least 5 more round trips (a 0.4 s chunk trained at most about 600 epochs).
    assert len(before_the_end) <= 3, shown
    harness.wait_for_script_done(page, timeout=120_000)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_every_hidden_layers_neurons_are_mapped_and_one_enlarges_on_a_click(page, app_url):
    harness.open_page(page, app_url, "training", "epochs=300&hidden=8,8", timeout=120_000)
    page.locator(MAIN).get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("""() => { const p = document.querySelector('[data-testid="stProgress"]');
                                      return p && /epoch 300 of 300/.test(p.innerText); }""", timeout=120_000)
    harness.wait_for_script_done(page, timeout=120_000)
    page.get_by_role("tab", name="What the hidden neurons see").click()
    page.get_by_text("hidden layer 1: 8 of 8 neurons; hidden layer 2: 8 of 8 neurons").wait_for(timeout=30_000)
    # The maps' chart: the last one in the open tab (Be the optimizer's charts come after it on the page).
    chart = page.locator('[role="tabpanel"]:visible [data-testid="stVegaLiteChart"]').last
    chart.scroll_into_view_if_needed()
    harness.wait_for_chart(page)
    page.wait_for_timeout(500)
    box = chart.bounding_box()
    # The layout (Vega-Lite's, from the chart's sizes): the large map, then 3 columns of 72 px maps.
    large = {"x": box["x"] + 67, "y": box["y"] + 40, "width": 260, "height": 260}
    small = [{"x": box["x"] + 67 + 92 * (k % 3), "y": box["y"] + 390 + 105 * (k // 3), "width": 72, "height": 72}
             for k in range(16)]
    pictures = [page.screenshot(clip=clip) for clip in small]
    other = next(k for k in range(1, 16) if pictures[k] != pictures[0])      # a neuron that looks different
    shown = []
    for k in (0, other):
        page.mouse.click(small[k]["x"] + 36, small[k]["y"] + 36)
        page.wait_for_timeout(500)
        shown.append(page.screenshot(clip=large))
    assert shown[0] != shown[1]                     # the large map follows the click
    page.mouse.move(0, 0)
    harness.screenshot(page, "training-neuron-maps")


def test_a_csv_over_5_mb_replaces_the_last_files_preview_with_why(page, app_url, tmp_path):
    """A file over the page's 5 MB reaches the page (the uploader lets 20 MB through), which says why it is
    refused; the last good file's preview goes (before, the browser refused it and the preview stayed)."""
    rng = np.random.RandomState(0)
    good = tmp_path / "shapes.csv"
    good.write_text("w,h,kind\n" + "".join(f"{w:.3f},{h:.3f},{int(h > w)}\n" for w, h in rng.uniform(0, 1, (40, 2))))
    big = tmp_path / "big.csv"
    big.write_text("a,b,label\n" + "1.25,2.5,0\n" * 600_000)          # 6.6 million bytes: 6.3 MB of 2^20
    harness.open_page(page, app_url, "training", "dataset=upload&epochs=3", timeout=SLOW)
    csv_input = page.locator('[data-testid="stFileUploaderDropzoneInput"]').first
    csv_input.set_input_files(str(good))
    page.get_by_text("40 rows, 3 columns").wait_for(timeout=60_000)
    csv_input.set_input_files(str(big))
    page.get_by_text("the file is too large: 6.3 MB, at most 5 MB").wait_for(timeout=60_000)
    harness.wait_for_script_done(page, timeout=SLOW)
    assert page.get_by_text("40 rows, 3 columns").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    harness.screenshot(page, "training-csv-too-large")


def test_a_loaded_model_of_another_shape_redraws_the_page_for_it(page, app_url, tmp_path):
    harness.open_page(page, app_url, "training", "dataset=moons&hidden=8,8&seed=3&epochs=30", timeout=SLOW)
    page.locator(MAIN).get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("""() => { const p = document.querySelector('[data-testid="stProgress"]');
                                      return p && /epoch 30 of 30/.test(p.innerText); }""", timeout=60_000)
    harness.wait_for_script_done(page, timeout=SLOW)
    trained = page.locator('[data-testid="stProgress"]').inner_text()
    with page.expect_download() as download:
        page.locator(MAIN).get_by_role("button", name="Download the model (.npz)").click()
    saved = tmp_path / "model.npz"
    download.value.save_as(saved)
    harness.open_page(page, app_url, "training", timeout=SLOW)       # the default page: 2-64-3, spiral
    page.locator('[data-testid="stFileUploader"]').filter(has_text="Load a saved model").locator(
        '[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(saved))
    page.get_by_text("settings it was saved with are back on the controls").wait_for(timeout=60_000)
    harness.wait_for_app_run(page, timeout=SLOW)
    assert page.locator('[data-testid="stProgress"]').inner_text() == trained
    hidden = page.locator(MAIN).get_by_label("Hidden layers (neurons, comma-separated; 0 for none)", exact=True)
    assert hidden.input_value() == "8,8"
    assert page.locator('[data-testid="stException"]').count() == 0
    harness.screenshot(page, "training-loaded-model")


def test_a_closed_tab_gives_its_trainer_to_the_next_in_line(browser, app_url):
    """One trainer on this machine (2 cores: one for the pages): B waits while A trains; A's tab closes and B
    trains, because A's thread sees that its session is gone and leaves the queue."""
    first, second = (browser.new_context(viewport=harness.VIEWPORT) for _ in range(2))
    try:
        a, b = first.new_page(), second.new_page()
        for page in (a, b):
            harness.open_page(page, app_url, "training", "epochs=50001", timeout=120_000)
        a.locator(MAIN).get_by_role("button", name="Train", exact=True).click()
        a.get_by_text("Training…").wait_for(timeout=120_000)
        b.locator(MAIN).get_by_role("button", name="Train", exact=True).click()
        b.get_by_text("Waiting for a free trainer, you are next").wait_for(timeout=120_000)
        first.close()
        b.wait_for_function("""() => { const p = document.querySelector('[data-testid="stProgress"]');
                                       return p && /epoch [1-9][0-9]* of/.test(p.innerText); }""", timeout=120_000)
        b.locator(MAIN).get_by_role("button", name="Stop").click()
        harness.wait_for_script_done(b, timeout=120_000)
    finally:
        second.close()
