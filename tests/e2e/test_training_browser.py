"""The Training page in a real browser: training streams live, and Stop stops it."""

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
    harness.open_page(page, app_url, "training", "epochs=50001")
    page.locator(MAIN).get_by_role("button", name="Train").click()
    page.wait_for_function(
        """() => { const p = document.querySelector('[data-testid="stProgress"]');
                   return p && /epoch [1-9][0-9]* of 50001/.test(p.innerText); }""", timeout=30_000)
    time.sleep(1.0)
    during = epoch_of(progress_text(page))
    assert 0 < during < 50_001                      # the progress line moves while training runs
    page.locator(MAIN).get_by_role("button", name="Stop").click()
    harness.wait_for_script_done(page)
    stopped = progress_text(page)
    time.sleep(1.0)
    assert progress_text(page) == stopped           # nothing trains after Stop
    assert during <= epoch_of(stopped) < 50_001
    assert "loss" in stopped and page.locator('[data-testid="stException"]').count() == 0
    page.locator(MAIN).get_by_role("button", name="Train").click()   # and training carries on from there
    page.wait_for_function(f"""() => {{ const p = document.querySelector('[data-testid="stProgress"]');
                                       const m = p && p.innerText.match(/epoch (\\d+)/);
                                       return m && Number(m[1]) > {epoch_of(stopped)}; }}""", timeout=30_000)
    page.locator(MAIN).get_by_role("button", name="Stop").click()
    harness.wait_for_script_done(page)
    harness.screenshot(page, "training-stopped")


def test_digits_show_a_confusion_matrix(page, app_url):
    harness.open_page(page, app_url, "training", "dataset=digits&epochs=3&batch_size=32&lr=0.005")
    page.locator(MAIN).get_by_role("button", name="Train").click()
    page.wait_for_function("""() => { const p = document.querySelector('[data-testid="stProgress"]');
                                      return p && /epoch 3 of 3/.test(p.innerText); }""", timeout=60_000)
    harness.wait_for_script_done(page)
    harness.wait_for_chart(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    harness.screenshot(page, "training-digits")


def test_a_downloaded_model_uploads_again_and_junk_is_refused(page, app_url, tmp_path):
    harness.open_page(page, app_url, "training", "epochs=20")
    page.locator(MAIN).get_by_role("button", name="Train").click()
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
    page.locator(MAIN).get_by_role("button", name="Train").click()
    page.wait_for_function("""() => { const p = document.querySelector('[data-testid="stProgress"]');
                                      return p && /epoch 30 of 30/.test(p.innerText); }""", timeout=60_000)
    harness.wait_for_script_done(page)
    harness.screenshot(page, "training-upload-csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n" + "\n".join(f"{i},oops,{i % 2}" for i in range(20)))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(bad))
    page.get_by_text("is not numeric").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0


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
    page.locator(MAIN).get_by_role("button", name="Train").click()
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
