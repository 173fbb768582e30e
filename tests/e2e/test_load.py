"""Many sessions at once, through Streamlit's own websocket protocol (stclient.py) rather than browsers:
ten learners train at the same time without errors or crossed state, and a concept page still answers.
bench/load.py runs the full-size version (20 sessions, the book's 10 001 epochs) and prints the figures."""

import asyncio

import harness
import pytest
import stclient

pytestmark = pytest.mark.e2e

SESSIONS = 10
EPOCHS = 2001


def finished(session):
    progress = stclient.epochs(session.progress_text())
    return progress is not None and progress[0] == progress[1] and session.idle


def test_the_client_moves_a_slider_and_clicks_train_and_stop(app_url):
    async def scenario():
        async with stclient.Session(app_url, "neuron") as neuron:
            assert neuron.metric("Weighted sum plus bias, z") == "2.3"        # the series' first neuron
            assert neuron.widget("Bias b").value == [2.0]
            rerun = await neuron.set_value("Bias b", 2.1)
            assert rerun.ms is not None
            assert neuron.metric("Weighted sum plus bias, z") == "2.4"
            assert neuron.metric("Neuron output") == "2.4"
            assert neuron.errors == []

        async with stclient.Session(app_url, "training", "epochs=50001&seed=7") as page:
            assert page.widget("Seed").value == 7 and page.widget("Epochs").value == 50001
            # 50001, or fewer: the page trains only the epochs that fit in about 30 s on this machine
            # as it is now (ui/training_cost.py), so a busy machine shows a smaller total.
            done, total = stclient.epochs(page.progress_text())
            assert done == 0 and 0 < total <= 50001
            await page.click("Train")
            await page.wait_until(lambda s: (stclient.epochs(s.progress_text()) or (0,))[0] > 0,
                                  what="the progress line moving")
            await page.click("Stop")
            await page.wait_idle()
            stopped = page.progress_text()
            await asyncio.sleep(1.0)
            assert page.progress_text() == stopped                          # nothing trains after Stop
            assert 0 < stclient.epochs(stopped)[0] < total and "loss" in stopped
            assert page.errors == []

    harness.run_async(scenario())


def test_a_run_redraws_the_training_area_alone_until_it_ends(app_url):
    """Train starts the live view's timer inside the training area, without a run of the whole page (a whole
    page costs the browser as much as several redraws, on the cores the training needs); the whole page is
    drawn once, when the run has ended. Before, Train cost two whole pages: one to start the timer."""
    async def scenario():
        async with stclient.Session(app_url, "training", "epochs=20000") as page:
            total = stclient.epochs(page.progress_text())[1]
            assert page.runs_seen["full"] == 1 and page.runs_seen["fragment"] == 0
            await page.click("Train")
            await page.wait_until(finished, timeout=120, what="the run's end")
            assert stclient.epochs(page.progress_text()) == (total, total)
            assert page.runs_seen["full"] == 2, page.runs_seen         # the first, and the one at the end
            assert page.runs_seen["fragment"] >= 3, page.runs_seen     # Train's, and the live redraws
            assert "loss" in page.progress_text() and page.errors == []

    harness.run_async(scenario())


def test_the_first_learners_arriving_together_all_get_their_pages(tmp_path):
    """On a server that has served nobody, sessions opening Training and concept pages at the same moment
    used to race in their first imports ("cannot import name 'layout' from 'ui'"): ui/preload.py."""
    async def scenario(url):
        pages = ["training", "neuron", "training", "optimizers", "training", "loss", "training", "backprop"]
        sessions = [stclient.Session(url, page, name=f"{page}{i}", run_timeout=90) for i, page in enumerate(pages)]
        await asyncio.gather(*(s.open() for s in sessions))
        await asyncio.gather(*(s.close() for s in sessions))
        return sessions

    with harness.AppServer(tmp_path / "cold-server.log") as server:
        sessions = harness.run_async(scenario(server.url))
    assert [(s.name, e) for s in sessions for e in s.errors] == []
    assert all(s.progress_text().startswith("epoch 0 of 10001") for s in sessions if s.name.startswith("training"))


def test_ten_sessions_train_at_once_without_crossing(app_url):
    async def scenario():
        learners = [stclient.Session(app_url, "training", f"epochs={EPOCHS}&seed={i // 2}", name=f"s{i}",
                                     run_timeout=240) for i in range(SESSIONS)]
        neuron = stclient.Session(app_url, "neuron", run_timeout=240)
        await asyncio.gather(neuron.open(), *(s.open() for s in learners))

        async def train(session):
            await session.click("Train")
            await session.wait_until(finished, 240, settle=0.3, what="epoch N of N, idle")

        training = asyncio.gather(*(train(s) for s in learners))
        answers = []
        for value in (2.1, 2.2, 2.3):                  # a concept page's control, moved while they train
            await neuron.set_value("Bias b", value)
            answers.append(neuron.metric("Weighted sum plus bias, z"))
        await training
        await asyncio.gather(neuron.close(), *(s.close() for s in learners))
        return learners, neuron, answers

    learners, neuron, answers = harness.run_async(scenario())
    assert [(s.name, e) for s in [*learners, neuron] for e in s.errors] == []
    assert answers == ["2.4", "2.5", "2.6"]
    finals = [s.progress_text() for s in learners]
    assert all(text.startswith(f"epoch {EPOCHS} of {EPOCHS} · loss") for text in finals), finals
    assert [s.widget("Seed").value for s in learners] == [i // 2 for i in range(SESSIONS)]
    pairs = [finals[i:i + 2] for i in range(0, SESSIONS, 2)]
    assert all(a == b for a, b in pairs), pairs                      # the same seed, the same numbers
    assert len({a for a, _ in pairs}) == len(pairs), pairs             # different seeds, different numbers


def test_an_optimizers_slider_reruns_its_sections_not_the_whole_page(app_url):
    """The Optimizers page's controls sit in one fragment with the surface, one optimizer, the race and too large
    a rate: moving the conditioning reruns that fragment, not the page (the toolbar and the questions, which it
    does not change, are not sent again: 30 ms of the browser's redraw), and the numbers and the address follow."""
    async def scenario():
        async with stclient.Session(app_url, "optimizers") as page:
            assert page.metric("Loss at the start") == "3.7375"                   # the bowl, c = 10
            full = page.runs_seen["full"]
            rerun = await page.set_value("Conditioning c: how many times flatter along x than across", 13)
            assert rerun.fragment_id and page.runs_seen["full"] == full and page.runs_seen["fragment"] >= 1
            assert page.metric("Loss at the start") == "3.5962"                   # 0.5 (3.5² / 13 + 2.5²)
            assert page.metric("Loss after 100 steps") == "0.004418"
            assert "cond=13" in page.query
            assert page.texts("exception") == [] and page.errors == []

    harness.run_async(scenario())
