"""Training page benchmark: what the page costs a training run, in figures, for every book preset and
every dataset's default run.

1. Each case (--cases: the presets, then every dataset's defaults as the page sets them for ?dataset=NAME)
   run three ways, taking turns, each the best of --repeats:
   (a) engine alone: ``training.build(settings)`` then ONE ``model.fit`` of the epochs the page trains, with
       ``training.fit_kwargs`` and the page's validation_freq, no callback (the settings are the page's own,
       read from the AppTest session below);
   (b) the page in Streamlit's AppTest (in process, no browser): click Train, rerun as the browser's timer
       would until the progress line reads "epoch N of N". The run trains on its own thread and each rerun
       draws its latest snapshot;
   (c) the page in headless Chromium, the app started as the browser tests do (tests/e2e/harness.py),
       opened from the page's own share link: click Train, time until "epoch N of N" shows and the script
       is idle; the progress line's redraws per second while it trained are counted in the browser, and
       the run's end (from "epoch N of N" showing to the page idle: the page drawn after training) apart.
   Also printed: the page's estimate of the run (ui/training_cost.py, measured when the run is built) and
   its ratio to the engine alone.
   Then one instrumented AppTest run of the default case says where the page's time goes.
2. The decision boundary at 100 x 100 and at 50 x 50 on a default model trained a little:
   ``training.boundary_rows`` plus ``charts.to_spec(plane_charts.boundary_chart(...))``, median of 20; and,
   apart, Streamlit's own marshalling of that spec (``st.vega_lite_chart``, bare).
3. A rerun of the idle page (AppTest, plain ``at.run()``, median of 20 after a few untimed), on a fresh
   page and after the default run.

Figures, not pass or fail: the target columns say where each one stands. On a shared machine the
seconds are contended: read the ratios, taken in the same round.

    python bench/training_ui.py [--only ch10,ch15,digits,...] [--repeats R] [--no-browser]
                                [--parts runs,breakdown,grids,reruns]

It prints how long it took and the load average. Chapter 15 and the digits are the long cases (three runs of
each, of about half a minute each on an idle machine); the others take seconds.
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
from procstat import children_cpu_seconds, cpu_seconds, descendants  # noqa: E402

from ui import charts, plane_charts, training, training_views  # noqa: E402

APP = str(ROOT / "streamlit_app.py")
PAGE = "app_pages/training.py"
LOG = ROOT / "bench" / "out" / "training-ui-server.log"      # git-ignored
TARGET_RATIO, TARGET_EXTRA = 1.25, 0.5          # the page: at most 1.25x the engine alone, or 0.5 s more
BROWSER_RATIO, BROWSER_EXTRA = 1.5, 1.0         # in Chromium: at most 1.5x, or 1 s more
ESTIMATE_RATIO = 2.0                            # the estimate: within 2x of the real time, either way
MIN_REDRAWS = 2.0                               # redraws a second in Chromium while training, at least
TARGET_BOUNDARY_MS = 100.0
TARGET_RERUN_MS = 150.0
GRID_TIMES = 20              # timed boundary grids per resolution
RERUNS, WARMUP_RERUNS = 20, 3
TRAINED_A_LITTLE = 1000      # epochs behind the model whose boundary is timed
APPTEST_TIMEOUT = 900        # seconds for one AppTest run (a long training)
WATCH = """() => {
    window.__redraws = [];
    const bar = document.querySelector('[data-testid="stProgress"]');
    let last = bar ? bar.innerText : '';
    new MutationObserver(() => {
        const now = document.querySelector('[data-testid="stProgress"]');
        if (now && now.innerText !== last) { last = now.innerText; window.__redraws.push(performance.now()); }
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
    window.__clicked = performance.now();
}"""
SHOWN = """(n) => {
    const bar = document.querySelector('[data-testid="stProgress"]');
    // the run's end: epoch N of N (a capped run's N is the browser session's own cap, measured there)
    return bar !== null && /^epoch ([0-9]+) of \\1(?![0-9])/.test(bar.innerText);
}"""
IDLE = """(n) => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app !== null && app.dataset.testScriptState === 'notRunning'
        && document.querySelector('[data-testid="stStatusWidgetRunningIcon"]') === null && (SHOWN)(n);
}""".replace("SHOWN", SHOWN)


def validation_freq(settings):
    """The validation_freq the page passes to fit (app_pages/training.py)."""
    return max(1, settings.epochs // 200)


def ms(seconds):
    return seconds * 1000


# -- 1. the training runs ----------------------------------------------------------------------


def case_names():
    """Every book preset, then every dataset but the upload (which needs a file) and your own points (none until
    a learner draws some): its default run."""
    return [*training.PRESETS, *(f"dataset={name}" for name in training.DATASETS
                                 if name not in ("upload", training.DRAWN))]


def short(name):
    return name.split(":")[0].replace("Seed notebook", "XOR notebook")


PARTS = ("runs", "breakdown", "grids", "reruns")


def chosen_cases(words):
    """The cases ``--only`` names ('ch15', 'chapter 15', 'seed', 'digits', 'dataset=digits'; all when empty)."""
    cases = case_names()
    if not words:
        return cases
    wanted = [word.strip().lower() for word in words.split(",") if word.strip()]
    wanted = [f"chapter {word[2:]}" if word.startswith("ch") and word[2:].isdigit() else word for word in wanted]
    return [case for case in cases if any(case.lower().startswith((word + ":", word + " ")) or case.lower() == word
                                          or case.lower() == f"dataset={word}" for word in wanted)]


def engine_seconds(settings, epochs):
    """(a) The run with nnengine alone: no Streamlit, no callback, one fit."""
    setup = training.build(settings)
    started, cpu = time.perf_counter(), time.thread_time()
    setup.model.fit(setup.X, setup.y, epochs=epochs, validation_freq=validation_freq(settings),
                    **training.fit_kwargs(settings, setup))
    elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
    if setup.model.epochs_done != epochs:
        raise RuntimeError(f"the engine trained {setup.model.epochs_done} epochs, not {epochs}")
    return elapsed, cpu


def check(at, what):
    if len(at.exception):
        raise RuntimeError(f"the Training page raised {what}: {at.exception[0].message}")


def progress_text(at):
    bars = at.get("progress")
    return bars[0].proto.text if bars else ""


def loaded_page(case):
    """A new AppTest session on the Training page set up for ``case`` (a preset's name, or 'dataset=NAME'),
    run (untimed: this builds the data and the model, and measures the estimate)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT)
    if case.startswith("dataset="):
        at.query_params["dataset"] = case.split("=", 1)[1]
    at.switch_page(PAGE)
    at.run()
    if not case.startswith("dataset="):
        at.selectbox(key="preset").set_value(case).run()
    check(at, "on loading")
    return at


def the_run(at):
    """(settings, epochs the page trains, its estimate in seconds, the share link's query) of a loaded page."""
    run = at.session_state["training_run"]
    # The share link (in AppTest the page's address is unknown: it reads '?query', or a placeholder
    # when every setting is at its default).
    link = next(c.value for c in at.code if c.value.startswith("?") or c.value == "(this page's address)")
    return run["settings"], run["limit"], run["estimate"], link.partition("?")[2]


def train_to_the_end(at, epochs, what):
    """Click Train, then rerun as the browser's timer would until the run has trained its epochs."""
    at.button(key="train").click()
    at.run()
    check(at, what)
    for _ in range(100_000):
        if progress_text(at).startswith(f"epoch {epochs} of {epochs} "):
            return
        if at.session_state["training_run"]["trainer"] is None:      # nothing trains: the page said why
            break
        at.run()
        check(at, what)
    raise RuntimeError(f"the run ended at {progress_text(at)!r}, not at epoch {epochs}: "
                       f"{at.session_state['training_run']['message']}")


def train_to_the_end_of(case):
    """A page of ``case`` trained to the end (untimed): for the reruns after training when no run was timed."""
    at = loaded_page(case)
    train_to_the_end(at, the_run(at)[1], "while training")
    return at


def apptest_seconds(case):
    """(b) Click Train on a freshly loaded page and time the run to its end; also the AppTest, for reruns."""
    at = loaded_page(case)
    epochs = the_run(at)[1]
    started = time.perf_counter()
    train_to_the_end(at, epochs, "while training")
    return time.perf_counter() - started, at


def cpu_snapshot(server_pid):
    """(server CPU s, training CPU s, browser CPU s): the app server's process; its children, the training
    processes (those it has waited for, and the live ones); every other process this script started
    (Playwright's driver and Chromium's processes; those that end in between are not counted). Nones where
    /proc cannot tell."""
    try:
        server, training = cpu_seconds(server_pid), children_cpu_seconds(server_pid)
        others = set(descendants(os.getpid())) - {server_pid} - set(descendants(server_pid))
    except OSError:
        return None, None, None
    browser = 0.0
    for pid in others:
        try:
            browser += cpu_seconds(pid)
        except OSError:
            pass
    return server, training, browser


def browser_seconds(browser, server, query, epochs, throttle=1):
    """(c) One run in a new browser session opened from the page's share link: (seconds from the click on
    Train until the page shows epoch N of N and is idle, (server, training, browser) CPU s in that time, seconds
    until epoch N of N first shows, the progress line's redraws per second until then; the run's end is the
    first less the fourth). ``throttle``: the
    browser's CPU slowed that many times (Chrome's own emulation of a slow phone), the server's not."""
    context = browser.new_context(viewport=harness.VIEWPORT)
    try:
        page = context.new_page()
        if throttle > 1:
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        harness.open_page(page, server.url, "training", query, timeout=300_000)
        train = page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True)
        cpu_before = cpu_snapshot(server.process.pid)
        page.evaluate(WATCH)
        started = time.perf_counter()
        train.click()
        timeout = max(harness.RUN_TIMEOUT, 60_000 + 30 * epochs)
        page.wait_for_function(SHOWN, arg=epochs, polling=10, timeout=timeout)
        shown = time.perf_counter() - started
        page.wait_for_function(IDLE, arg=epochs, polling=10, timeout=timeout)
        elapsed = time.perf_counter() - started
        cpu_after = cpu_snapshot(server.process.pid)
        redraws = page.evaluate("() => window.__redraws.length")
        if page.locator('[data-testid="stException"]').count():
            raise RuntimeError("the Training page shows an exception in the browser")
    finally:
        context.close()
    used = tuple(None if a is None or b is None else b - a for a, b in zip(cpu_before, cpu_after))
    return elapsed, used, shown, redraws / shown


class Pieces:
    """Time spent in the parts of the page's live redraw during a training run (an instrumented run):
    the functions are wrapped in place, in this process, and put back afterwards."""

    def __init__(self):
        from streamlit.delta_generator import DeltaGenerator

        self.targets = [("st.progress (the progress line)", DeltaGenerator, "progress"),
                        ("training.history_rows", training, "history_rows"),
                        ("charts.lines_chart", charts, "lines_chart"),
                        ("training_views.boundary_view", training_views, "boundary_view"),
                        ("charts.to_spec", charts, "to_spec"),
                        ("st.vega_lite_chart (marshalling)", DeltaGenerator, "vega_lite_chart")]
        self.calls = {name: 0 for name, _, _ in self.targets}
        self.seconds = dict.fromkeys(self.calls, 0.0)
        self.run_seconds = 0.0          # from the click on Train to the run's end, set by live_breakdown
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

    def __enter__(self):
        for name, owner, attribute in self.targets:
            original = owner.__dict__.get(attribute, getattr(owner, attribute))
            self.saved.append((owner, attribute, attribute in owner.__dict__, original))
            setattr(owner, attribute, self._timed(name, getattr(owner, attribute)))
        return self

    def __exit__(self, *exc):
        for owner, attribute, own, original in reversed(self.saved):
            if own:
                setattr(owner, attribute, original)
            else:
                delattr(owner, attribute)


def live_breakdown(case):
    """One instrumented AppTest run: (Pieces, {chart: bytes of its element}) for the live charts."""
    at = loaded_page(case)
    with Pieces() as pieces:
        started = time.perf_counter()
        train_to_the_end(at, the_run(at)[1], "while training (instrumented)")
        pieces.run_seconds = time.perf_counter() - started
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
            spec = charts.to_spec(plane_charts.boundary_chart(cells, points, classes))
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


def measure_runs(cases, repeats, problem, throttle=1):
    """Every case, round after round, the contenders taking turns: {case: {'settings', 'epochs', 'estimate',
    'engine': [s], 'page': [s], 'chromium': [browser_seconds tuples]}}, and the default case's last AppTest."""
    results = {case: {"engine": [], "engine_cpu": [], "page": [], "chromium": [], "estimate": []} for case in cases}
    last = {}

    print(HEADER, file=sys.stderr, flush=True)

    def one_round(round_, browser=None, server=None):
        for case in cases:
            figures = results[case]
            seconds, at = apptest_seconds(case)
            settings, epochs, estimate, query = the_run(at)
            figures.update(settings=settings, epochs=epochs, query=query)
            figures["estimate"].append(estimate)
            figures["page"].append(seconds)
            wall, cpu = engine_seconds(settings, epochs)
            figures["engine"].append(wall)
            figures["engine_cpu"].append(cpu)
            if browser is not None:
                figures["chromium"].append(browser_seconds(browser, server, query, epochs, throttle))
            last[case] = at
            print(f"round {round_ + 1} of {repeats}: {case_row(case, figures)}", file=sys.stderr, flush=True)

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
    return results, last


def within(seconds, engine, ratio, extra):
    return "ok" if seconds <= max(ratio * engine, engine + extra) else "OVER"


def case_row(case, figures):
    """One case's line of the table in 1 (also printed as soon as the case is measured)."""
    engine, page = min(figures["engine"]), min(figures["page"])
    estimate = statistics.median(figures["estimate"])
    row = (f"{short(case):<18} {figures['epochs']:>6}  {engine:7.2f}  {page:7.2f} {page / engine:5.2f}x "
           f"{within(page, engine, TARGET_RATIO, TARGET_EXTRA):<4}")
    if figures["chromium"]:
        idle, used, shown, per_second = min(figures["chromium"])
        cpu = " ".join("    ?" if seconds is None else f"{seconds:5.1f}" for seconds in used)
        row += (f"  {idle:7.2f} {idle / engine:5.2f}x {within(idle, engine, BROWSER_RATIO, BROWSER_EXTRA):<4}"
                f" {idle - shown:5.2f}  {per_second:5.1f} {'ok' if per_second >= MIN_REDRAWS else 'FEW':<3}  {cpu}")
    else:
        row += f"  {'':>7} {'':>6} {'':<4} {'':>5}  {'':>5} {'':<3}  {'':>17}"
    ratio, cpu = estimate / engine, min(figures["engine_cpu"])
    ok = "ok" if 1 / ESTIMATE_RATIO <= ratio <= ESTIMATE_RATIO else "OFF"
    return row + f"  {estimate:8.2f} {ratio:5.2f}x {ok:<3}  {cpu:7.2f} {estimate / cpu:5.2f}x"


HEADER = (f"{'case':<18} {'epochs':>6}  {'engine':>7}  {'AppTest':>7} {'ratio':>6} {'':<4}  {'Chromium':>7} "
          f"{'ratio':>6} {'':<4} {'end':>5}  {'redraw/s':>5} {'':<3}  {'server':>5} {'train':>5} {'brows':>5}  "
          f"{'estimate':>8} {'ratio':>6} {'':<3}  "
          f"{'eng CPU':>7} {'ratio':>6}")


def report_runs(results, repeats, problem):
    print(f"\n1. Every preset and every dataset's default run, best of {repeats} (seconds; ratios to the engine "
          "alone)\n")
    rows = [case_row(case, figures) for case, figures in results.items() if figures['engine']]
    table(HEADER, rows)
    print(f"\nTargets: the page (AppTest) within {TARGET_RATIO}x the engine alone or {TARGET_EXTRA} s more; Chromium "
          f"within {BROWSER_RATIO}x or {BROWSER_EXTRA} s more\n(click to idle; the browser draws on the same "
          f"{os.cpu_count()} cores as the server trains); at least {MIN_REDRAWS:g} redraws a second; the estimate "
          f"within {ESTIMATE_RATIO:g}x\nof the real time (the engine alone's). end: Chromium's seconds from 'epoch N "
          "of N' showing to the page idle\n(the network, neuron maps and downloads drawn after training). server, "
          "train, brows: CPU seconds in Chromium's run\nof the app server, its training processes and the browser "
          "(Chromium and Playwright). eng CPU: the engine alone's CPU seconds (its wall time\nless the "
          "waits for a core), and the estimate's ratio to it: on "
          "a busy machine the estimate, timed over a tenth of a second,\nsees the speed of a core the run then shares.")
    if problem:
        print(f"Chromium: {problem}")


def report_breakdown(pieces, sizes, best, case):
    print(f"\nWhere the page's time goes ({case}, one instrumented AppTest run): the run took "
          f"{pieces.run_seconds:.3f} s from Train to its end,\nthe engine alone {best:.3f} s; the page's drawing "
          "meanwhile, in the server (the run trains in a process of its own):\n")
    drawing = sum(pieces.seconds.values())
    rows = [f"{name:<36}  {pieces.calls[name]:5d}  {ms(pieces.seconds[name]):8.1f}  "
            f"{ms(pieces.seconds[name]) / max(pieces.calls[name], 1):8.2f}" for name in pieces.calls]
    rows.append(f"{'all of the drawing':<36}  {'':5}  {ms(drawing):8.1f}  "
                f"({drawing / pieces.run_seconds:.0%} of the run's time)")
    rows.append(f"{'the run, Train to its end':<36}  {'':5}  {ms(pieces.run_seconds):8.1f}  "
                f"({pieces.run_seconds / best:.2f}x the engine alone)")
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
    parser.add_argument("--only", "--cases", dest="cases", default="",
                        help="comma-separated presets (their chapter: 'ch15' or 'Chapter 15'; 'seed' for the XOR "
                             "notebook) or dataset names; all of them when not given")
    parser.add_argument("--repeats", type=int, default=1, help="rounds; the best of each counts (1)")
    parser.add_argument("--no-browser", "--skip-browser", dest="skip_browser", action="store_true",
                        help="no Chromium run (c)")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help=f"which parts to run, comma-separated, of {','.join(PARTS)} (all)")
    parser.add_argument("--throttle", type=float, default=1, help="slow the browser's CPU this many times (c): "
                                                                  "a slow laptop or a phone (1: not slowed)")
    args = parser.parse_args()
    began = time.perf_counter()
    cases = chosen_cases(args.cases)
    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    if not cases or args.repeats < 1 or not parts or set(parts) - set(PARTS):
        parser.error(f"--only must name some of: {', '.join(map(short, case_names()))} (or ch10, ch14, ...); "
                     f"--repeats at least 1; --parts some of {', '.join(PARTS)}")
    quiet_streamlit()
    import streamlit

    streamlit.config.set_option("global.showWarningOnDirectExecution", False)   # the bare marshalling in 2

    problem = "skipped (--no-browser)" if args.skip_browser else harness.browser_problem()
    default = cases[0]
    results, last = measure_runs(cases, args.repeats, problem, args.throttle) if "runs" in parts else ({}, {})
    if "breakdown" in parts:
        pieces, sizes = live_breakdown(default)
        print("live breakdown done", file=sys.stderr)
    if "grids" in parts:
        grids, live = boundary_times((100, 50))
        print("boundary grids done", file=sys.stderr)
    if "reruns" in parts:
        after = last.get(default) or train_to_the_end_of(default)
        reruns = {"fresh page (not trained)": rerun_times(loaded_page(default)),
                  f"after training ({short(default)})": rerun_times(after)}
        print("reruns done", file=sys.stderr)

    if "runs" in parts:
        report_runs(results, args.repeats, problem)
        if args.throttle > 1 and problem is None:
            print(f"The browser's CPU was slowed {args.throttle:g} times (Chrome's CPU throttling), the server's not.")
    if "breakdown" in parts:
        best = min(results[default]["engine"]) if results else engine_seconds(*the_run(loaded_page(default))[:2])[0]
        report_breakdown(pieces, sizes, best, short(default))
    if "grids" in parts:
        report_grids(grids, live)
    if "reruns" in parts:
        report_reruns(reruns)
    if problem is None and "runs" in parts:
        print(f"\nServer log: {LOG.relative_to(ROOT)}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nThis benchmark took {time.perf_counter() - began:.0f} s (load average {load:.1f} on "
          f"{os.cpu_count()} cores at its end: above the core count, every figure is contended).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
