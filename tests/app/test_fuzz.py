"""Fuzz tests: every page's widgets set to random and extreme values, and every page opened with
hostile links. After each run the page must show no exception and still show a result or a message;
a link value that is not valid for its control must be answered by a notice ("The link set ...").

The pages are not imported (they run Streamlit code at import): their Controls are read by a spy on
ui.state.check_link, which every page calls (through layout.link_notices) with its CONTROLS list.
"""

import math
import random
from contextlib import contextmanager

import pytest
from conftest import APP
from streamlit.testing.v1 import AppTest

import ui.state as state
from ui import matrix
from ui.catalog import PAGES

SEED = 0
STEPS = 50
TRAINING = "app_pages/training.py"
TRAINING_QUERY = {"epochs": "20"}          # Train/Step stay cheap on the Training page
MAX_TRAINING_EPOCHS = 50                   # a preset may raise the epochs: they are put back to 20

VALUE_WIDGETS = ("slider", "number_input", "select_slider", "selectbox", "radio", "toggle", "text_area",
                 "text_input", "multiselect")
EDITOR_TEXTS = ("", "abc", "1,2,x", "nan", "inf", "-inf", "1e308", "1e7", "1,,2", ";;;", "0", "1, 2, 3\n4, 5, 6",
                "½, π, ☃", "7" * 5000)
LONG = "9" * 600 + "x" * 400                # 1000 characters
LINK_VALUES = ("garbage", "", "-1", "-1e308", "1e308", "nan", "inf", "NaN", "0x10", "1,2;3", "🙂", "ünïcödé",
               LONG, ["1", "abc"])
CLEARLY_INVALID = ("garbage", "nan", "🙂", LONG)


def page_params():
    """One pytest param per catalogue page; the Training page (it trains) is marked slow."""
    return [pytest.param(info.path, id=info.url_path or "home",
                         marks=[pytest.mark.slow] if info.path == TRAINING else [])
            for info in PAGES]


def load(path, query=None):
    """Open the app with a query string, then go to the page; exceptions are left for the caller to check."""
    at = AppTest.from_file(APP, default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    if path:
        at.switch_page(path).run()
    return at


@contextmanager
def controls_spy(found):
    """Record the Controls a page checks the link against (its CONTROLS list)."""
    original = state.check_link

    def spy(controls):
        found.extend(controls)
        return original(controls)

    state.check_link = spy
    try:
        yield found
    finally:
        state.check_link = original


_CONTROLS = {}


def page_controls(path):
    if path not in _CONTROLS:
        with controls_spy([]) as found:
            load(path, TRAINING_QUERY if path == TRAINING else None)
        seen, controls = set(), []
        for control in found:                      # a page runs check_link once per run: keep each once
            if control.key not in seen:
                seen.add(control.key)
                controls.append(control)
        _CONTROLS[path] = controls
    return _CONTROLS[path]


def errors_of(at):
    return [e.value for e in at.exception]


def shows_something(at):
    """A result or a message: a metric, a formula, a chart, an alert, a table."""
    tables = any("|" in m.value and "---" in m.value for m in at.markdown)
    return bool(at.metric or at.latex or at.get("vega_lite_chart") or at.error or at.warning or at.info
                or at.dataframe or at.table or tables)


def notices(at):
    return [w.value for w in at.warning if "The link set" in w.value]


def widget_by_key(at, key):
    for kind in VALUE_WIDGETS:
        for widget in at.get(kind):
            if getattr(widget, "key", None) == key:
                return widget
    return None


# -- 1. control fuzz -------------------------------------------------------------------------------------------


def random_matrix(rng):
    rows, cols = rng.randint(1, 3), rng.randint(1, 4)
    return "\n".join(", ".join(str(round(rng.uniform(-5, 5), 2)) for _ in range(cols)) for _ in range(rows))


def number_choice(rng, widget):
    """min, max, zero (when in range) or a random value in range, of the widget's own type."""
    low = widget.min if widget.min is not None else -1e6
    high = widget.max if widget.max is not None else 1e6
    whole = isinstance(widget.value, int) and not isinstance(widget.value, bool)
    picks = [low, high, rng.randint(int(math.ceil(low)), int(math.floor(high))) if whole
             else rng.uniform(low, high)]
    if low <= 0 <= high:
        picks.append(0)
    value = rng.choice(picks)
    return int(value) if whole else float(value)


def option_value(widget, option):
    """The widget's options are display texts; give back the value they display (str or number)."""
    current = widget.value
    sample = current[0] if isinstance(current, (list, tuple)) and current else current
    if isinstance(sample, str) or sample is None:
        return option
    return type(sample)(option)


def fuzz_targets(at, path):
    targets = [(kind, w) for kind in VALUE_WIDGETS for w in at.get(kind)]
    targets += [("button", b) for b in at.button]
    if path == TRAINING:
        # "Follow it on the Backpropagation page" leaves this page (tests/app/test_backprop_walk.py covers it).
        targets = [(kind, w) for kind, w in targets if w.key not in ("epochs", "follow_point")]
    return targets


def fuzz_step(rng, kind, widget):
    """Set one widget to a random or extreme value; returns the value (for the report)."""
    if kind in ("slider", "number_input"):
        current = widget.value
        if isinstance(current, (list, tuple)):          # a range slider
            value = sorted([number_choice(rng, widget), number_choice(rng, widget)])
        else:
            value = number_choice(rng, widget)
        widget.set_value(value)
    elif kind in ("select_slider", "selectbox", "radio"):
        value = option_value(widget, rng.choice(widget.options))
        widget.set_value(value)
    elif kind == "multiselect":
        chosen = rng.sample(widget.options, rng.randint(0, len(widget.options)))
        value = [option_value(widget, o) for o in chosen]
        widget.set_value(value)
    elif kind == "toggle":
        value = not widget.value
        widget.set_value(value)
    elif kind in ("text_area", "text_input"):
        value = rng.choice((*EDITOR_TEXTS, random_matrix(rng)))
        widget.set_value(value)
    else:
        value = "click"
        widget.click()
    return value


def short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@pytest.mark.parametrize("path", page_params())
def test_control_fuzz_never_raises_and_always_shows_a_result(path):
    rng = random.Random(SEED)
    at = load(path, TRAINING_QUERY if path == TRAINING else None)
    assert not at.exception, errors_of(at)
    if not fuzz_targets(at, path):
        pytest.skip("no controls on this page")
    steps, tried, failures = 0, set(), []
    for step in range(STEPS):
        targets = fuzz_targets(at, path)             # re-read: pages hide and show controls
        if not targets:
            failures.append((step, "-", "-", "no widgets left on the page"))
            at = load(path, TRAINING_QUERY if path == TRAINING else None)
            continue
        kind, widget = rng.choice(targets)
        name = widget.key or f"{kind} '{widget.label}'"
        value = fuzz_step(rng, kind, widget)
        if path == TRAINING:
            try:
                epochs = at.number_input(key="epochs")
                if epochs.value > MAX_TRAINING_EPOCHS:
                    epochs.set_value(20)
            except KeyError:
                pass
        tried.add((name, repr(value)))
        steps += 1
        try:
            at.run()
        except Exception as error:  # noqa: BLE001  (a hang or a crash of the run itself is a finding too)
            failures.append((step, name, short(value), f"run failed: {type(error).__name__}: {error}"))
            at = load(path, TRAINING_QUERY if path == TRAINING else None)
            continue
        if at.exception:
            failures.append((step, name, short(value), errors_of(at)[0][:300]))
        elif not shows_something(at):
            failures.append((step, name, short(value), "blank: no metric, formula, chart, alert or table"))
    exceptions = sum(1 for f in failures if not f[3].startswith("blank"))
    print(f"\n{path}: steps={steps} distinct values={len(tried)} exceptions={exceptions} failures={len(failures)}")
    assert not failures, "\n".join(f"step {s}: {n} = {v}: {what}" for s, n, v, what in failures[:10])


# -- 2. URL fuzz -----------------------------------------------------------------------------------------------


def link_meaning(control, raw):
    """What the link's raw value stands for, as the app reads it (the last of repeated keys; all of them for
    a multiselect); raises ValueError when it is not valid for the control."""
    if isinstance(raw, list) and control.kind != "multi":
        raw = raw[-1]
    return control.parse(raw)


def widget_matches(control, widget, meant):
    value = widget.value
    if control.kind == "float":
        return isinstance(value, (int, float)) and math.isclose(value, meant, rel_tol=1e-9, abs_tol=1e-12)
    if control.kind in ("int", "bool"):
        return value == meant
    if control.kind == "choice":
        return str(value) == meant
    if control.kind == "multi":
        return tuple(value) == tuple(meant)
    if control.kind == "layers":
        try:
            return state.parse_layers(value, int(control.low), int(control.high)) == meant
        except ValueError:
            return False
    try:
        return matrix.to_url(matrix.parse_matrix(value)) == control.to_url(meant)
    except matrix.MatrixError:
        return False


def link_problems(at, controls, query):
    """What is wrong with how the page answered a link: exceptions, a blank page, a missing notice for an
    invalid value, or a valid value the widget silently did not take."""
    if at.exception:
        return [f"exception: {errors_of(at)[0][:300]}"]
    problems = [] if shows_something(at) else ["blank: no metric, formula, chart, alert or table"]
    said = notices(at)
    for control in controls:
        if control.key not in query:
            continue
        raw = query[control.key]
        noticed = any(f"**{control.label}**" in text for text in said)
        try:
            meant = link_meaning(control, raw)
        except ValueError:
            if noticed:
                continue
            widget = widget_by_key(at, control.key)
            last = raw[-1] if isinstance(raw, list) and control.kind != "multi" else raw
            kept_as_typed = widget is not None and isinstance(widget.value, str) and widget.value == last
            if kept_as_typed and at.error:
                continue        # a text field keeps the text and says what is wrong with it
            problems.append(f"{control.key}={short(raw)}: invalid ({control.describe()}) but no notice")
            continue
        widget = widget_by_key(at, control.key)
        if widget is not None and not noticed and not widget_matches(control, widget, meant):
            problems.append(f"{control.key}={short(raw)}: valid, but the widget shows {short(widget.value)} "
                            "and no notice says so")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("path", page_params())
def test_url_fuzz_renders_and_explains_invalid_values(path):
    controls = page_controls(path)
    base = TRAINING_QUERY if path == TRAINING else {}
    cases = [("unknown key", {"zzz": "1"}), ("unknown keys", {"zzz": ["1", "2"], "": "x"})]
    # every value on every control at once (each invalid one needs its own notice) ...
    if controls:
        cases += [(f"all keys = {short(value)}", {c.key: value for c in controls}) for value in LINK_VALUES]
    # ... and each control alone, with a value in turn, so a crash points at one control
    cases += [(short(case), case) for case in
              ({c.key: LINK_VALUES[i % len(LINK_VALUES)]} for i, c in enumerate(controls))]
    failures, loads = [], 0
    for label, case in cases:
        query = {**base, **case}
        loads += 1
        try:
            at = load(path, query)
        except Exception as error:  # noqa: BLE001
            failures.append(f"{label}: run failed: {type(error).__name__}: {error}")
            continue
        if at.exception and len(case) > 1:         # find the keys that raise on their own
            culprits = [key for key, value in case.items() if load(path, {**base, key: value}).exception]
            label += f" (raising alone: {', '.join(culprits) or 'none'})"
        failures += [f"{label}: {problem}" for problem in link_problems(at, controls, query)]
    print(f"\n{path}: controls={len(controls)} loads={loads} failures={len(failures)}")
    assert not failures, "\n".join(failures[:30]) + (f"\n... {len(failures) - 30} more" if len(failures) > 30 else "")


@pytest.mark.parametrize("path", [p for p in page_params() if p.values[0] != "app_pages/home.py"])
def test_clearly_invalid_link_values_on_numeric_controls_are_noticed(path):
    """The minimum: 'garbage', 'nan', an emoji and 1000 characters on a number control each get a notice."""
    numeric = [c for c in page_controls(path) if c.kind in ("float", "int")]
    if not numeric:
        pytest.skip("no number controls on this page")
    base = TRAINING_QUERY if path == TRAINING else {}
    missing = []
    rng = random.Random(SEED)
    for value in CLEARLY_INVALID:
        control = rng.choice(numeric)
        at = load(path, {**base, control.key: value})
        assert not at.exception, (control.key, value, errors_of(at))
        if not any(f"**{control.label}**" in text for text in notices(at)):
            missing.append((control.key, short(value)))
    assert not missing, missing
