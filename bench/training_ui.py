"""Training page benchmark: what the page's live updates cost a training run, in figures.

1. The same training run (the Training page's defaults, --epochs epochs, 10_001 by default: the book's
   chapter 10 run) three ways, each the best of --repeats, the three taking turns round after round:
   (a) engine alone: ``training.build(Settings(epochs=N))`` then ``model.fit`` with ``training.fit_kwargs``,
       the page's validation_freq and no callback;
   (b) the page in Streamlit's AppTest (in process, no browser): open /training with epochs=N, click
       Train, time the run. There is no browser, but the page's live callback still builds the chart
       specs and Streamlit still marshals the deltas;
   (c) the page in headless Chromium, the app started as the browser tests do (tests/e2e/harness.py):
       open /training?epochs=N, click Train, time until the progress line reads "epoch N of N" and the
       script is idle. The server's and the browser's CPU seconds during the run are shown too: on a
       small machine the browser drawing the live charts competes with the server for the cores.
   Then one instrumented AppTest run says where the page's extra time goes during its fit.
2. The decision boundary at 100 x 100 and at 50 x 50 (what the page draws live for the default network)
   on a default model trained a little: ``training.boundary_rows`` plus
   ``charts.to_spec(charts.boundary_chart(...))``, median of 20; and, apart, Streamlit's own marshalling of
   that spec (``st.vega_lite_chart``, bare).
3. A rerun of the idle page (AppTest, plain ``at.run()``, median of 20 after a few untimed), on a fresh
   page and after the training run of 1.

Figures, not pass or fail: the target column says where each one stands.

    python bench/training_ui.py [--epochs N] [--repeats R] [--skip-browser]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

# One thread for numpy's BLAS, set before numpy loads it (as bench/engine.py does); the app server
# started for (c) inherits the same environment.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests" / "e2e")]      # runs without installing

import harness  # noqa: E402
from app_latency import quiet_streamlit  # noqa: E402
from procstat import cpu_seconds, descendants  # noqa: E402

import nnengine as nn  # noqa: E402
from ui import charts, training  # noqa: E402

APP = str(ROOT / "streamlit_app.py")
PAGE = "app_pages/training.py"
LOG = ROOT / "bench" / "out" / "training-ui-server.log"      # git-ignored
TARGET_RATIO = 1.25
TARGET_BOUNDARY_MS = 100.0
TARGET_RERUN_MS = 150.0
GRID_TIMES = 20              # timed boundary grids per resolution
RERUNS, WARMUP_RERUNS = 20, 3
TRAINED_A_LITTLE = 1000      # epochs behind the model whose boundary is timed
APPTEST_TIMEOUT = 900        # seconds for one AppTest run (a long training)
SHOWN = """(n) => {
    const bar = document.querySelector('[data-testid="stProgress"]');
    return bar !== null && new RegExp('epoch ' + n + ' of ' + n + '(?![0-9])').test(bar.innerText);
}"""
IDLE = """(n) => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app !== null && app.dataset.testScriptState === 'notRunning'
        && document.querySelector('[data-testid="stStatusWidgetRunningIcon"]') === null && (SHOWN)(n);
}""".replace("SHOWN", SHOWN)


def validation_freq(settings):
    """The validation_freq the page passes to fit (app_pages/training.py, train_and_draw)."""
    return max(1, settings.epochs // 200)


def ms(seconds):
    return seconds * 1000


# -- 1. the training run -----------------------------------------------------------------------


def engine_seconds(epochs):
    """(a) The run with nnengine alone: no Streamlit, no callback."""
    settings = training.Settings(epochs=epochs)
    setup = training.build(settings)
    started = time.perf_counter()
    setup.model.fit(setup.X, setup.y, epochs=settings.epochs, validation_freq=validation_freq(settings),
                    **training.fit_kwargs(settings, setup))
    elapsed = time.perf_counter() - started
    if setup.model.epochs_done != epochs:
        raise RuntimeError(f"the engine trained {setup.model.epochs_done} epochs, not {epochs}")
    return elapsed


def check(at, what):
    if len(at.exception):
        raise RuntimeError(f"the Training page raised {what}: {at.exception[0].message}")


def progress_text(at):
    bars = at.get("progress")
    return bars[0].proto.text if bars else ""


def loaded_page(epochs):
    """A new AppTest session on the Training page with epochs=N in its link, run once (untimed:
    this run builds the data and the model)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT)
    at.query_params["epochs"] = str(epochs)
    at.switch_page(PAGE)
    at.run()
    check(at, "on loading")
    shown = at.number_input(key="epochs").value
    if shown != epochs:
        raise RuntimeError(f"the page shows {shown} epochs, not {epochs}: the link's value was not taken")
    return at


def train_to_the_end(at, epochs, what):
    """Click Train, then rerun as the browser's timer would: the page trains in chunks, one per run of its
    training fragment (AppTest has no timer, so each at.run() stands for one tick)."""
    at.button(key="train").click()
    at.run()
    check(at, what)
    for _ in range(100_000):
        if progress_text(at).startswith(f"epoch {epochs} of {epochs} "):
            return
        at.run()
        check(at, what)
    raise RuntimeError(f"the run ended at {progress_text(at)!r}, not at epoch {epochs}")


def apptest_seconds(epochs):
    """(b) Click Train on a freshly loaded page and time the run to its end; also the AppTest, for reruns."""
    at = loaded_page(epochs)
    started = time.perf_counter()
    train_to_the_end(at, epochs, "while training")
    return time.perf_counter() - started, at


def cpu_snapshot(server_pid):
    """(server CPU s, browser CPU s): the app server's process, and every other process this
    script started (Playwright's driver and Chromium's processes; those that end in between are
    not counted). None where /proc cannot tell."""
    try:
        server = cpu_seconds(server_pid)
        others = set(descendants(os.getpid())) - {server_pid} - set(descendants(server_pid))
    except OSError:
        return None, None
    browser = 0.0
    for pid in others:
        try:
            browser += cpu_seconds(pid)
        except OSError:
            pass
    return server, browser


def browser_seconds(browser, server, epochs):
    """(c) One run in a new browser session: (seconds from the click on Train until the page shows
    epoch N of N and is idle, server CPU seconds and browser CPU seconds in that time, seconds until
    epoch N of N first shows: the training is over, the rest of the page's run follows)."""
    context = browser.new_context(viewport=harness.VIEWPORT)
    try:
        page = context.new_page()
        harness.open_page(page, server.url, "training", f"epochs={epochs}")
        train = page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train")
        cpu_before = cpu_snapshot(server.process.pid)
        started = time.perf_counter()
        train.click()
        timeout = max(harness.RUN_TIMEOUT, 60_000 + 30 * epochs)
        page.wait_for_function(SHOWN, arg=epochs, polling=10, timeout=timeout)
        shown = time.perf_counter() - started
        page.wait_for_function(IDLE, arg=epochs, polling=10, timeout=timeout)
        elapsed = time.perf_counter() - started
        cpu_after = cpu_snapshot(server.process.pid)
        if page.locator('[data-testid="stException"]').count():
            raise RuntimeError("the Training page shows an exception in the browser")
    finally:
        context.close()
    used = [None if a is None or b is None else b - a for a, b in zip(cpu_before, cpu_after)]
    return elapsed, *used, shown


class Pieces:
    """Time spent in the parts of the page's live redraw during a training run (an instrumented run):
    the functions are wrapped in place, in this process, and put back afterwards."""

    def __init__(self):
        from streamlit.delta_generator import DeltaGenerator

        self.targets = [("st.progress (the progress line)", DeltaGenerator, "progress"),
                        ("training.history_rows", training, "history_rows"),
                        ("charts.lines_chart", charts, "lines_chart"),
                        ("training.boundary_rows", training, "boundary_rows"),
                        ("charts.boundary_chart", charts, "boundary_chart"),
                        ("charts.to_spec", charts, "to_spec"),
                        ("st.vega_lite_chart (marshalling)", DeltaGenerator, "vega_lite_chart")]
        self.calls = {name: 0 for name, _, _ in self.targets}
        self.seconds = dict.fromkeys(self.calls, 0.0)
        self.fit_seconds = 0.0
        self.fitting = False
        self.saved = []

    def _timed(self, name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.calls[name] += 1
                self.seconds[name] += time.perf_counter() - started
        return wrapper

    def _fit(self, function):
        def wrapper(*args, **kwargs):
            self.fitting, started = True, time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.fitting = False
                self.fit_seconds += time.perf_counter() - started
        return wrapper

    def __enter__(self):
        for name, owner, attribute in self.targets:
            original = owner.__dict__.get(attribute, getattr(owner, attribute))
            self.saved.append((owner, attribute, attribute in owner.__dict__, original))
            setattr(owner, attribute, self._timed(name, getattr(owner, attribute)))
        self.saved.append((nn.Model, "fit", True, nn.Model.fit))
        nn.Model.fit = self._fit(nn.Model.fit)
        return self

    def __exit__(self, *exc):
        for owner, attribute, own, original in reversed(self.saved):
            if own:
                setattr(owner, attribute, original)
            else:
                delattr(owner, attribute)


def live_breakdown(epochs):
    """One instrumented AppTest run: (Pieces, {chart: bytes of its element}) for the live charts."""
    at = loaded_page(epochs)
    with Pieces() as pieces:
        train_to_the_end(at, epochs, "while training (instrumented)")
    sizes = [element.proto.ByteSize() for element in at.get("vega_lite_chart")]
    return pieces, sizes


# -- 2. the decision boundary ------------------------------------------------------------------


def boundary_times(resolutions):
    """({resolution: (rows ms, spec ms, marshalling ms)} medians, on a default model trained a little;
    the resolution the page draws for that model)."""
    import streamlit as st

    settings = training.Settings(epochs=TRAINED_A_LITTLE)
    setup = training.build(settings)
    setup.model.fit(setup.X, setup.y, epochs=settings.epochs, validation_freq=validation_freq(settings),
                    **training.fit_kwargs(settings, setup))
    classes = max(setup.model.n_outputs, 2)
    live = training.grid_resolution(setup)
    results = {}
    for resolution in resolutions:
        rows, specs, marshalled = [], [], []
        for _ in range(GRID_TIMES + 1):             # the first builds the chart's cached structure
            started = time.perf_counter()
            cells, points = training.boundary_rows(setup, settings, resolution=resolution)
            built = time.perf_counter()
            spec = charts.to_spec(charts.boundary_chart(cells, points, classes))
            specified = time.perf_counter()
            st.vega_lite_chart(spec, width="stretch")       # bare: marshals it, sends it nowhere
            rows.append(built - started)
            specs.append(specified - built)
            marshalled.append(time.perf_counter() - specified)
        results[resolution] = tuple(ms(statistics.median(times[1:])) for times in (rows, specs, marshalled))
    return results, live


# -- 3. idle reruns ----------------------------------------------------------------------------


def rerun_times(at):
    """ms of plain reruns of a loaded page, after a few untimed ones."""
    times = []
    for i in range(WARMUP_RERUNS + RERUNS):
        started = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - started
        check(at, "on a rerun")
        if i >= WARMUP_RERUNS:
            times.append(ms(elapsed))
    return times


# -- report ------------------------------------------------------------------------------------


def table(header, rows):
    print(header)
    print("-" * len(header))
    for row in rows:
        print(row)


def verdict(value, target):
    return "ok" if value <= target else "OVER"


def measure_runs(epochs, repeats, problem):
    """The runs of 1, taking turns round after round: (engine s, AppTest s, Chromium runs, Chromium
    1-epoch runs, the last AppTest, trained, for the reruns of 3)."""
    engine, page, chromium, single = [], [], [], []
    at = None

    def one_round(round_, browser=None, server=None):
        nonlocal at
        engine.append(engine_seconds(epochs))
        seconds, at = apptest_seconds(epochs)
        page.append(seconds)
        if browser is not None:
            chromium.append(browser_seconds(browser, server, epochs))
            single.append(browser_seconds(browser, server, 1))
        print(f"round {round_ + 1} of {repeats} done", file=sys.stderr)

    if problem is None:
        from playwright.sync_api import sync_playwright

        with harness.AppServer(LOG) as server, sync_playwright() as playwright:
            browser = harness.launch_browser(playwright)
            try:
                for round_ in range(repeats):
                    one_round(round_, browser, server)
            finally:
                browser.close()
    else:
        for round_ in range(repeats):
            one_round(round_)
    return engine, page, chromium, single, at


def report_runs(epochs, repeats, engine, page, chromium, single, problem):
    best = min(engine)
    target = f"<= {TARGET_RATIO:.2f}x"
    print(f"\n1. The Training page's default run, {epochs} epochs (validation every "
          f"{validation_freq(training.Settings(epochs=epochs))}, as the page does); best of {repeats}\n")
    rows = [f"{'(a) engine alone, no callback':<40}  {best:7.3f}  {'1.00x':>9}"]
    ratio = min(page) / best
    rows.append(f"{'(b) page, AppTest (no browser)':<40}  {min(page):7.3f}  {ratio:8.2f}x  {target:>8}  "
                f"{verdict(ratio, TARGET_RATIO)}")
    if chromium:
        idle, server_cpu, browser_cpu, shown = min(chromium)
        ratio = idle / best
        rows.append(f"{'(c) page, Chromium: click to idle':<40}  {idle:7.3f}  {ratio:8.2f}x  {target:>8}  "
                    f"{verdict(ratio, TARGET_RATIO)}   (runs: {', '.join(f'{run[0]:.2f}' for run in chromium)})")
        rows.append(f"{f'    epoch {epochs} of {epochs} first shown':<40}  {shown:7.3f}  {shown / best:8.2f}x")
        if server_cpu is not None:
            rows.append(f"{'    app server CPU in that time':<40}  {server_cpu:7.3f}  {server_cpu / best:8.2f}x")
            rows.append(f"{'    Chromium CPU in that time':<40}  {browser_cpu:7.3f}")
        if single:
            rows.append(f"{'    1 epoch, click to idle (best)':<40}  {min(single)[0]:7.3f}")
    else:
        rows.append(f"{'(c) page, Chromium':<40}  {problem}")
    table(f"{'':<40}  {'seconds':>7}  {'vs engine':>9}  {'target':>8}", rows)
    print("\n(b) and (c) include a whole run of the page script around the training (its cost alone: 3);"
          "\n(c) also the browser's drawing of that run (its cost alone: the 1-epoch run). The CPU seconds"
          "\ncompete for this machine's "
          f"{os.cpu_count()} cores.")


def report_breakdown(pieces, sizes, best):
    print(f"\nWhere the page's time goes while it trains (one instrumented AppTest run): its fit took "
          f"{pieces.fit_seconds:.3f} s,\nthe engine alone {best:.3f} s; the live callback's drawing inside that fit:\n")
    drawing = sum(pieces.seconds.values())
    rows = [f"{name:<36}  {pieces.calls[name]:5d}  {ms(pieces.seconds[name]):8.1f}  "
            f"{ms(pieces.seconds[name]) / max(pieces.calls[name], 1):8.2f}" for name in pieces.calls]
    rows.append(f"{'all of the drawing':<36}  {'':5}  {ms(drawing):8.1f}  "
                f"({drawing / pieces.fit_seconds:.0%} of the fit)")
    rows.append(f"{'the rest: training, callback, ...':<36}  {'':5}  {ms(pieces.fit_seconds - drawing):8.1f}  "
                f"({(pieces.fit_seconds - drawing) / best:.2f}x the engine alone)")
    table(f"{'piece':<36}  {'calls':>5}  {'total ms':>8}  {'ms/call':>8}", rows)
    if sizes:
        print("\nChart elements after the run, bytes sent to the browser: "
              f"{', '.join(f'{size / 1000:.0f} KB' for size in sizes)}\n(in page order: the curves and the "
              "boundary, redrawn live; the network and the neuron maps, drawn after training)")


def report_grids(grids, live):
    print(f"\n2. The decision boundary on a default model trained {TRAINED_A_LITTLE} epochs, median of "
          f"{GRID_TIMES}\n")
    rows = []
    for resolution, (rows_ms, spec_ms, marshal_ms) in grids.items():
        total = rows_ms + spec_ms
        target = f"{'<= ' + format(TARGET_BOUNDARY_MS, '.0f'):>7}  {verdict(total, TARGET_BOUNDARY_MS):<4}"
        if resolution != 100:
            target = f"{'(live)' if resolution == live else '':>7}      "
        rows.append(f"{f'{resolution} x {resolution}':<9}  {resolution ** 2:6d}  {rows_ms:8.1f}  {spec_ms:7.1f}  "
                    f"{total:8.1f}  {target}  {marshal_ms:12.1f}")
    table(f"{'grid':<9}  {'cells':>6}  {'rows ms':>8}  {'spec ms':>7}  {'total ms':>8}  {'target':>7}        "
          f"{'+ st.vega ms':>12}", rows)
    print("\n+ st.vega ms: Streamlit's own work on that spec in st.vega_lite_chart (rows to Arrow, JSON), "
          f"not in the total.\nThe page draws this model's boundary at {live} x {live} (training.grid_resolution).")


def report_reruns(reruns):
    print(f"\n3. A plain rerun of the idle Training page (AppTest), {RERUNS} timed after {WARMUP_RERUNS} "
          "untimed\n")
    rows = [f"{state:<32}  {statistics.median(times):9.1f}  {harness.percentile(times, 0.9):7.1f}  "
            f"{'<= ' + format(TARGET_RERUN_MS, '.0f'):>7}  {verdict(statistics.median(times), TARGET_RERUN_MS)}"
            for state, times in reruns.items()]
    table(f"{'page':<32}  {'median ms':>9}  {'p90 ms':>7}  {'target':>7}", rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=training.Settings().epochs,
                        help="epochs of the training run (10001, the book's run; at most 50001)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each contender; the best counts (3)")
    parser.add_argument("--skip-browser", action="store_true", help="no Chromium run (c)")
    args = parser.parse_args()
    if not 1 <= args.epochs <= 50_001 or args.repeats < 1:
        parser.error("--epochs must be from 1 to 50001 (the page's range) and --repeats at least 1")
    quiet_streamlit()
    import streamlit

    streamlit.config.set_option("global.showWarningOnDirectExecution", False)   # the bare marshalling in 2

    problem = "skipped (--skip-browser)" if args.skip_browser else harness.browser_problem()
    engine, page, chromium, single, at = measure_runs(args.epochs, args.repeats, problem)
    pieces, sizes = live_breakdown(args.epochs)
    print("live breakdown done", file=sys.stderr)
    grids, live = boundary_times((100, 50))
    print("boundary grids done", file=sys.stderr)
    reruns = {"fresh page (not trained)": rerun_times(loaded_page(args.epochs)),
              f"after training {args.epochs} epochs": rerun_times(at)}
    print("reruns done", file=sys.stderr)

    report_runs(args.epochs, args.repeats, engine, page, chromium, single, problem)
    report_breakdown(pieces, sizes, min(engine))
    report_grids(grids, live)
    report_reruns(reruns)
    if chromium:
        print(f"\nServer log: {LOG.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
