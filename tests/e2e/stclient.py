"""A small Streamlit client that speaks the browser's protocol, without a browser: shared by the load
test (test_load.py) and the load benchmark (bench/load.py), so many sessions can use one app at once
on a machine too small for as many Chromium pages.

What it does is what Streamlit's frontend does, reduced to what a test needs:

- Like a browser, it first loads the page's address over plain HTTP and keeps the cookies the answer
  sets (a load balancer's stickiness cookie: deploy/), then sends them with the websocket. It names
  itself in its User-Agent (``stclient <name>``), so a balancer's log tells which session a line is.
- It opens the websocket ``/_stcore/stream`` with the subprotocol ``streamlit`` (the server reads an
  XSRF token and a session id to resume from the same header; a new session sends neither) and asks
  for a run with a ``rerun_script`` BackMsg: the first names the page by its URL path (``page_name``,
  as the frontend does on a direct link) with the query string; later ones name it by the
  ``page_script_hash`` the server's ``navigation`` message gave.
- It keeps the page's elements by delta path as the frontend keeps its tree: a ``new_element`` or
  ``add_block`` delta replaces what was at its path (a block of another kind, or an element, drops
  the children), and when a run finishes the elements it did not write again are dropped (only those
  of the fragments it ran, for a fragment run).
- Widgets: each one's value starts from its element (``value`` when ``set_value``, else ``default``)
  and follows the server when it sets a value; every rerun carries the values of all the widgets on
  the page, as the frontend does, and a change made here. A button click is a ``trigger_value``. A
  widget inside a fragment reruns that fragment (the rerun names its ``fragment_id``).
- A fragment with ``run_every`` makes the server send ``auto_rerun``; from then on the client sends a
  ``rerun_script`` for that fragment every ``interval`` seconds (``is_auto_rerun``), as the frontend's
  timer does, until ``stop_auto_rerun`` or the next full run.
- The query string it sends is the address bar's: the server's ``page_info_changed`` replaces it, and
  a widget bound to the address (``bind="query-params"``) that is changed here writes its value into
  it (left out at its default), as the frontend does.
- It records every rerun it asks for (``Session.reruns``) and how long the answer took: from sending
  until the first ``script_finished`` of a run that started after it (a run ended early for a rerun
  does not count; a full rerun waits for a full run). A fragment's timed reruns are only counted.
- It records every problem (``Session.errors``): exception elements, ``st.error`` elements, compile
  errors, a page not found, the connection closing, and waits that time out.

Only an asyncio API: ``async with Session(url, "neuron", "b=1") as s: await s.set_value("Bias b", 2)``.
"""

import asyncio
import contextlib
import re
import time
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

RUN_TIMEOUT = 30.0          # seconds to wait for one run's answer

# script_finished statuses
FINISHED = ForwardMsg.FINISHED_SUCCESSFULLY
FRAGMENT_FINISHED = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
COMPILE_ERROR = ForwardMsg.FINISHED_WITH_COMPILE_ERROR
EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN

WIDGETS = {"button", "download_button", "slider", "number_input", "checkbox", "radio", "selectbox",
           "multiselect", "text_input", "text_area", "file_uploader", "button_group", "color_picker",
           "date_input", "time_input", "pagination", "menu_button", "feedback"}
ALERT_KINDS = {1: "error", 2: "warning", 3: "info", 4: "success"}


@dataclass
class Node:
    """One element or block of the page, as the last delta at its path left it."""
    kind: str                  # "element" or "block"
    type: str                  # the proto's oneof: "markdown", "slider", "vertical", ...
    proto: object              # the Element's or Block's message of that type
    fragment_id: str           # the fragment that wrote it ('' outside fragments)
    run_id: str                # the script run that wrote it


@dataclass
class Widget:
    id: str
    type: str
    label: str
    value: object              # the value this client would send now
    fragment_id: str
    path: tuple
    proto: object


@dataclass
class Rerun:
    """A rerun this client asked for, and when it was answered."""
    what: str
    fragment_id: str
    sent: float
    started: bool = False      # a run started after it was sent
    answered: float | None = None
    status: int | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def ms(self):
        return None if self.answered is None else (self.answered - self.sent) * 1000


def kind_of(node):
    """A widget's kind: its element type, except that a select_slider is a Slider element."""
    if node.type == "slider" and node.proto.type == node.proto.SELECT_SLIDER:
        return "select_slider"
    return node.type


def text_of(node):
    """The readable text of an element ('' for one without text)."""
    p = node.proto
    match node.type:
        case "markdown" | "heading" | "text" | "alert":
            return p.body
        case "progress":
            return p.text
        case "metric":
            return f"{p.label}: {p.body}"
        case "exception":
            return f"{p.type}: {p.message}"
        case "code":
            return p.code_text
    return getattr(p, "label", "") if node.type in WIDGETS else ""


def initial_value(kind, p, default=False):
    """A widget's value as the frontend takes it from the element: its ``value`` when the server
    set one, else its default (with default=True, always the default). None: not sent by this client."""
    given = getattr(p, "set_value", False) and not default
    match kind:
        case "slider":
            return list(p.value if given else p.default)
        case "select_slider":         # a Slider element whose values are its options' texts
            return list(p.raw_value) if given else [p.options[int(i)] for i in p.default]
        case "number_input":
            value = p.value if given else p.default
            return int(value) if p.data_type == p.INT else float(value)
        case "checkbox" | "text_input" | "text_area":
            return p.value if given else p.default
        case "radio" | "selectbox":
            if given:
                return p.raw_value
            return p.options[p.default] if p.HasField("default") and p.default < len(p.options) else None
        case "multiselect":
            return list(p.raw_values) if given else [p.options[i] for i in p.default]
    return None        # buttons (triggers) and widgets this client does not drive


def encode(state, kind, value, proto):
    """Put a widget's value into a WidgetState as the frontend encodes that widget."""
    match kind:
        case "slider":
            state.double_array_value.data[:] = [float(v) for v in value]
        case "number_input":
            if proto.data_type == proto.INT:
                state.int_value = int(value)
            else:
                state.double_value = float(value)
        case "checkbox":
            state.bool_value = bool(value)
        case "radio" | "selectbox" | "text_input" | "text_area":
            state.string_value = str(value)
        case "multiselect" | "select_slider":
            state.string_array_value.data[:] = [str(v) for v in value]


def url_text(value):
    """A value as the frontend writes it into the address (JavaScript's String())."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def with_param(query, key, values):
    """The query string with key set to values (repeated for several; removed for none)."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != key]
    pairs += [(key, v) for v in values]
    return urlencode(pairs, safe=",;*^()")


class SessionError(RuntimeError):
    pass


class Session:
    """One browser tab's worth of the app: a websocket session on one page."""

    def __init__(self, base_url, page="", query="", name=None, run_timeout=RUN_TIMEOUT, cookies=None):
        self.base_url = base_url.rstrip("/")
        self.cookies = dict(cookies or {})  # name -> value, kept as a browser keeps them (reopen sends them)
        self.page = page
        self.query = query.lstrip("?")
        self.name = name or (page or "home")
        self.run_timeout = run_timeout
        self.nodes = {}                 # delta path (tuple) -> Node
        self.values = {}                # widget id -> value this client sends
        self.page_script_hash = ""
        self.run_id = ""                # the run now (or last) going on
        self.run_fragments = ()         # the fragments it runs (empty: the whole page)
        self.script_running = False
        self.reruns = []                # every Rerun asked for, in order
        self.auto_reruns_sent = 0
        self.runs_seen = {"full": 0, "fragment": 0}     # runs the server started for this session
        self.bytes_received = 0
        self.connections = 0            # websockets opened (open, then each reopen)
        self.errors = []                # what went wrong, as text
        self.watchers = []              # callables (session, path, node) run on each element delta
        self._auto = {}                 # fragment id -> (interval, timer task)
        self._ws = None
        self._reader = None
        self._changed = asyncio.Event()
        self._closing = False
        self._error_keys = set()

    # -- connecting ----------------------------------------------------------------------------

    async def __aenter__(self):
        await self.open()
        return self

    async def __aexit__(self, *exc):
        await self.close()

    async def open(self):
        """Load the page's address, connect and wait for the page's first run."""
        await asyncio.to_thread(self._load_address)
        url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        cookies = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        # ping_interval=None: a browser never pings the server; the websockets library's own keepalive would
        # close a connection whose pong waits behind a busy server (a training holds Python's lock).
        self._ws = await connect(url, subprotocols=["streamlit"], origin=self.base_url, max_size=None,
                                 open_timeout=self.run_timeout, user_agent_header=f"stclient {self.name}",
                                 ping_interval=None,
                                 additional_headers={"Cookie": cookies} if cookies else None)
        self.connections += 1
        self._reader = asyncio.create_task(self._read(), name=f"read {self.name}")
        await self.rerun("open")
        return self

    def address(self):
        """The address bar: the page's URL with its query string."""
        return f"{self.base_url}/{self.page}" + (f"?{self.query}" if self.query else "")

    def _load_address(self):
        """GET the page's address as a browser does before the websocket, keeping the cookies it sets."""
        headers = {"User-Agent": f"stclient {self.name}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(self.address(), headers=headers)
        with urllib.request.urlopen(request, timeout=self.run_timeout) as response:
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                self.cookies.update({k: morsel.value for k, morsel in SimpleCookie(header).items()})

    async def reopen(self):
        """Close, forget the page, and open its address again (the query string now in it), with the
        cookies kept: a learner reloading the tab, or following its share link."""
        await self.close()
        for request in self.reruns:           # asked of the old connection: never answered
            request.done.set()
        self.nodes, self.values, self.page_script_hash, self.run_id = {}, {}, "", ""
        self.script_running, self._closing, self._ws, self._reader = False, False, None, None
        self._error_keys = set()
        return await self.open()

    async def close(self):
        self._closing = True
        for _, task in self._auto.values():
            task.cancel()
        self._auto.clear()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    # -- reading the page ----------------------------------------------------------------------

    def elements(self, *types):
        """(path, Node) of every element (of these types), in page order."""
        return [(path, node) for path, node in sorted(self.nodes.items())
                if node.kind == "element" and (not types or node.type in types)]

    def texts(self, *types):
        return [text_of(node) for _, node in self.elements(*types)]

    def text(self):
        """All the page's text, one element a line."""
        return "\n".join(t for t in self.texts() if t)

    def alerts(self, kind=None):
        """Bodies of st.error/warning/info/success elements ('error', 'warning', 'info', 'success')."""
        return [node.proto.body for _, node in self.elements("alert")
                if kind is None or ALERT_KINDS.get(node.proto.format) == kind]

    def progress_text(self):
        texts = self.texts("progress")
        return texts[0] if texts else None

    def metric(self, label):
        for _, node in self.elements("metric"):
            if node.proto.label == label:
                return node.proto.body
        raise SessionError(f"{self.name}: no metric labelled {label!r}; the page has {self.texts('metric')}")

    def widgets(self):
        return [Widget(node.proto.id, kind_of(node), node.proto.label, self.values.get(node.proto.id),
                       node.fragment_id, path, node.proto)
                for path, node in self.elements(*WIDGETS)]

    def widget(self, label, type=None):
        """The widget with this label (and type); a SessionError when there is none, or several."""
        found = [w for w in self.widgets() if w.label == label and (type is None or w.type == type)]
        if len(found) != 1:
            raise SessionError(f"{self.name}: {len(found)} widgets labelled {label!r}; the page has "
                               f"{[w.label for w in self.widgets()]}")
        return found[0]

    def describe(self):
        """Where the session stands, for a failure's message: what a wait was waiting for is in here."""
        waiting = [r.what for r in self.reruns if not r.done.is_set()]
        return (f"progress {self.progress_text()!r}; script running {self.script_running}; fragments "
                f"rerunning themselves {len(self._auto)} ({self.auto_reruns_sent} timed reruns sent); reruns "
                f"unanswered {waiting}; runs seen {self.runs_seen}; alerts {self.alerts()}; errors {self.errors}; "
                f"connected {self._ws is not None and self._reader is not None and not self._reader.done()}")

    @property
    def idle(self):
        """No script running, no rerun waiting for its answer, no fragment rerunning itself."""
        return not self.script_running and not self._auto and all(r.done.is_set() for r in self.reruns)

    # -- acting --------------------------------------------------------------------------------

    async def click(self, label, wait=True):
        """Press a button; with wait, return the Rerun once answered."""
        button = self.widget(label)
        if button.type not in ("button", "download_button"):
            raise SessionError(f"{self.name}: {label!r} is a {button.type}, not a button")
        return await self.rerun(f"click {label}", button.fragment_id, trigger=button.id, wait=wait)

    async def set_value(self, label, value, wait=True):
        """Set a widget's value and rerun: a slider takes a number (a list for a range), a select_slider
        an option's text (a list for a range), a radio or selectbox an option's text."""
        target = self.widget(label)
        if target.type in ("slider", "select_slider") and not isinstance(value, list | tuple):
            value = [value]
        if target.type not in ("slider", "select_slider", "number_input", "checkbox", "radio", "selectbox",
                               "multiselect", "text_input", "text_area"):
            raise SessionError(f"{self.name}: this client cannot set a {target.type}")
        self.values[target.id] = list(value) if isinstance(value, list | tuple) else value
        if getattr(target.proto, "query_param_key", ""):
            self._sync_to_url(target, self.values[target.id])
        return await self.rerun(f"set {label}={value}", target.fragment_id, wait=wait)

    def _sync_to_url(self, target, value):
        """A bound widget changed by the user: write its value into the address as the frontend
        does (left out when it is the default)."""
        values = [url_text(v) for v in (value if isinstance(value, list) else [value])]
        default = initial_value(target.type, target.proto, default=True)
        defaults = [url_text(v) for v in (default if isinstance(default, list) else [default])]
        self.query = with_param(self.query, target.proto.query_param_key, [] if values == defaults else values)

    async def rerun(self, what="rerun", fragment_id="", trigger=None, wait=True, auto=False):
        """Send a rerun_script with every widget's value (and a trigger), as the frontend does."""
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query
        if self.page_script_hash:
            state.page_script_hash = self.page_script_hash
        else:
            state.page_name = self.page
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url = self.address()
        info.color_scheme = "light"
        for w in self.widgets():
            if w.id == trigger:
                widget_state = state.widget_states.widgets.add(id=w.id)
                widget_state.trigger_value = True
            elif w.value is not None:
                encode(state.widget_states.widgets.add(id=w.id), w.type, w.value, w.proto)
        if auto:
            self.auto_reruns_sent += 1
            await self._send(back)
            return None
        request = Rerun(what, fragment_id, time.perf_counter())
        self.reruns.append(request)
        await self._send(back)
        if wait:
            await self.answered(request)
        return request

    async def answered(self, request, timeout=None):
        try:
            await asyncio.wait_for(request.done.wait(), timeout or self.run_timeout)
        except TimeoutError:
            self.add_error(f"timeout: no answer to '{request.what}' within {timeout or self.run_timeout:.0f} s")
            raise
        return request

    async def wait_until(self, predicate, timeout=None, settle=0.0, what=None):
        """Wait until predicate(session) holds (and still holds after settle seconds of no news)."""
        timeout = timeout or self.run_timeout
        deadline = time.monotonic() + timeout
        while True:
            if predicate(self):
                if settle <= 0:
                    return self
                self._changed.clear()
                try:
                    await asyncio.wait_for(self._changed.wait(), settle)
                except TimeoutError:
                    if predicate(self):
                        return self
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                self.add_error(f"timeout: {what or 'condition'} not reached within {timeout:.0f} s")
                raise TimeoutError(f"{self.name}: {what or 'condition'} not reached within {timeout:.0f} s; "
                                   f"{self.describe()}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 1.0))

    async def wait_idle(self, timeout=None, settle=0.2):
        return await self.wait_until(lambda s: s.idle, timeout, settle, "idle")

    # -- the protocol --------------------------------------------------------------------------

    async def _send(self, back):
        try:
            await self._ws.send(back.SerializeToString())
        except ConnectionClosed as closed:
            self.add_error(f"connection closed while sending: {closed}")
            raise

    async def _read(self):
        try:
            async for data in self._ws:
                self.bytes_received += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg)
                self._changed.set()
            if not self._closing:
                self.add_error("connection closed by the server")
        except ConnectionClosed as closed:
            if not self._closing:
                self.add_error(f"connection lost: {closed}")
        finally:
            for _, task in self._auto.values():
                task.cancel()
            self._auto.clear()
            self._changed.set()

    def _handle(self, msg):
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self._apply_delta(msg)
        elif kind == "new_session":
            self.run_id = msg.metadata.run.script_run_id
            self.run_fragments = tuple(msg.metadata.run.fragment_ids)
            full = not self.run_fragments
            self.runs_seen["full" if full else "fragment"] += 1
            if full:                   # the frontend drops its fragment timers at every full run
                for _, task in self._auto.values():
                    task.cancel()
                self._auto.clear()
            for request in self.reruns:
                if not request.done.is_set() and (full or request.fragment_id):
                    request.started = True
        elif kind == "navigation":
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "script_finished":
            self._finish(msg.script_finished)
        elif kind == "session_status_changed":
            self.script_running = msg.session_status_changed.script_is_running
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self._start_auto(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                entry = self._auto.pop(fragment_id, None)
                if entry:
                    entry[1].cancel()
        elif kind == "page_not_found":
            self.add_error(f"page not found: {msg.page_not_found.page_name or self.page!r}")
        elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
            exc = msg.session_event.script_compilation_exception
            self.add_error(f"compile error: {exc.type}: {exc.message}")
        elif kind == "ref_hash":
            self.add_error("the server sent a cached-message reference this client never asked for")

    def _apply_delta(self, msg):
        delta = msg.delta
        what = delta.WhichOneof("type")
        if what not in ("new_element", "add_block"):
            return                                 # transient elements (spinners) are not kept
        path = tuple(msg.metadata.delta_path)
        if what == "new_element":
            inner = delta.new_element.WhichOneof("type")
            node = Node("element", inner, getattr(delta.new_element, inner), delta.fragment_id, self.run_id)
        else:
            inner = delta.add_block.WhichOneof("type") or "vertical"
            node = Node("block", inner, delta.add_block, delta.fragment_id, self.run_id)
        old = self.nodes.get(path)
        if old is not None and (old.kind == "element" or node.kind == "element" or old.type != node.type):
            self._drop_below(path)
        self.nodes[path] = node
        if node.kind == "element":
            self._element_arrived(path, node)

    def _element_arrived(self, path, node):
        p = node.proto
        if node.type in WIDGETS and p.id:
            value = initial_value(kind_of(node), p)
            if value is not None and (p.id not in self.values or getattr(p, "set_value", False)):
                self.values[p.id] = value
        elif node.type == "exception":
            self.add_error(f"exception: {p.type}: {p.message}", key=(path, p.type, p.message))
        elif node.type == "alert" and ALERT_KINDS.get(p.format) == "error":
            self.add_error(f"error element: {p.body}", key=(path, p.body))
        for watch in self.watchers:
            watch(self, path, node)

    def _drop_below(self, path):
        n = len(path)
        for other in [other for other in self.nodes if len(other) > n and other[:n] == path]:
            del self.nodes[other]

    def _finish(self, status):
        if status in (FINISHED, FRAGMENT_FINISHED):
            # Drop what this run did not write again: everything for a full run, the fragments' own
            # elements for a fragment run.
            stale = [path for path, node in self.nodes.items() if node.run_id != self.run_id
                     and (status == FINISHED or node.fragment_id in self.run_fragments)]
            for path in stale:
                self.nodes.pop(path, None)
            keep = {node.proto.id for node in self.nodes.values() if node.type in WIDGETS}
            self.values = {k: v for k, v in self.values.items() if k in keep}
        if status == EARLY_FOR_RERUN:
            return
        now = time.perf_counter()
        for request in self.reruns:
            if request.started and not request.done.is_set():
                request.answered, request.status = now, status
                request.done.set()

    def _start_auto(self, fragment_id, interval):
        if not fragment_id:
            return
        if fragment_id in self._auto and self._auto[fragment_id][0] == interval:
            return
        if fragment_id in self._auto:
            self._auto[fragment_id][1].cancel()

        async def tick():
            while True:
                await asyncio.sleep(interval)
                with contextlib.suppress(ConnectionClosed):
                    await self.rerun(fragment_id=fragment_id, auto=True, wait=False)

        self._auto[fragment_id] = (interval, asyncio.create_task(tick(), name=f"auto {self.name}"))

    def add_error(self, text, key=None):
        """Record a problem (once: an element re-sent unchanged by every run is one problem)."""
        key = key or text
        if key not in self._error_keys:
            self._error_keys.add(key)
            self.errors.append(text)


PROGRESS = re.compile(r"epoch (\d+) of (\d+)")


def epochs(progress):
    """(done, of) from a Training page progress text, or None."""
    match = PROGRESS.search(progress or "")
    return (int(match[1]), int(match[2])) if match else None
