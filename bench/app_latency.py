"""App latency benchmark: how long each page of the app takes to answer.

(a) rerun: with Streamlit's AppTest (in process, no browser), the time of one rerun after a control
    changes: the page's first slider (else its first number input) alternates between two values;
    a page with neither is simply rerun. Median and 90th percentile over --reruns timed reruns after
    a few untimed ones, against the 50 ms target. Each script is compiled once, as by a server
    (``server_script_cache``).
(b) browser: the real app (``streamlit run``) in headless Debian Chromium, the time from navigation
    to interactive: the script has finished running and the first chart is drawn. Each visit opens a
    new browser context (a new session); the first visit of a page is shown apart (cold), then the
    median of --visits more.
(c) slider: in Chromium, a key press on a slider until the page is idle again with its charts
    redrawn, on the page's first slider and on every other slider in view, against 250 ms median.

It starts the server and the browser exactly as the browser tests do (tests/e2e/harness.py).

    python bench/app_latency.py [--reruns N] [--visits N] [--skip-browser] [--skip-reruns]
                                [--sliders-only] [--pages neuron,layer,...]
    python bench/app_latency.py --scenario walk-step [--reruns N]

(d) --scenario NAME times one named interaction instead: AppTest reruns after a given control
    changes (see SCENARIOS), both of the whole page and of the fragment that holds the control
    alone (what the browser reruns), interleaved in one process so the two are comparable.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]       # runs without installing

import harness  # noqa: E402
import stclient  # noqa: E402

from ui.catalog import PAGES  # noqa: E402

TARGET_MS = 50.0
BROWSER_TARGET_MS = 250.0       # a slider answers in Chromium, key press to charts redrawn
WARMUP_RERUNS = 3
LOG = ROOT / "bench" / "out" / "streamlit-server.log"       # git-ignored


def quiet_streamlit():
    """AppTest runs the app outside a server; Streamlit warns about that on every run."""
    import logging

    import streamlit.logger

    streamlit.logger.set_log_level("error")
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage())


def server_script_cache():
    """Compile each script once, as the server does. A running server keeps one ScriptCache: the
    app's and each page's code is compiled (with Streamlit's "magic" rewriting) on its first run and
    reused by every later rerun. AppTest makes a new ScriptCache for every run, so each timed rerun
    also recompiled the page: 24 ms of the Backpropagation page's rerun and 31 ms of the Optimizers
    page's (thread CPU time, measured alone) were compiling, which no learner ever waits for."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared


SCRIPT_RUNS = []          # ms of each script run, appended by the hook ``time_script_runs`` installs


def time_script_runs():
    """Time each script run on its own thread: what a server does for a rerun. AppTest's round trip
    adds its own work in the test process (turning every message into an element tree to query,
    about a third of a long page's round trip), which a server never does."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    run = ScriptRunner._run_script
    if getattr(run, "timed", False):
        return

    def timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return run(self, *args, **kwargs)
        finally:
            SCRIPT_RUNS.append((time.perf_counter() - started) * 1000)

    timed.timed = True
    ScriptRunner._run_script = timed


def first_control(at):
    """(widget kind, the two values to alternate) for the page's first slider or number input."""
    for kind in ("slider", "number_input"):
        widgets = getattr(at, kind)
        if len(widgets):
            widget = widgets[0]
            value = widget.value
            if isinstance(value, tuple | list):          # a range slider: move its upper end
                return None
            step = widget.step or 1
            other = value + step if widget.max is None or value + step <= widget.max else value - step
            return kind, widget.label, (value, type(value)(other))
    return None


def rerun_times(info, reruns):
    """Milliseconds of each timed rerun of one page as (AppTest round trip, the script's run), and
    what was changed."""
    from streamlit.testing.v1 import AppTest

    server_script_cache()
    time_script_runs()

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    at.switch_page(info.path).run()
    if len(at.exception):
        raise RuntimeError(f"{info.path} raised: {at.exception[0].message}")
    control = first_control(at)
    times = []
    for i in range(WARMUP_RERUNS + reruns):
        SCRIPT_RUNS.clear()
        started = time.perf_counter()
        if control is None:
            at.run()
        else:
            kind, label, values = control
            widget = next(w for w in getattr(at, kind) if w.label == label)
            widget.set_value(values[(i + 1) % 2]).run()
        elapsed = (time.perf_counter() - started) * 1000
        if len(at.exception):
            raise RuntimeError(f"{info.path} raised on rerun: {at.exception[0].message}")
        if i >= WARMUP_RERUNS:
            times.append((elapsed, sum(SCRIPT_RUNS)))
    described = "plain rerun" if control is None else f"{control[1]} {control[2][0]}<->{control[2][1]}"
    return times, described, control


async def _server_presses(base_url, info, control, reruns):
    """ms of each rerun the real server answers when ``control`` changes, as a browser's change asks
    for it: a control inside a fragment reruns that fragment alone (tests/e2e/stclient.py)."""
    kind, label, values = control
    async with stclient.Session(base_url, info.url_path, name=info.url_path or "home") as session:
        times = []
        for i in range(WARMUP_RERUNS + reruns):
            request = await session.set_value(label, values[(i + 1) % 2])
            if session.errors:
                raise RuntimeError(f"{info.path}: {session.errors[0]}")
            if i >= WARMUP_RERUNS:
                times.append(request.ms)
        in_fragment = bool(session.widget(label).fragment_id)
    return times, in_fragment


def server_times(pages, controls, reruns):
    """{url_path: (ms per rerun answered by a real server, whether the control is in a fragment)}: the
    same control as the AppTest reruns, changed over the websocket on loopback."""
    results = {}
    with harness.AppServer(LOG) as server:
        for info in pages:
            if controls.get(info.url_path) is None:
                continue
            try:
                results[info.url_path] = harness.run_async(
                    _server_presses(server.url, info, controls[info.url_path], reruns))
            except (stclient.SessionError, RuntimeError, TimeoutError, OSError) as error:     # say so, time the others
                results[info.url_path] = error
    return results


def visit(browser, base_url, info):
    """One visit in a new context: (script done, interactive, all drawn) ms from navigation."""
    context = browser.new_context(viewport=harness.VIEWPORT)
    try:
        page = context.new_page()
        started = time.perf_counter()
        page.goto(harness.page_url(base_url, info.url_path), wait_until="commit")
        harness.wait_for_script_done(page)
        done = time.perf_counter()
        harness.wait_for_chart(page)
        interactive = time.perf_counter()
        harness.wait_for_drawn(page)
        drawn = time.perf_counter()
        if page.locator('[data-testid="stException"]').count():
            raise RuntimeError(f"{info.title} shows an exception in the browser")
    finally:
        context.close()
    return tuple((t - started) * 1000 for t in (done, interactive, drawn))


def _walk_fragment():
    """The Backpropagation page's walk stepper alone (the book's network, its default sample): the
    fragment a step of the walk reruns in the browser."""
    from nnengine.lessons import walk
    from ui.backprop_walk import DEFAULT_SAMPLE, book_network, memo, stepper

    X, y, model = book_network("3", "0")
    stepper(memo(("book", "3", "0"), lambda: walk.walk(model, X, y, DEFAULT_SAMPLE)))


# name -> (page, the control's key, the values it alternates between, the fragment holding it)
SCENARIOS = {
    "walk-step": ("app_pages/backprop.py", "walk_step", (5, 6), _walk_fragment),
}


def scenario_times(name, reruns):
    """{'page': ms per rerun of the whole page, 'fragment': ms per rerun of the control's fragment alone}."""
    from streamlit.testing.v1 import AppTest

    path, key, values, fragment = SCENARIOS[name]
    server_script_cache()
    page = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    page.switch_page(path).run()
    alone = AppTest.from_function(fragment, default_timeout=120).run()
    # A reference measured in the same run: the Neuron page's first slider (a page known to be quick).
    reference = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    reference.switch_page("app_pages/neuron.py").run()
    first = reference.slider[0]
    plan = (("page", page, key, values), ("fragment", alone, key, values),
            ("reference", reference, first.key, (first.value, first.value + (first.step or 1))))
    times = {"page": [], "fragment": [], "reference": []}
    for i in range(WARMUP_RERUNS + reruns):
        for label, at, key, values in plan:
            widget = next(w for w in at.slider if w.key == key)
            started = time.perf_counter()
            widget.set_value(values[(i + 1) % 2]).run()
            elapsed = (time.perf_counter() - started) * 1000
            if len(at.exception):
                raise RuntimeError(f"{name} raised: {at.exception[0].message}")
            if i >= WARMUP_RERUNS:
                times[label].append(elapsed)
    return times


def print_scenario(name, reruns):
    times = scenario_times(name, reruns)
    path, key, values, _ = SCENARIOS[name]
    print(f"\nScenario {name}: {key} {values[0]}<->{values[1]} on {path} (AppTest, in process; {reruns} timed "
          f"reruns after {WARMUP_RERUNS} untimed; target {TARGET_MS:.0f} ms)\n")
    header = f"{'what reruns':<40}  {'median ms':>9}  {'p90 ms':>7}  {'target':>6}"
    print(header)
    print("-" * len(header))
    for label, what in (("fragment", "the fragment alone (a step in the browser)"), ("page", "the whole page"),
                        ("reference", "reference: the Neuron page's first slider")):
        median = statistics.median(times[label])
        print(f"{what:<40}  {median:9.1f}  {harness.percentile(times[label], 0.9):7.1f}  "
              f"{'ok' if median <= TARGET_MS else 'OVER':>6}")


SLIDER_PRESSES = 10          # on the page's first slider
EVERY_SLIDER_PRESSES = 4     # on each of its other sliders
CHANGED_AND_IDLE = """(before) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    return app.dataset.testScriptState === 'notRunning' && main.innerText !== before;
}"""
# After the new result shows: two animation frames (the page has been painted), then the browser's
# first idle moment (no task left: Vega has redrawn every chart the rerun touched).
REDRAWN = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(
    () => requestIdleCallback(() => done(true), {timeout: 5000}))))"""


def press_times(page, slider, presses):
    """ms of each of ``presses`` key presses on one slider, alternately one step away and back (away
    is right, or left when it starts at its maximum), each until the page is changed and redrawn."""
    at_max = slider.evaluate("input => Number(input.value) >= Number(input.max)")     # <input type="range">
    away, back = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")
    times = []
    for press in range(presses):
        slider.focus()
        before = page.locator(harness.MAIN).inner_text()
        started = time.perf_counter()
        page.keyboard.press(away if press % 2 == 0 else back)
        page.wait_for_function(CHANGED_AND_IDLE, arg=before, timeout=harness.RUN_TIMEOUT)
        page.evaluate(REDRAWN)
        times.append((time.perf_counter() - started) * 1000)
    return times


def slider_response(browser, base_url, info, width=harness.VIEWPORT["width"]):
    """{slider label: ms of each key press}, the page's first slider first, or None when the page has
    no slider: from a key press until the page shows the new result, its script (or the fragment
    holding the slider) is over and the browser is idle again with the charts redrawn (``REDRAWN``):
    what a learner waits for. The first slider gets SLIDER_PRESSES presses, every other slider in
    view (not in a closed tab or expander) EVERY_SLIDER_PRESSES."""
    context = browser.new_context(viewport={**harness.VIEWPORT, "width": width})
    try:
        page = context.new_page()
        harness.open_page(page, base_url, info.url_path)
        page.evaluate(REDRAWN)
        sliders = page.get_by_role("slider")
        if not sliders.count():
            return None
        times = {}
        for number in range(sliders.count()):
            slider = sliders.nth(number)
            if not slider.is_visible():
                continue
            label = slider.get_attribute("aria-label") or f"slider {number + 1}"
            while label in times:                   # two sliders with one label (in different sections)
                label += " (again)"
            times[label] = press_times(page, slider, SLIDER_PRESSES if not times else EVERY_SLIDER_PRESSES)
        return times
    finally:
        context.close()


def browser_times(pages, visits, sliders_only=False):
    """{url_path: ([(script done ms, interactive ms, all drawn ms), ...] per visit in Chromium, each
    counted from the start of navigation, or [] with sliders_only; slider key press ms or None)}."""
    from playwright.sync_api import sync_playwright

    results = {}
    with harness.AppServer(LOG) as server, sync_playwright() as playwright:
        browser = harness.launch_browser(playwright)
        try:
            for info in pages:
                try:
                    visited = [] if sliders_only else [visit(browser, server.url, info) for _ in range(1 + visits)]
                    results[info.url_path] = (visited, slider_response(browser, server.url, info))
                except Exception as error:      # a broken page: say so, time the others
                    results[info.url_path] = error
        finally:
            browser.close()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reruns", type=int, default=20, help="timed AppTest reruns per page (20)")
    parser.add_argument("--visits", type=int, default=5, help="browser visits per page after the first (5)")
    parser.add_argument("--skip-browser", action="store_true", help="only the AppTest reruns")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), help="time one named interaction instead")
    parser.add_argument("--sliders-only", action="store_true",
                        help="in the browser, only the slider key presses (no navigation visits)")
    parser.add_argument("--skip-reruns", action="store_true", help="only the browser timings")
    parser.add_argument("--pages", help="url paths to time, comma-separated, e.g. neuron,layer ('' is Home)")
    args = parser.parse_args()
    quiet_streamlit()
    if args.scenario:
        print_scenario(args.scenario, args.reruns)
        return 0

    pages = [info for info in PAGES if (ROOT / info.path).exists()]
    if args.pages is not None:
        wanted = args.pages.split(",")
        pages = [info for info in pages if info.url_path in wanted]
    for info in PAGES:
        if not (ROOT / info.path).exists():
            print(f"skipped {info.title}: {info.path} does not exist yet")

    reruns = {}
    for info in [] if args.skip_reruns else pages:
        try:
            reruns[info.url_path] = rerun_times(info, args.reruns)
        except Exception as error:          # one broken page should not hide the others' figures
            reruns[info.url_path] = error
        print(f"rerun  {info.title:<8} done", file=sys.stderr)

    controls = {path: result[2] for path, result in reruns.items() if not isinstance(result, Exception)}
    served = server_times(pages, controls, args.reruns) if controls else {}

    browser = {}
    if not args.skip_browser:
        problem = harness.browser_problem()
        if problem:
            print(f"browser timings skipped: {problem}")
        else:
            browser = browser_times(pages, args.visits, args.sliders_only)

    print(f"\nRerun after a control changes ({args.reruns} timed reruns after {WARMUP_RERUNS} untimed; "
          f"target {TARGET_MS:.0f} ms median for what a server does).\n"
          "whole page: AppTest in process, the script's run of the whole page (AppTest reruns the whole page\n"
          "  even for a control inside a fragment); round trip adds AppTest's own parsing of the result.\n"
          "server: the real server on loopback, from the change sent over its websocket to the run's end, as\n"
          "  a browser asks for it: a control inside a fragment reruns that fragment alone.\n")
    header = (f"{'page':<16}  {'control changed':<32}  {'whole page':>10}  {'p90':>5}  {'round trip':>10}  "
              f"{'server':>6}  {'p90':>5}  {'reruns':>8}  {'target':>6}")
    print(header)
    print("-" * len(header))
    for info in pages if reruns else []:
        if isinstance(reruns[info.url_path], Exception):
            print(f"{info.title:<16}  error: {reruns[info.url_path]}")
            continue
        times, described, _ = reruns[info.url_path]
        script = [run for _, run in times]
        line = (f"{info.title:<16}  {described[:32]:<32}  {statistics.median(script):10.1f}  "
                f"{harness.percentile(script, 0.9):5.1f}  {statistics.median(t for t, _ in times):10.1f}")
        answer = served.get(info.url_path)
        if isinstance(answer, Exception):
            line += f"  server error: {str(answer).splitlines()[0]}"
        elif answer is None:
            line += f"  {'':>6}  {'':>5}  {'':>8}  {'ok' if statistics.median(script) <= TARGET_MS else 'OVER':>6}"
        else:
            ms, in_fragment = answer
            median = statistics.median(ms)
            line += (f"  {median:6.1f}  {harness.percentile(ms, 0.9):5.1f}  {'fragment' if in_fragment else 'page':>8}"
                     f"  {'ok' if median <= TARGET_MS else 'OVER':>6}")
        print(line)

    if browser and not args.sliders_only:
        print(f"\nNavigation in Chromium, ms from the start of navigation (new session each visit): the "
              f"first visit,\nthen the median of {args.visits} more. Interactive = the script has finished "
              "and the first chart is drawn;\nall drawn = no element skeleton left either.\n")
        header = (f"{'page':<8}  {'first: interactive':>18}  {'script done':>11}  {'interactive':>11}  "
                  f"{'all drawn':>9}")
        print(header)
        print("-" * len(header))
        for info in pages:
            if isinstance(browser[info.url_path], Exception):
                print(f"{info.title:<8}  error: {str(browser[info.url_path]).splitlines()[0]}")
                continue
            (first, *rest), _ = browser[info.url_path]
            rest = rest or [first]
            medians = [statistics.median(visit[i] for visit in rest) for i in range(3)]
            print(f"{info.title:<8}  {first[1]:18.0f}  {medians[0]:11.0f}  {medians[1]:11.0f}  "
                  f"{medians[2]:9.0f}")
    if browser:
        print(f"\nA key press on a slider in Chromium, until the new result shows, the run is over and the "
              f"browser is idle\nwith the charts redrawn (a slider inside a fragment reruns only that fragment): "
              f"{SLIDER_PRESSES} presses on the\npage's first slider, {EVERY_SLIDER_PRESSES} on each other slider in "
              f"view; target {BROWSER_TARGET_MS:.0f} ms median over all of them.\n")
        header = (f"{'page':<16}  {'first median':>12}  {'p90':>5}  {'all median':>10}  {'p90':>5}  {'sliders':>7}  "
                  f"{'target':>6}  slowest slider (its median ms)")
        print(header)
        print("-" * len(header))
        for info in pages:
            if isinstance(browser[info.url_path], Exception):
                print(f"{info.title:<16}  error: {str(browser[info.url_path]).splitlines()[0]}")
                continue
            _, presses = browser[info.url_path]
            if presses is None:
                print(f"{info.title:<16}  {'no slider':>12}")
                continue
            first = next(iter(presses.values()))
            every = [ms for times in presses.values() for ms in times]
            median = statistics.median(every)
            slowest = max(presses, key=lambda label: statistics.median(presses[label]))
            print(f"{info.title:<16}  {statistics.median(first):12.0f}  {harness.percentile(first, 0.9):5.0f}  "
                  f"{median:10.0f}  {harness.percentile(every, 0.9):5.0f}  {len(presses):7d}  "
                  f"{'ok' if median <= BROWSER_TARGET_MS else 'OVER':>6}  "
                  f"{slowest[:40]} ({statistics.median(presses[slowest]):.0f})")
        print(f"\nServer log: {LOG.relative_to(ROOT)}")
    failed = [r for r in [*reruns.values(), *browser.values()] if isinstance(r, Exception)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
