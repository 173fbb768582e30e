"""Run the real app and drive it in Debian's Chromium: shared by the browser tests (conftest.py)
and the latency benchmark (bench/app_latency.py), so both start and wait for the app the same way.

Playwright is imported only inside the functions that need it, so this module imports (and the
tests can skip with a clear reason) on a machine without Playwright.
"""

import asyncio
import concurrent.futures
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"     # git-ignored
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}
NO_CHROMIUM = ("Chromium not found: install Debian's chromium package (sudo apt-get install chromium) "
               "to run the browser tests")
NO_PLAYWRIGHT = ("Playwright not importable: install the test requirements "
                 "(pip install -r requirements-dev.txt) to run the browser tests")
SERVER_START_TIMEOUT = 60.0      # seconds
RUN_TIMEOUT = 30_000             # milliseconds, for one script run in the browser

# Selectors (Streamlit's data-testid values).
APP = '[data-testid="stApp"]'
MAIN = '[data-testid="stMainBlockContainer"]'
RUNNING = '[data-testid="stStatusWidgetRunningIcon"]'
CHART_DRAWN = ('[data-testid="stVegaLiteChart"] canvas, '
               '[data-testid="stVegaLiteChart"] svg.marks')


def run_async(coroutine):
    """``asyncio.run(coroutine)`` in a thread of its own, returning its result. The browser tests'
    session-wide Playwright (its sync API) keeps an event loop running in the main thread once any
    browser test has run, and asyncio.run refuses to start a second loop in a thread that has one."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def percentile(values, fraction):
    """Linear-interpolated percentile of a list (fraction in 0..1)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def find_chromium():
    """Debian's Chromium, or a ``chromium`` on PATH; None when there is none."""
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def browser_problem():
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return NO_PLAYWRIGHT
    if find_chromium() is None:
        return NO_CHROMIUM
    return None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url):
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


class AppServer:
    """``streamlit run streamlit_app.py`` on a free local port, in its own process group.

    with AppServer(log_path) as server: ... server.url ...
    The server's stdout and stderr go to ``log_path`` so a failure can be debugged afterwards.
    """

    def __init__(self, log_path, root=ROOT, timeout=SERVER_START_TIMEOUT):
        self.log_path = Path(log_path)
        self.root = Path(root)
        self.timeout = timeout
        self.process = None
        self.url = None
        self._log = None

    def start(self):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):          # a free port can be taken between choosing and binding it
            port = free_port()
            self._log = open(self.log_path, "w" if attempt == 0 else "a", encoding="utf-8")
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
                 "--server.headless", "true", "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                 "--server.fileWatcherType", "none"],
                cwd=self.root, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
            self.url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + self.timeout
            while time.monotonic() < deadline and self.process.poll() is None:
                if _healthy(self.url):
                    return self
                time.sleep(0.25)
            self.stop()
        raise RuntimeError(f"The Streamlit server did not start within {self.timeout:.0f} s; "
                           f"its output is in {self.log_path}:\n{self.log_tail()}")

    def stop(self):
        """Stop the server and everything it started (its whole process group)."""
        if self.process is not None:
            if self.process.poll() is None:
                try:
                    os.killpg(self.process.pid, signal.SIGTERM)
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=10)
                except ProcessLookupError:
                    pass
            # Children left in the group (none expected) go too.
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def launch_browser(playwright):
    """Headless Debian Chromium (never a downloaded browser)."""
    path = find_chromium()
    if path is None:
        raise RuntimeError(NO_CHROMIUM)
    return playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)


def page_url(base_url, path="", query=""):
    return f"{base_url}/{path}" + (f"?{query.lstrip('?')}" if query else "")


def wait_for_script_done(page, timeout=RUN_TIMEOUT):
    """Wait until the app is connected and its script has finished running.

    As Streamlit's own e2e tests do: the stApp element carries the connection state and the script
    state ("initial", then "running", then "notRunning"); while a script runs the status widget
    shows its running icon.
    """
    page.locator(f"{APP}[data-test-connection-state='CONNECTED']").wait_for(state="attached",
                                                                            timeout=timeout)
    page.locator(f"{APP}[data-test-script-state='notRunning']").wait_for(state="attached",
                                                                         timeout=timeout)
    page.locator(RUNNING).first.wait_for(state="hidden", timeout=timeout)


def wait_for_drawn(page, timeout=RUN_TIMEOUT):
    """Wait until the main area has content and no element skeleton is left (Streamlit shows a
    skeleton while an element's code is still loading in the browser)."""
    page.wait_for_function(
        """() => document.querySelectorAll('[data-testid="stSkeleton"]').length === 0
                 && document.querySelector('[data-testid="stMainBlockContainer"] '
                                           + '[data-testid="stElementContainer"]') !== null""",
        timeout=timeout)


def wait_for_app_run(page, timeout=RUN_TIMEOUT):
    """Wait until the script has finished running and everything it sent is drawn."""
    wait_for_script_done(page, timeout)
    wait_for_drawn(page, timeout)


def open_page(page, base_url, path="", query="", timeout=RUN_TIMEOUT):
    """Go to a page of the app (``path`` is its url_path, '' for Home) and wait for its run."""
    page.goto(page_url(base_url, path, query), wait_until="domcontentloaded", timeout=timeout)
    page.locator(APP).wait_for(state="attached", timeout=timeout)
    wait_for_app_run(page, timeout)
    return page


def wait_for_chart(page, timeout=RUN_TIMEOUT):
    """Wait until at least one Vega-Lite chart has drawn (its canvas or svg exists)."""
    page.locator(CHART_DRAWN).first.wait_for(state="visible", timeout=timeout)


def screenshot(page, name, folder=SCREENSHOTS):
    """Save a full-page screenshot as <folder>/<name>.png and return its path.

    Streamlit scrolls inside its main section rather than the document, so a plain full-page
    screenshot would stop at the viewport: the viewport is stretched to the content's height
    for the shot and then put back.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    viewport = page.viewport_size
    height = page.evaluate(
        """() => Math.max(document.documentElement.scrollHeight,
                          ...[...document.querySelectorAll('[data-testid="stMain"], '
                                + '[data-testid="stAppViewContainer"], [data-testid="stMainBlockContainer"]')]
                             .map(e => e.scrollHeight))""")
    if viewport and height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": int(height) + 40})
        page.wait_for_timeout(300)        # charts re-measure their width on resize
    try:
        page.screenshot(path=str(path), full_page=True, animations="disabled")
    finally:
        if viewport and height > viewport["height"]:
            page.set_viewport_size(viewport)
    return path


def stroke(page, locator, points, steps=12):
    """One stroke with the mouse on the element ``locator`` finds, through ``points`` given as fractions
    of its width and height (the digit pad's strokes, in the tests and docs/screenshots.py)."""
    target = page.locator(locator)
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    at = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=steps)
    page.mouse.up()
